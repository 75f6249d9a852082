package router

import (
	"errors"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// TestRouteSteps has a case per step of the decision procedure (§4.4).
func TestRouteSteps(t *testing.T) {
	cases := []struct {
		name   string
		mod    func(o *Options)
		setup  func(t *testing.T, ts *testSession)
		sql    string
		want   NodeSet
		reason Reason
	}{
		{name: "step 2: primary class", sql: "INSERT INTO t VALUES (1)", want: nodes(0), reason: ReasonPrimaryClass},
		{name: "step 3: both class goes to primary and LB node", sql: "SET search_path = x", want: nodes(0, 1), reason: ReasonBoth},
		{name: "step 3: both class with load balancing off goes to the primary",
			mod: func(o *Options) { o.LoadBalanceMode = false }, sql: "SET a = 1", want: nodes(0), reason: ReasonBoth},
		{name: "step 3: both class with statement-level balancing goes everywhere",
			mod: func(o *Options) { o.StatementLevelLoadBalance = true }, sql: "SET a = 1", want: nodes(0, 1, 2), reason: ReasonBoth},
		{name: "step 3: statement-level balancing with LB off still primary only (T21)",
			mod: func(o *Options) { o.StatementLevelLoadBalance, o.LoadBalanceMode = true, false }, sql: "BEGIN", want: nodes(0), reason: ReasonBoth},
		{name: "step 4: writing transaction with always", mod: func(o *Options) { o.DisableLoadBalanceOnWrite = WriteAlways },
			setup: func(t *testing.T, ts *testSession) { ts.s.Writing = true }, sql: "SELECT 1", want: nodes(0), reason: ReasonWritingAlways},
		{name: "step 5.1: load_balance_mode off", mod: func(o *Options) { o.LoadBalanceMode = false },
			sql: "SELECT 1", want: nodes(0), reason: ReasonLoadBalanceOff},
		{name: "step 5.2: not a read (COPY TO file)", sql: "COPY t TO '/tmp/f'", want: nodes(0), reason: ReasonNotSelect},
		{name: "step 5.2: leading comment", sql: "/*NO LOAD BALANCE*/ SELECT 1", want: nodes(0), reason: ReasonNotSelect},
		{name: "step 5.2: comment allowed with allow_sql_comments", mod: func(o *Options) { o.AllowSQLComments = true },
			sql: "/*NO LOAD BALANCE*/ SELECT 1", want: nodes(1), reason: ReasonLoadBalance},
		{name: "step 5.3: protocol 2", setup: func(t *testing.T, ts *testSession) { ts.env.ProtoMajor = 2 },
			sql: "SELECT 1", want: nodes(0), reason: ReasonProtocol},
		{name: "step 5.4: writing transaction", setup: func(t *testing.T, ts *testSession) { ts.env.PrimaryTx, ts.s.Writing = 'T', true },
			sql: "SELECT 1", want: nodes(0), reason: ReasonTransaction},
		{name: "step 5.4: idle primary ignores stale flags", setup: func(t *testing.T, ts *testSession) { ts.s.Writing = true },
			sql: "SELECT 1", want: nodes(1), reason: ReasonLoadBalance},
		{name: "step 5.4: serializable transaction", setup: func(t *testing.T, ts *testSession) { ts.env.PrimaryTx, ts.s.Serializable = 'T', true },
			sql: "SELECT 1", want: nodes(0), reason: ReasonTransaction},
		{name: "step 5.5: system catalog", sql: "SELECT * FROM pg_catalog.pg_class", want: nodes(0), reason: ReasonSystemCatalog},
		{name: "step 5.6: temporary table (catalog)", sql: "SELECT * FROM tmp1", want: nodes(0), reason: ReasonTempTable},
		{name: "step 5.6: check_temp_table = none", mod: func(o *Options) { o.CheckTempTable = TempNone },
			sql: "SELECT * FROM tmp1", want: nodes(1), reason: ReasonLoadBalance},
		{name: "step 5.7: unlogged table", sql: "SELECT * FROM ul", want: nodes(0), reason: ReasonUnloggedTable},
		{name: "step 5.7: check_unlogged_table off", mod: func(o *Options) { o.CheckUnloggedTable = false },
			sql: "SELECT * FROM ul", want: nodes(1), reason: ReasonLoadBalance},
		{name: "step 5.8: primary_routing_query_pattern_list, quotes stripped",
			mod: func(o *Options) {
				o.PrimaryRoutingQueryPatterns = patterns(t, `SELECT \* FROM t1\;`, `SELECT .* FROM audit.*`)
			},
			sql: `SELECT * FROM "audit_log"`, want: nodes(0), reason: ReasonPattern},
		{name: "step 5.9: volatile function", sql: "SELECT nextval('s')", want: nodes(0), reason: ReasonWritingFunction},
		{name: "step 5.9: stable function is fine", sql: "SELECT now()", want: nodes(1), reason: ReasonLoadBalance},
		{name: "step 5.9: write_function_list", mod: func(o *Options) { o.WriteFunctions = patterns(t, "now") },
			sql: "SELECT now()", want: nodes(0), reason: ReasonWritingFunction},
		{name: "step 5.9: read_only_function_list makes unlisted functions writing (T14)",
			mod: func(o *Options) { o.ReadOnlyFunctions = patterns(t, "now") },
			sql: "SELECT count(*) FROM t", want: nodes(0), reason: ReasonWritingFunction},
		{name: "step 5.9: read_only_function_list needs the schema for qualified calls",
			mod: func(o *Options) { o.ReadOnlyFunctions = patterns(t, "now", "pg_catalog\\.now") },
			sql: "SELECT pg_catalog.now(), now()", want: nodes(1), reason: ReasonLoadBalance},
		{name: "step 5.10: dml_adaptive table written earlier", mod: func(o *Options) { o.DisableLoadBalanceOnWrite = WriteDMLAdaptive },
			setup: func(t *testing.T, ts *testSession) {
				ts.run(t, "BEGIN", 'T')
				ts.run(t, "UPDATE t SET a = 1", 'T')
			}, sql: "SELECT * FROM T", want: nodes(0), reason: ReasonDMLAdaptive},
		{name: "step 5.10: dml_adaptive other table balanced", mod: func(o *Options) { o.DisableLoadBalanceOnWrite = WriteDMLAdaptive },
			setup: func(t *testing.T, ts *testSession) {
				ts.run(t, "BEGIN", 'T')
				ts.run(t, "UPDATE t SET a = 1", 'T')
			}, sql: "SELECT * FROM u", want: nodes(1), reason: ReasonLoadBalance},
		{name: "step 5.10: dml_adaptive relationship list", mod: func(o *Options) {
			o.DisableLoadBalanceOnWrite = WriteDMLAdaptive
			o.DMLAdaptiveRelations, _ = config.ParseObjectRelationshipList("t:t_summary, refresh():stats")
		}, setup: func(t *testing.T, ts *testSession) {
			ts.run(t, "BEGIN", 'T')
			ts.run(t, "INSERT INTO t VALUES (1)", 'T')
		}, sql: "SELECT * FROM t_summary", want: nodes(0), reason: ReasonDMLAdaptive},
		{name: "step 5.10: dml_adaptive forgets after COMMIT", mod: func(o *Options) { o.DisableLoadBalanceOnWrite = WriteDMLAdaptive },
			setup: func(t *testing.T, ts *testSession) {
				ts.run(t, "BEGIN", 'T')
				ts.run(t, "UPDATE t SET a = 1", 'T')
				ts.run(t, "COMMIT", 'I')
			}, sql: "SELECT * FROM t", want: nodes(1), reason: ReasonLoadBalance},
		{name: "step 6: statement-level balancing draws a node per read", mod: func(o *Options) { o.StatementLevelLoadBalance = true },
			setup: func(t *testing.T, ts *testSession) { ts.s.Rand, ts.env.Cluster.Nodes[2].Weight = seq(0.9, 0.9), 1 }, sql: "SELECT 1", want: nodes(2), reason: ReasonLoadBalance},
		{name: "step 7: LB node over delay_threshold: primary", mod: func(o *Options) { o.DelayThreshold = 100 },
			setup: func(t *testing.T, ts *testSession) { ts.env.Cluster.Nodes[1].Delay = 101 }, sql: "SELECT 1", want: nodes(0), reason: ReasonDelay},
		{name: "step 7: at the threshold is not over", mod: func(o *Options) { o.DelayThreshold = 100 },
			setup: func(t *testing.T, ts *testSession) { ts.env.Cluster.Nodes[1].Delay = 100 }, sql: "SELECT 1", want: nodes(1), reason: ReasonLoadBalance},
		{name: "step 7: delay_threshold_by_time (ms vs µs)", mod: func(o *Options) { o.DelayThresholdByTime = 5 },
			setup: func(t *testing.T, ts *testSession) {
				ts.env.Cluster.Nodes[1].Delay, ts.env.Cluster.Nodes[1].DelayByTime = 5001, true
			},
			sql: "SELECT 1", want: nodes(0), reason: ReasonDelay},
		{name: "step 7: prefer_lower_delay_standby moves to the least delayed standby",
			mod: func(o *Options) { o.DelayThreshold, o.PreferLowerDelayStandby = 100, true },
			setup: func(t *testing.T, ts *testSession) {
				ts.env.Cluster.Nodes[1].Delay = 500
				ts.env.Cluster.Nodes[2].Weight = 1
				ts.env.Cluster.Nodes[2].Delay = 10
			}, sql: "SELECT 1", want: nodes(2), reason: ReasonLoadBalance},
		{name: "step 7 after the writing-function check (bug 798)",
			mod: func(o *Options) { o.DelayThreshold, o.PreferLowerDelayStandby = 100, true },
			setup: func(t *testing.T, ts *testSession) {
				ts.env.Cluster.Nodes[1].Delay = 500
				ts.env.Cluster.Nodes[2].Weight = 1
			}, sql: "SELECT nextval('s')", want: nodes(0), reason: ReasonWritingFunction},
		{name: "step 8: the session LB node", sql: "SELECT abalance FROM pgbench_accounts WHERE aid = $1", want: nodes(1), reason: ReasonLoadBalance},
		{name: "empty query is balanced", sql: "", want: nodes(1), reason: ReasonLoadBalance},
		{name: "unparseable query goes to the primary", sql: "SELEC 1", want: nodes(0), reason: ReasonPrimaryClass},
		{name: "EXPLAIN goes to the primary (T1)", sql: "EXPLAIN SELECT 1", want: nodes(0), reason: ReasonPrimaryClass},
		{name: "SHOW is balanced", sql: "SHOW TRANSACTION ISOLATION LEVEL", want: nodes(1), reason: ReasonLoadBalance},
		{name: "DEALLOCATE ALL goes to primary and LB node", sql: "DEALLOCATE ALL", want: nodes(0, 1), reason: ReasonBoth},
		{name: "pg_terminate_backend of a pooled backend goes to its node",
			setup: func(t *testing.T, ts *testSession) { ts.env.TerminateNode = 2 }, sql: "SELECT pg_terminate_backend(4711)", want: nodes(2), reason: ReasonTerminateBackend},
		{name: "pg_terminate_backend of another backend is a writing function",
			sql: "SELECT pg_terminate_backend(4711)", want: nodes(0), reason: ReasonWritingFunction},
		{name: "no primary: the main node stands in", setup: func(t *testing.T, ts *testSession) {
			ts.env.Cluster.PrimaryID = -1
			ts.env.Cluster.MainID = 0
		}, sql: "INSERT INTO t VALUES (1)", want: nodes(0), reason: ReasonPrimaryClass},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestSession(t, tc.mod)
			if tc.setup != nil {
				tc.setup(t, ts)
			}
			d, _ := ts.route(t, tc.sql)
			if d.Nodes != tc.want || d.Reason != tc.reason {
				t.Errorf("Route(%q) = %v (%v), want %v (%v)", tc.sql, d.Nodes, d.Reason, tc.want, tc.reason)
			}
		})
	}
}

