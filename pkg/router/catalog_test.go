package router

import (
	"testing"
	"time"
)

func TestCatalogQueries(t *testing.T) {
	cases := []struct{ got, want string }{
		{SystemCatalogQuery("pg_class"),
			`SELECT count(*) FROM pg_class AS c, pg_namespace AS n WHERE c.oid = pg_catalog.to_regclass('"pg_class"') AND c.relnamespace = n.oid AND n.nspname = 'pg_catalog'`},
		{TempTableQuery("tmp1"),
			`SELECT count(*) FROM pg_catalog.pg_class AS c, pg_namespace AS n WHERE c.relname = 'tmp1' AND c.relnamespace = n.oid AND n.nspname ~ '^pg_temp_'`},
		{UnloggedTableQuery("", "ul"),
			`SELECT count(*) FROM pg_catalog.pg_class AS c WHERE c.oid = pg_catalog.to_regclass('"ul"') AND c.relpersistence = 'u'`},
		{UnloggedTableQuery("public", "Ul"),
			`SELECT count(*) FROM pg_catalog.pg_class AS c WHERE c.oid = pg_catalog.to_regclass('"public"."Ul"') AND c.relpersistence = 'u'`},
		{VolatileFunctionQuery("", "nextval"),
			`SELECT count(*) FROM pg_catalog.pg_proc AS p, pg_catalog.pg_namespace AS n WHERE p.proname = 'nextval' AND n.oid = p.pronamespace AND n.nspname ~ '.*' AND p.provolatile = 'v'`},
		{VolatileFunctionQuery("pg_catalog", "random"),
			`SELECT count(*) FROM pg_catalog.pg_proc AS p, pg_catalog.pg_namespace AS n WHERE p.proname = 'random' AND n.oid = p.pronamespace AND n.nspname = 'pg_catalog' AND p.provolatile = 'v'`},
		// Names are quoted and escaped, never pasted raw.
		{SystemCatalogQuery(`we"ird'name`),
			`SELECT count(*) FROM pg_class AS c, pg_namespace AS n WHERE c.oid = pg_catalog.to_regclass('"we""ird''name"') AND c.relnamespace = n.oid AND n.nspname = 'pg_catalog'`},
		{RelationQuery("s", "t", true, false, true),
			`SELECT (` + SystemCatalogQuery("t") + `), (` + UnloggedTableQuery("s", "t") + `)`},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got  %s\nwant %s", tc.got, tc.want)
		}
	}
}

func TestCacheSizeAndEviction(t *testing.T) {
	cat := newCatalog()
	c := NewCache(2, 0)
	all := factSystem | factTemp | factUnlogged
	for i := 0; i < 3; i++ {
		if _, err := c.relation(cat, "db", nil, []byte("a"), all); err != nil {
			t.Fatal(err)
		}
	}
	c.relation(cat, "db", nil, []byte("b"), all)
	c.relation(cat, "db", nil, []byte("c"), all) // evicts b, the least used
	if cat.calls != 3 {
		t.Fatalf("%d lookups, want 3", cat.calls)
	}
	c.relation(cat, "db", nil, []byte("a"), all)
	if cat.calls != 3 {
		t.Fatalf("frequently used entry was evicted")
	}
	c.relation(cat, "db", nil, []byte("b"), all)
	if cat.calls != 4 {
		t.Fatalf("evicted entry was still cached")
	}
	// Another database has its own entries.
	c.relation(cat, "other", nil, []byte("a"), all)
	if cat.calls != 5 {
		t.Fatalf("cache shared between databases")
	}
}

func TestCacheExpire(t *testing.T) {
	cat := newCatalog()
	c := NewCache(10, time.Minute)
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	c.volatile(cat, "db", nil, []byte("random"))
	now = now.Add(59 * time.Second)
	c.volatile(cat, "db", nil, []byte("random"))
	if cat.calls != 1 {
		t.Fatalf("entry expired early")
	}
	now = now.Add(2 * time.Second)
	v, _ := c.volatile(cat, "db", nil, []byte("random"))
	if cat.calls != 2 || !v {
		t.Fatalf("entry not refreshed after relcache_expire (calls %d, volatile %v)", cat.calls, v)
	}
}

func TestCacheTempFactsArePerSession(t *testing.T) {
	cat := newCatalog()
	c := NewCache(10, 0)
	f, _ := c.relation(cat, "db", nil, []byte("tmp1"), factSystem|factTemp)
	if f&factTemp == 0 {
		t.Fatal("temp table not detected")
	}
	c.relation(cat, "db", nil, []byte("tmp1"), factSystem|factTemp)
	c.NewSession()
	cat.temp = set()
	f, _ = c.relation(cat, "db", nil, []byte("tmp1"), factSystem|factTemp)
	if cat.calls != 2 || f&factTemp != 0 {
		t.Fatalf("temp fact survived the session (calls %d, facts %b)", cat.calls, f)
	}
	if q := cat.queries[1]; q != RelationQuery("", "tmp1", false, true, false) {
		t.Fatalf("second lookup asked more than the temp fact: %s", q)
	}
}

func TestCacheWithoutCatalog(t *testing.T) {
	c := NewCache(10, 0)
	if _, err := c.relation(nil, "db", nil, []byte("t"), factSystem); err == nil {
		t.Fatal("no error without a catalog")
	}
}

// A session that cannot have a temporary table yet (NoTempTables) asks
// the catalog only for the other facts; the child clears NoTempTables
// once a statement reached the primary, and the temp check is made again.
func TestNoTempTablesSkipsTheTempLookup(t *testing.T) {
	ts := newTestSession(t, nil) // check_temp_table = catalog
	ts.cat.temp = set("t")
	ts.env.NoTempTables = true
	if d, _ := ts.route(t, "SELECT * FROM t"); d.Reason == ReasonTempTable {
		t.Fatalf("NoTempTables session sent a read of t to the primary (%v)", d.Reason)
	}
	if q := ts.cat.queries[len(ts.cat.queries)-1]; q != RelationQuery("", "t", true, false, true) {
		t.Fatalf("lookup asked for the temp fact: %s", q)
	}
	ts.env.NoTempTables = false
	if d, _ := ts.route(t, "SELECT * FROM t"); d.Reason != ReasonTempTable {
		t.Fatalf("read of temporary table t: %v, want primary for the temp table", d.Reason)
	}
}
