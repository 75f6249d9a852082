package routing

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// pgbenchTables are the tables pgbench -i creates.
var pgbenchTables = []string{"pgbench_accounts", "pgbench_branches", "pgbench_history", "pgbench_tellers"}

// The seed tutorial, "Testing Replication": pgbench -i through pgpoold
// creates the tables on the primary and they appear on the standby; after
// a TPC-B run through pgpoold both nodes hold the same balances.
func TestTutorialReplication(t *testing.T) {
	cluster.Reset(t)
	p := startPool(t, "", 12, nil)

	pgbench(t, p, "-i", "-q")
	waitReplay(t)
	for _, n := range cluster.Nodes() {
		var got string
		if err := n.QueryRow(`select string_agg(relname, ',' order by relname) from pg_class
			where relname like 'pgbench\_%' and relkind = 'r'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := strings.Join(pgbenchTables, ","); got != want {
			t.Errorf("%s has tables %q after pgbench -i through pgpoold, want %q", n.Name(), got, want)
		}
		var rows int64
		if err := n.QueryRow("select count(*) from pgbench_accounts").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 100000 {
			t.Errorf("%s: pgbench_accounts has %d rows, want 100000", n.Name(), rows)
		}
	}

	out := pgbench(t, p, "-c", "4", "-j", "2", "-T", "10")
	n := processed(t, out)
	if n == 0 {
		t.Fatalf("pgbench ran no transaction:\n%s", out)
	}
	waitReplay(t)
	// Each TPC-B transaction adds delta to one account and logs it in
	// pgbench_history: on every node the balances must add up to the
	// history, and the nodes must agree.
	sums := make([]string, len(cluster.Nodes()))
	for i, node := range cluster.Nodes() {
		var abalance, delta, hist int64
		if err := node.QueryRow(`select (select coalesce(sum(abalance), 0) from pgbench_accounts),
			(select coalesce(sum(delta), 0) from pgbench_history), (select count(*) from pgbench_history)`).Scan(&abalance, &delta, &hist); err != nil {
			t.Fatal(err)
		}
		if uint64(hist) != n {
			t.Errorf("%s: pgbench_history has %d rows, pgbench reported %d transactions", node.Name(), hist, n)
		}
		if abalance != delta {
			t.Errorf("%s: sum(abalance) = %d, but the history's deltas add up to %d", node.Name(), abalance, delta)
		}
		sums[i] = fmt.Sprint(abalance, "/", hist)
	}
	if sums[primary] != sums[standby] {
		t.Errorf("sum(abalance)/history rows: primary %s, standby %s", sums[primary], sums[standby])
	}
}

// The seed tutorial, "Testing Load Balance": with weights 1:1 the
// SELECTs of pgbench -S are shared evenly between the nodes, and SHOW
// pool_nodes counts every one of them.
//
// Pgpool picks the load-balance node once per session (reference §4.2),
// so with 10 long pgbench sessions the split is the luck of 10 coin
// tosses (3:7 is common) and "within 10 %" cannot be asserted of it. With
// -C every transaction, one SELECT, is a session of its own: the number
// of SELECTs the standby gets is Binomial(N, 1/2). The test asserts the
// issue's "within 10 % of each other", |a−b| ≤ 0.1·max(a, b), which with
// a+b = N means |a−b| ≤ N/19. For N = 10000 sessions the standard
// deviation of a−b is √N = 100, so the bound is 5.26 σ: a correct pgpoold
// fails it once in about seven million runs. A pgpoold that ignored the
// weights, always picked the same node, or picked per child process
// instead of per session would fail it every time.
func TestTutorialLoadBalance(t *testing.T) {
	cluster.Reset(t)
	p := startPool(t, "", 12, nil)
	pgbench(t, p, "-i", "-q")
	waitReplay(t)

	t.Run("weights 1:1 share sessions evenly", func(t *testing.T) {
		before := counters(t, p, "show pool_nodes", "select_cnt")
		const clients, perClient = 10, 1000
		out := pgbench(t, p, "-C", "-n", "-c", fmt.Sprint(clients), "-j", "2", "-S", "-t", fmt.Sprint(perClient))
		n := processed(t, out)
		if n != clients*perClient {
			t.Fatalf("pgbench processed %d transactions, want %d:\n%s", n, clients*perClient, out)
		}
		after := counters(t, p, "show pool_nodes", "select_cnt")
		a, b := after[primary][0]-before[primary][0], after[standby][0]-before[standby][0]
		t.Logf("select_cnt: primary %d, standby %d (%d pgbench transactions)", a, b, n)
		// pgbench itself sends two SELECTs before the run (the scale,
		// from pgbench_branches, and a pg_catalog query for partitions).
		if a+b < n || a+b > n+2 {
			t.Errorf("select_cnt went up by %d + %d = %d, want the %d SELECTs pgbench ran (+2 of its own)", a, b, a+b, n)
		}
		d := math.Abs(float64(a) - float64(b))
		if d > 0.1*float64(max(a, b)) {
			t.Errorf("select_cnt primary %d, standby %d: not within 10 %% of each other", a, b)
		}
	})

	t.Run("weights 1:1 sessions keep their node", func(t *testing.T) {
		// The issue's own command: 10 long sessions. Every SELECT is
		// counted once, on one node.
		before := counters(t, p, "show pool_nodes", "select_cnt")
		out := pgbench(t, p, "-n", "-c", "10", "-j", "2", "-S", "-T", "5")
		n := processed(t, out)
		after := counters(t, p, "show pool_nodes", "select_cnt")
		a, b := after[primary][0]-before[primary][0], after[standby][0]-before[standby][0]
		t.Logf("select_cnt: primary %d, standby %d (%d pgbench transactions)", a, b, n)
		if a+b < n || a+b > n+2 {
			t.Errorf("select_cnt went up by %d + %d = %d, want the %d SELECTs pgbench ran (+2 of its own)", a, b, a+b, n)
		}
	})

	t.Run("weights 0:1 send every SELECT to the standby", func(t *testing.T) {
		q := startPool(t, "", 12, map[string]string{"backend_weight0": "0"})
		before := counters(t, q, "show pool_nodes", "select_cnt")
		out := pgbench(t, q, "-n", "-c", "10", "-j", "2", "-S", "-T", "5")
		n := processed(t, out)
		after := counters(t, q, "show pool_nodes", "select_cnt")
		a, b := after[primary][0]-before[primary][0], after[standby][0]-before[standby][0]
		t.Logf("select_cnt: primary %d, standby %d (%d pgbench transactions)", a, b, n)
		// Only pgbench's pg_catalog query may reach the primary (§4.4
		// step 5.5: system catalogs are read on the primary).
		if a > 1 {
			t.Errorf("primary got %d SELECTs with backend_weight0 = 0, want at most pgbench's catalog query", a)
		}
		if b < n || b > n+1 {
			t.Errorf("standby select_cnt went up by %d, want the %d SELECTs pgbench ran (+1 of its own)", b, n)
		}
	})
}