func TestRoutePreparedStatements(t *testing.T) {
	ts := newTestSession(t, nil)
	d, e := ts.route(t, "PREPARE q AS SELECT * FROM t WHERE a = $1")
	if d.Nodes != nodes(1) {
		t.Fatalf("PREPARE of a read: %v, want LB node", d.Nodes)
	}
	p := &Prepared{Dest: d, SQL: true, Effect: e}
	ts.env.Prepared = p
	if d, _ := ts.route(t, "EXECUTE q(1)"); d.Nodes != nodes(1) || d.Reason != ReasonPrepared {
		t.Fatalf("EXECUTE follows PREPARE: %v (%v)", d.Nodes, d.Reason)
	}
	if d, _ := ts.route(t, "DEALLOCATE q"); d.Nodes != nodes(1) || d.Reason != ReasonPrepared {
		t.Fatalf("DEALLOCATE follows PREPARE: %v (%v)", d.Nodes, d.Reason)
	}
	// In a writing transaction, an EXECUTE of a statement prepared on a
	// standby must be prepared on the primary first.
	ts.env.PrimaryTx, ts.s.Writing = 'T', true
	if d, _ := ts.route(t, "EXECUTE q(1)"); d.Nodes != nodes(0) || !d.PrepareOnPrimary {
		t.Fatalf("EXECUTE in writing transaction: %v prepare-on-primary %v", d.Nodes, d.PrepareOnPrimary)
	}
	ts.env.Prepared = nil
	if d, _ := ts.route(t, "EXECUTE unknown"); d.Nodes != nodes(0) || d.Reason != ReasonUnknownPrepared {
		t.Fatalf("EXECUTE of unknown name: %v (%v)", d.Nodes, d.Reason)
	}
	if d, _ := ts.route(t, "DEALLOCATE unknown"); d.Nodes != nodes(0) {
		t.Fatalf("DEALLOCATE of unknown name: %v", d.Nodes)
	}
}

