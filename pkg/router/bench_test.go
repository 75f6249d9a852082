package router

import (
	"math/rand/v2"
	"testing"
)

var benchStatements = []struct{ name, sql string }{
	{"pgbench_select", "SELECT abalance FROM pgbench_accounts WHERE aid = $1"},
	{"pgbench_update_accounts", "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2"},
	{"pgbench_update_tellers", "UPDATE pgbench_tellers SET tbalance = tbalance + -3021 WHERE tid = 7;"},
	{"pgbench_insert_history", "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)"},
	{"begin", "BEGIN;"},
	{"end", "END;"},
	{"select_1", "SELECT 1"},
	{"set_extra_float_digits", "SET extra_float_digits = 3"},
	{"set_application_name", "SET application_name = 'PostgreSQL JDBC Driver'"},
	{"show_isolation", "SHOW TRANSACTION ISOLATION LEVEL"},
	{"begin_read_only", "BEGIN READ ONLY"},
	{"savepoint", "SAVEPOINT sp1"},
	{"hibernate_select", "select user0_.id as id1_0_, user0_.name as name2_0_, user0_.email as email3_0_ from users user0_ where user0_.id=$1"},
	{"django_select", `SELECT "auth_user"."id", "auth_user"."password", "auth_user"."last_login", "auth_user"."username" FROM "auth_user" WHERE "auth_user"."id" = 42 LIMIT 21`},
	{"activerecord_in_list", `SELECT "posts".* FROM "posts" WHERE "posts"."user_id" IN ($1, $2, $3, $4) ORDER BY "posts"."created_at" DESC LIMIT $5 OFFSET $6`},
	{"join", "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'open' AND c.region = $1"},
	{"orm_update", `UPDATE "users" SET "name" = $1, "updated_at" = $2 WHERE "users"."id" = $3`},
	{"orm_insert_returning", `INSERT INTO "users" ("name", "email", "created_at") VALUES ($1, $2, $3) RETURNING "id"`},
}

// BenchmarkClassify measures the fast path on common statements.
func BenchmarkClassify(b *testing.B) {
	for _, bs := range benchStatements {
		sql := []byte(bs.sql)
		b.Run(bs.name, func(b *testing.B) {
			var st Statement
			Classify(sql, nil, &st)
			if st.Fallback {
				b.Fatalf("%q is not on the fast path", bs.sql)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(sql)))
			for i := 0; i < b.N; i++ {
				Classify(sql, nil, &st)
			}
		})
	}
}

// BenchmarkClassifyFallback measures the real parser path for comparison.
func BenchmarkClassifyFallback(b *testing.B) {
	for _, sql := range []string{
		"SELECT abalance FROM pgbench_accounts WHERE aid = $1",
		"WITH x AS (SELECT * FROM t WHERE a = $1) SELECT * FROM x JOIN u USING (id) WHERE b IN (SELECT c FROM v)",
	} {
		q := []byte(sql)
		b.Run(sql[:20], func(b *testing.B) {
			var st Statement
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				st.reset()
				classifyFallback(q, &st)
				st.finish(q, nil)
			}
		})
	}
}

func benchSession(b testing.TB, mod func(*Options)) (*Session, *Env) {
	o := DefaultOptions()
	if mod != nil {
		mod(o)
	}
	r := rand.New(rand.NewPCG(1, 2))
	s := &Session{Opts: o, Cache: NewCache(256, 0), Rand: r.Float64, Client: Client{Database: "bench", User: "u", AppName: "pgbench"}}
	env := &Env{Cluster: cluster(1, 1, 1), PrimaryTx: 'I', ProtoMajor: 3, Catalog: newCatalog(), TerminateNode: -1}
	s.Start(env.Cluster)
	return s, env
}

// BenchmarkClassifyAndRoute measures the whole per-statement router work
// (cache warm), as the session loop does it.
func BenchmarkClassifyAndRoute(b *testing.B) {
	for _, bs := range benchStatements {
		sql := []byte(bs.sql)
		b.Run(bs.name, func(b *testing.B) {
			s, env := benchSession(b, nil)
			env.Query = sql
			var st Statement
			Classify(sql, s.Opts, &st)
			if _, err := s.Route(&st, env); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Classify(sql, s.Opts, &st)
				d, _ := s.Route(&st, env)
				e := st.Effect()
				s.CommandSucceeded(&e, 'I')
				_ = d
			}
		})
	}
}

func BenchmarkSelectLoadBalancingNode(b *testing.B) {
	c := cluster(1, 1, 2)
	o := DefaultOptions()
	o.DatabaseRedirects = mustRedirects(b, "postgres:primary,bench:standby(0.5)")
	o.AppNameRedirects = mustRedirects(b, "psql:1")
	r := rand.New(rand.NewPCG(1, 2))
	cl := &Client{Database: "bench", AppName: "pgbench"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		SelectLoadBalancingNode(c, o, cl, r.Float64)
	}
}

// TestFastPathDoesNotAllocate is the allocation guarantee of the hot path:
// classification, routing and write tracking of common statements, with
// warm caches and statement-level load balancing on.
func TestFastPathDoesNotAllocate(t *testing.T) {
	for _, mod := range []func(*Options){nil, func(o *Options) {
		o.StatementLevelLoadBalance = true
		o.DatabaseRedirects = mustRedirects(t, "bench:standby(0.9)")
		o.PrimaryRoutingQueryPatterns = patterns(t, ".*pg_sleep.*")
	}} {
		s, env := benchSession(t, mod)
		var st Statement
		for _, bs := range benchStatements {
			sql := []byte(bs.sql)
			env.Query = sql
			Classify(sql, s.Opts, &st)
			s.Route(&st, env) // warm the relation cache
			allocs := testing.AllocsPerRun(100, func() {
				Classify(sql, s.Opts, &st)
				s.Route(&st, env)
				e := st.Effect()
				s.CommandSucceeded(&e, 'T')
				s.Executed(&e, 'T')
			})
			if allocs != 0 {
				t.Errorf("%s: %v allocations per statement, want 0", bs.name, allocs)
			}
		}
	}
}
