package router

import (
	"fmt"
	"strings"
	"time"
)

// Catalog runs the router's catalog lookups on a backend connection of the
// session (the node relcache_query_target names: the primary by default).
// The router only calls it on a cache miss.
type Catalog interface {
	// QueryCounts runs sql, a query returning exactly one row of
	// len(out) integer columns, and stores the columns in out.
	QueryCounts(sql string, out []int64) error
}

// TxCatalog is a Catalog that can also ask the primary about the client's
// open transaction, on the session's own connection to the primary. The
// router asks it IsolationQuery once per transaction that reads while
// nothing has told it the transaction's isolation level.
type TxCatalog interface {
	Catalog
	// QueryPrimary is QueryCounts on the primary, inside the client's
	// transaction.
	QueryPrimary(sql string, out []int64) error
}

// IsolationQuery is 1 if the primary's transaction is SERIALIZABLE.
// Pgpool-II asks "SELECT current_setting('transaction_isolation')"
// (pool_get_transaction_isolation()) the first time a read in a
// transaction needs to know, so that a transaction that is serializable
// by BEGIN ISOLATION LEVEL SERIALIZABLE (the standbys get a plain BEGIN),
// by default_transaction_isolation or by ALTER ROLE/DATABASE reads on the
// primary.
const IsolationQuery = "SELECT (pg_catalog.current_setting('transaction_isolation') = 'serializable')::int"

// The lookups below are Pgpool-II's (pool_select_walker.c, for
// PostgreSQL 9.4 and later, which have to_regclass()). One deliberate
// difference: Pgpool-II deletes every double quote from a name before
// pasting it into the query, so a relation named "MyTable" is looked up as
// mytable by the unlogged-table test and a name containing a quote
// produces broken SQL; here names are quoted and escaped properly.

// SystemCatalogQuery is ISBELONGTOPGCATALOGQUERY3: 1 if rel (unqualified,
// resolved through search_path) is in pg_catalog.
func SystemCatalogQuery(rel string) string {
	return "SELECT count(*) FROM pg_class AS c, pg_namespace AS n WHERE c.oid = pg_catalog.to_regclass(" +
		literal(quoteIdent(rel)) + ") AND c.relnamespace = n.oid AND n.nspname = 'pg_catalog'"
}

// TempTableQuery is ISTEMPQUERY83: the number of temporary tables named
// rel (any session's pg_temp_N schema, as Pgpool-II does).
func TempTableQuery(rel string) string {
	return "SELECT count(*) FROM pg_catalog.pg_class AS c, pg_namespace AS n WHERE c.relname = " +
		literal(rel) + " AND c.relnamespace = n.oid AND n.nspname ~ '^pg_temp_'"
}

// UnloggedTableQuery is ISUNLOGGEDQUERY3: 1 if schema.rel (schema may be
// empty) is an unlogged table.
func UnloggedTableQuery(schema, rel string) string {
	name := quoteIdent(rel)
	if schema != "" {
		name = quoteIdent(schema) + "." + name
	}
	return "SELECT count(*) FROM pg_catalog.pg_class AS c WHERE c.oid = pg_catalog.to_regclass(" +
		literal(name) + ") AND c.relpersistence = 'u'"
}

// VolatileFunctionQuery is VOLATILE_FUNCTION_QUERY for provolatile 'v':
// the number of volatile functions named fn in schema, or in any schema
// when schema is empty.
func VolatileFunctionQuery(schema, fn string) string {
	ns := "~ '.*'"
	if schema != "" {
		ns = "= " + literal(schema)
	}
	return "SELECT count(*) FROM pg_catalog.pg_proc AS p, pg_catalog.pg_namespace AS n WHERE p.proname = " +
		literal(fn) + " AND n.oid = p.pronamespace AND n.nspname " + ns + " AND p.provolatile = 'v'"
}

// Relation facts, as bits.
const (
	factSystem   uint8 = 1 << iota // in pg_catalog
	factTemp                       // a temporary table (check_temp_table = catalog)
	factUnlogged                   // an unlogged table
)