func TestRouteNamedParseWithDMLAdaptive(t *testing.T) {
	ts := newTestSession(t, func(o *Options) { o.DisableLoadBalanceOnWrite = WriteDMLAdaptive })
	ts.env.NamedParse = true
	if d, _ := ts.route(t, "SELECT * FROM t"); !d.RerouteAtBind || d.Nodes != nodes(1) {
		t.Fatalf("named Parse of a read with dml_adaptive: run on %v, reroute %v; want the LB node, routed again at Bind", d.Nodes, d.RerouteAtBind)
	}
	if d, _ := ts.route(t, "INSERT INTO t VALUES (1)"); !d.RerouteAtBind || d.Nodes != nodes(0) {
		t.Fatalf("named Parse of a write with dml_adaptive: run on %v, reroute %v; want the primary, routed again at Bind", d.Nodes, d.RerouteAtBind)
	}
	ts.env.NamedParse = false
	if d, _ := ts.route(t, "SELECT * FROM t"); d.RerouteAtBind {
		t.Fatal("unnamed Parse with dml_adaptive is routed again at Bind")
	}
}

func TestRouteCatalogError(t *testing.T) {
	ts := newTestSession(t, nil)
	ts.cat.fail = errors.New("connection reset")
	Classify([]byte("SELECT * FROM t"), ts.s.Opts, &ts.st)
	d, err := ts.s.Route(&ts.st, &ts.env)
	if err == nil || d.Nodes != nodes(0) || d.Reason != ReasonCatalogError {
		t.Fatalf("catalog failure: %v (%v) err %v, want primary and an error", d.Nodes, d.Reason, err)
	}
}

