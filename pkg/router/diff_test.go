package router

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// describeStatement renders every field the router uses, names as a
// sorted set, so that two descriptions can be compared as strings.
func describeStatement(st *Statement) string {
	var b strings.Builder
	fmt.Fprintf(&b, "class=%v kind=%v cmd=%v tx=%v flags=%b discard=%d lock=%d prepare=%v pid=%d",
		st.Class, st.Kind, st.Cmd, st.Tx, st.Flags, st.Discard, st.LockMode, st.PrepareCmd, st.TerminatePID)
	if n, ok := st.Name(); ok {
		fmt.Fprintf(&b, " name=%q", n)
	}
	names := make([]string, 0, st.NumNames())
	for i := 0; i < st.NumNames(); i++ {
		n := st.NameAt(i)
		names = append(names, fmt.Sprintf("%d:%q.%q", n.Kind, n.Schema, n.Name))
	}
	sort.Strings(names)
	fmt.Fprintf(&b, " names=%v rel=%d func=%d", names, st.Relations(), st.Functions())
	return b.String()
}

// compareFastWithParser classifies sql with both paths. It reports whether
// the fast path handled it, and a difference if the two disagree.
func compareFastWithParser(sql []byte, o *Options) (fast bool, diff string) {
	var a, b Statement
	if i := indexNUL(sql); i >= 0 {
		sql = sql[:i]
	}
	a.reset()
	if classifyPgpool(sql, &a) {
		return false, ""
	}
	a.reset()
	if !classifyFast(sql, &a) {
		return false, ""
	}
	a.finish(sql, o)
	b.reset()
	classifyFallback(sql, &b)
	b.finish(sql, o)
	da, db := describeStatement(&a), describeStatement(&b)
	if da != db {
		return true, fmt.Sprintf("fast:   %s\nparser: %s", da, db)
	}
	return true, ""
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

func TestFastPathAgreesWithParser(t *testing.T) {
	for _, o := range []*Options{nil, {AllowSQLComments: true}, {IgnoreLeadingWhiteSpace: false}} {
		for _, sql := range append(append([]string{}, fastCorpus...), parserCorpus...) {
			if _, diff := compareFastWithParser([]byte(sql), o); diff != "" {
				t.Errorf("%q:\n%s", sql, diff)
			}
		}
	}
}

func TestFastPathCoversCommonShapes(t *testing.T) {
	for _, sql := range fastCorpus {
		if fast, _ := compareFastWithParser([]byte(sql), nil); !fast {
			t.Errorf("fast path gave up on %q", sql)
		}
	}
}

func FuzzFastPath(f *testing.F) {
	for _, s := range fastCorpus {
		f.Add(s)
	}
	for _, s := range parserCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if _, diff := compareFastWithParser([]byte(sql), nil); diff != "" {
			t.Fatalf("%q:\n%s", sql, diff)
		}
	})
}

// FuzzRoute feeds arbitrary text through Classify and Route: no panic, and
// every statement goes somewhere valid.
func FuzzRoute(f *testing.F) {
	for _, s := range fastCorpus {
		f.Add(s, uint8(0))
	}
	for _, s := range parserCorpus {
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, sql string, mode uint8) {
		ts := newTestSession(t, func(o *Options) {
			o.DisableLoadBalanceOnWrite = LoadBalanceOnWrite(mode % 5)
			o.StatementLevelLoadBalance = mode&8 != 0
			o.CheckTempTable = CheckTempTable((mode >> 4) % 3)
		})
		d, e := ts.route(t, sql)
		if d.Nodes.Empty() {
			t.Fatalf("%q: no destination", sql)
		}
		for id := d.Nodes.First(); id >= 0; id = d.Nodes.Next(id) {
			if !ts.env.Cluster.valid(id) {
				t.Fatalf("%q: sent to invalid node %d", sql, id)
			}
		}
		ts.s.CommandSucceeded(&e, 'T')
		ts.s.Executed(&e, 'T')
	})
}
