package router

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// fakeCatalog answers the router's catalog queries from sets of names, the
// way a PostgreSQL server holding those objects would, and counts calls.
type fakeCatalog struct {
	system   map[string]bool // relation names in pg_catalog
	temp     map[string]bool // temporary tables
	unlogged map[string]bool // "schema.rel" or "rel"
	volatile map[string]bool // "fn" (any schema) or "schema.fn"
	calls    int
	queries  []string
	fail     error
	// serializable is the primary's answer to IsolationQuery;
	// isolationCalls counts the questions.
	serializable   bool
	isolationCalls int
}

func (f *fakeCatalog) QueryPrimary(sql string, out []int64) error {
	if sql != IsolationQuery || len(out) != 1 {
		return fmt.Errorf("fake catalog: unexpected query on the primary %q", sql)
	}
	if f.fail != nil {
		return f.fail
	}
	f.isolationCalls++
	out[0] = 0
	if f.serializable {
		out[0] = 1
	}
	return nil
}

var (
	reSystem   = regexp.MustCompile(`to_regclass\('"((?:[^"]|"")*)"'\) AND c\.relnamespace = n\.oid AND n\.nspname = 'pg_catalog'`)
	reTemp     = regexp.MustCompile(`c\.relname = '((?:[^']|'')*)' AND c\.relnamespace = n\.oid AND n\.nspname ~ '\^pg_temp_'`)
	reUnlogged = regexp.MustCompile(`to_regclass\('((?:[^']|'')*)'\) AND c\.relpersistence = 'u'`)
	reFunc     = regexp.MustCompile(`p\.proname = '((?:[^']|'')*)' AND n\.oid = p\.pronamespace AND n\.nspname (~ '\.\*'|= '((?:[^']|'')*)') AND p\.provolatile = 'v'`)
)

func unquoteIdent(s string) string {
	s = strings.ReplaceAll(s, `''`, `'`)
	parts := strings.Split(s, `"."`)
	for i, p := range parts {
		p = strings.TrimPrefix(strings.TrimSuffix(p, `"`), `"`)
		parts[i] = strings.ReplaceAll(p, `""`, `"`)
	}
	return strings.Join(parts, ".")
}

func (f *fakeCatalog) QueryCounts(sql string, out []int64) error {
	f.calls++
	f.queries = append(f.queries, sql)
	if f.fail != nil {
		return f.fail
	}
	col := 0
	for _, part := range strings.Split(sql, "(SELECT count(*)")[1:] {
		var v bool
		switch {
		case reSystem.MatchString(part):
			v = f.system[unquoteIdent(reSystem.FindStringSubmatch(part)[1])]
		case reTemp.MatchString(part):
			v = f.temp[strings.ReplaceAll(reTemp.FindStringSubmatch(part)[1], "''", "'")]
		case reUnlogged.MatchString(part):
			v = f.unlogged[unquoteIdent(reUnlogged.FindStringSubmatch(part)[1])]
		default:
			return fmt.Errorf("fake catalog: unexpected query %q", sql)
		}
		if v {
			out[col] = 1
		} else {
			out[col] = 0
		}
		col++
	}
	if col == 0 {
		m := reFunc.FindStringSubmatch(sql)
		if m == nil {
			return fmt.Errorf("fake catalog: unexpected query %q", sql)
		}
		name := strings.ReplaceAll(m[1], "''", "'")
		if m[3] != "" {
			name = strings.ReplaceAll(m[3], "''", "'") + "." + name
		}
		out[0] = 0
		if f.volatile[name] || f.volatile[strings.ReplaceAll(m[1], "''", "'")] && m[3] == "" {
			out[0] = 1
		}
		col = 1
	}
	if col != len(out) {
		return fmt.Errorf("fake catalog: %d columns for %d outputs in %q", col, len(out), sql)
	}
	return nil
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// newCatalog is a catalog with pg_catalog tables, random()/nextval()
// volatile, one temp table and one unlogged table.
func newCatalog() *fakeCatalog {
	return &fakeCatalog{
		system:   set("pg_class", "pg_namespace", "pg_stat_activity", "pg_settings"),
		temp:     set("tmp1"),
		unlogged: set("ul", "public.ul"),
		volatile: set("random", "nextval", "setval", "clock_timestamp", "pg_terminate_backend", "txid_current"),
	}
}

// seq returns a random source that replays draws (then repeats the last).
func seq(draws ...float64) func() float64 {
	i := 0
	return func() float64 {
		d := draws[i]
		if i < len(draws)-1 {
			i++
		}
		return d
	}
}

// cluster builds a snapshot: node 0 primary, the others standbys, all
// valid, weights as given.
func cluster(weights ...float64) *Cluster {
	c := &Cluster{PrimaryID: 0, MainID: 0}
	for i, w := range weights {
		c.Nodes = append(c.Nodes, Node{Valid: true, Weight: w, Primary: i == 0})
	}
	return c
}

// testSession is a started session on a 1-primary 2-standby cluster whose
// load-balance node is 1, with default options changed by mod.
type testSession struct {
	s   *Session
	env Env
	cat *fakeCatalog
	st  Statement
}

func newTestSession(t *testing.T, mod func(o *Options)) *testSession {
	t.Helper()
	o := DefaultOptions()
	if mod != nil {
		mod(o)
	}
	ts := &testSession{cat: newCatalog()}
	ts.s = &Session{Opts: o, Cache: NewCache(16, 0), Rand: seq(0.5), Client: Client{Database: "db", User: "u"}}
	ts.env = Env{Cluster: cluster(0, 1, 0), PrimaryTx: 'I', ProtoMajor: 3, Catalog: ts.cat, TerminateNode: -1}
	ts.s.Start(ts.env.Cluster)
	if o.LoadBalanceMode && ts.s.LBNode != 1 {
		t.Fatalf("test session: load-balance node %d, want 1", ts.s.LBNode)
	}
	return ts
}

// route classifies and routes sql; it returns the destination and the
// statement's effect.
func (ts *testSession) route(t *testing.T, sql string) (Destination, Effect) {
	t.Helper()
	Classify([]byte(sql), ts.s.Opts, &ts.st)
	ts.env.Query = []byte(sql)
	d, err := ts.s.Route(&ts.st, &ts.env)
	if err != nil {
		t.Fatalf("Route(%q): %v", sql, err)
	}
	return d, ts.st.Effect()
}

// run routes sql and reports its success, as a simple query whose
// ReadyForQuery carries the primary state after.
func (ts *testSession) run(t *testing.T, sql string, after byte) Destination {
	t.Helper()
	d, e := ts.route(t, sql)
	ts.env.PrimaryTx = after
	ts.s.CommandSucceeded(&e, after)
	return d
}

func nodes(ids ...int) NodeSet {
	var s NodeSet
	for _, id := range ids {
		s.Add(id)
	}
	return s
}

func (s NodeSet) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for id := s.First(); id >= 0; id = s.Next(id) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, id)
	}
	b.WriteByte('}')
	return b.String()
}