// RelationQuery combines the lookups a relation needs into one round trip:
// one column per requested fact, in the order system, temp, unlogged.
func RelationQuery(schema, rel string, system, temp, unlogged bool) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	sep := ""
	for _, q := range []struct {
		want bool
		sql  string
	}{
		{system, SystemCatalogQuery(rel)},
		{temp, TempTableQuery(rel)},
		{unlogged, UnloggedTableQuery(schema, rel)},
	} {
		if q.want {
			b.WriteString(sep)
			b.WriteString("(")
			b.WriteString(q.sql)
			b.WriteString(")")
			sep = ", "
		}
	}
	return b.String()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Cache is the per-process relation cache (Pgpool-II's relcache): the
// results of catalog lookups per database, at most Size entries per kind,
// each valid for Expire after it was fetched (0: until evicted). When full,
// the entry used least often is replaced. Temporary-table facts are
// per-session (a new session, or a CREATE TEMP TABLE, forgets them).
//
// A Cache belongs to one process and is not safe for concurrent use.
type Cache struct {
	size    int
	expire  time.Duration
	now     func() time.Time
	session uint64
	dbs     map[string]*dbCache
	nrel    int
	nfunc   int
	key     []byte
}

type dbCache struct {
	rels  map[string]*relEntry
	funcs map[string]*funcEntry
}

type relEntry struct {
	known, facts uint8
	tempSession  uint64
	refs         int
	expires      int64 // unix nanoseconds; 0: never
}

type funcEntry struct {
	volatile bool
	refs     int
	expires  int64
}

// NewCache returns a cache holding at most size entries per kind
// (relcache_size, default 256) for expire (relcache_expire; 0 = forever).
func NewCache(size int, expire time.Duration) *Cache {
	if size <= 0 {
		size = 256
	}
	return &Cache{size: size, expire: expire, now: time.Now, dbs: make(map[string]*dbCache), session: 1}
}

// NewSession forgets the per-session facts (temporary tables). Call it
// when the process starts serving a new client.
func (c *Cache) NewSession() { c.session++ }

// Clear drops every entry (e.g. on reload).
func (c *Cache) Clear() {
	clear(c.dbs)
	c.nrel, c.nfunc = 0, 0
}

func (c *Cache) db(name string) *dbCache {
	d := c.dbs[name]
	if d == nil {
		d = &dbCache{rels: make(map[string]*relEntry), funcs: make(map[string]*funcEntry)}
		c.dbs[name] = d
	}
	return d
}

func (c *Cache) makeKey(schema, name []byte) []byte {
	c.key = append(append(append(c.key[:0], schema...), 0), name...)
	return c.key
}

func (c *Cache) expiry() int64 {
	if c.expire <= 0 {
		return 0
	}
	return c.now().Add(c.expire).UnixNano()
}

func (c *Cache) expired(at int64) bool {
	return at != 0 && c.now().UnixNano() > at
}

// relation returns the requested facts (a mask of fact bits) about a
// relation, querying cat for those not cached.
func (c *Cache) relation(cat Catalog, db string, schema, rel []byte, need uint8) (uint8, error) {
	d := c.db(db)
	e := d.rels[string(c.makeKey(schema, rel))]
	if e != nil && c.expired(e.expires) {
		e.known, e.facts, e.refs = 0, 0, 0
		e.expires = c.expiry()
	}
	if e != nil && e.known&factTemp != 0 && e.tempSession != c.session {
		e.known &^= factTemp
		e.facts &^= factTemp
	}
	if e != nil && e.known&need == need {
		e.refs++
		return e.facts & need, nil
	}
	missing := need
	if e != nil {
		missing &^= e.known
	}
	var out [3]int64
	cols := 0
	for _, f := range []uint8{factSystem, factTemp, factUnlogged} {
		if missing&f != 0 {
			cols++
		}
	}
	if cat == nil {
		return 0, fmt.Errorf("catalog lookup for relation %q: no backend connection to query", rel)
	}
	sql := RelationQuery(string(schema), string(rel), missing&factSystem != 0, missing&factTemp != 0, missing&factUnlogged != 0)
	if err := cat.QueryCounts(sql, out[:cols]); err != nil {
		return 0, fmt.Errorf("catalog lookup for relation %q: %w", rel, err)
	}
	if e == nil {
		e = &relEntry{expires: c.expiry()}
		if c.nrel >= c.size {
			c.evictRelation()
		}
		d.rels[string(c.makeKey(schema, rel))] = e
		c.nrel++
	}
	i := 0
	for _, f := range []uint8{factSystem, factTemp, factUnlogged} {
		if missing&f == 0 {
			continue
		}
		e.known |= f
		if out[i] > 0 {
			e.facts |= f
		}
		i++
	}
	if missing&factTemp != 0 {
		e.tempSession = c.session
	}
	e.refs++
	return e.facts & need, nil
}

func (c *Cache) evictRelation() {
	var victimDB *dbCache
	var victimKey string
	min := -1
	for _, d := range c.dbs {
		for k, e := range d.rels {
			if min < 0 || e.refs < min {
				victimDB, victimKey, min = d, k, e.refs
			}
		}
	}
	if victimDB != nil {
		delete(victimDB.rels, victimKey)
		c.nrel--
	}
}

// volatile reports whether a function of that name is volatile
// (pg_proc.provolatile = 'v'), querying cat on a miss.
func (c *Cache) volatile(cat Catalog, db string, schema, fn []byte) (bool, error) {
	d := c.db(db)
	if e := d.funcs[string(c.makeKey(schema, fn))]; e != nil && !c.expired(e.expires) {
		e.refs++
		return e.volatile, nil
	}
	if cat == nil {
		return false, fmt.Errorf("catalog lookup for function %q: no backend connection to query", fn)
	}
	var out [1]int64
	if err := cat.QueryCounts(VolatileFunctionQuery(string(schema), string(fn)), out[:]); err != nil {
		return false, fmt.Errorf("catalog lookup for function %q: %w", fn, err)
	}
	key := string(c.makeKey(schema, fn))
	if _, ok := d.funcs[key]; !ok {
		if c.nfunc >= c.size {
			c.evictFunction()
		}
		c.nfunc++
	}
	d.funcs[key] = &funcEntry{volatile: out[0] > 0, refs: 1, expires: c.expiry()}
	return out[0] > 0, nil
}

func (c *Cache) evictFunction() {
	var victimDB *dbCache
	var victimKey string
	min := -1
	for _, d := range c.dbs {
		for k, e := range d.funcs {
			if min < 0 || e.refs < min {
				victimDB, victimKey, min = d, k, e.refs
			}
		}
	}
	if victimDB != nil {
		delete(victimDB.funcs, victimKey)
		c.nfunc--
	}
}