func TestRouteCachesLookups(t *testing.T) {
	ts := newTestSession(t, nil)
	for i := 0; i < 3; i++ {
		ts.route(t, "SELECT abalance FROM pgbench_accounts WHERE aid = $1")
	}
	if ts.cat.calls != 1 {
		t.Fatalf("pgbench SELECT made %d catalog queries, want 1 (cached): %q", ts.cat.calls, ts.cat.queries)
	}
	// A new session re-checks temporary tables (they are per session).
	ts.s.Start(ts.env.Cluster)
	ts.route(t, "SELECT abalance FROM pgbench_accounts WHERE aid = $1")
	if ts.cat.calls != 2 {
		t.Fatalf("new session: %d catalog queries, want 2", ts.cat.calls)
	}
}

func TestSkipIdle(t *testing.T) {
	d := Destination{Nodes: nodes(0, 1, 2)}
	state := map[int]byte{0: 'T', 1: 'I', 2: 'T'}
	d.SkipIdle(TxCommit, 0, func(n int) byte { return state[n] })
	if d.Nodes != nodes(0, 2) {
		t.Fatalf("COMMIT to idle standby not skipped: %v", d.Nodes)
	}
	d = Destination{Nodes: nodes(0, 1)}
	state[0] = 'I'
	d.SkipIdle(TxRollback, 0, func(n int) byte { return state[n] })
	if d.Nodes != nodes(0) {
		t.Fatalf("primary must keep the ROLLBACK even when idle: %v", d.Nodes)
	}
	d = Destination{Nodes: nodes(0, 1)}
	d.SkipIdle(TxBegin, 0, func(n int) byte { return 'I' })
	if d.Nodes != nodes(0, 1) {
		t.Fatalf("BEGIN lost nodes: %v", d.Nodes)
	}
}

func TestNeedsParseOnPrimary(t *testing.T) {
	ts := newTestSession(t, nil)
	parsed := Destination{Nodes: nodes(1)}
	if ts.s.NeedsParseOnPrimary(&parsed, &ts.env) {
		t.Fatal("re-parse requested outside a writing transaction")
	}
	ts.s.Writing, ts.env.PrimaryTx = true, 'T'
	if !ts.s.NeedsParseOnPrimary(&parsed, &ts.env) {
		t.Fatal("no re-parse for a standby statement in a writing transaction")
	}
	onPrimary := Destination{Nodes: nodes(0, 1)}
	if ts.s.NeedsParseOnPrimary(&onPrimary, &ts.env) {
		t.Fatal("re-parse requested for a statement already on the primary")
	}
}
