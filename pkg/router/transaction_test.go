package router

import (
	"errors"
	"testing"
)

func TestClassifyTransactionStatements(t *testing.T) {
	cases := []struct {
		sql     string
		tx      TxEffect
		rewrite bool
		flags   Flags // additionally expected
	}{
		{"BEGIN", TxBegin, false, 0},
		{"begin work", TxBegin, false, 0},
		{"BEGIN TRANSACTION READ ONLY", TxBegin, false, 0},
		{"BEGIN READ WRITE", TxBegin, true, 0},
		{"BEGIN ISOLATION LEVEL SERIALIZABLE", TxBegin, true, 0},
		{"BEGIN ISOLATION LEVEL REPEATABLE READ", TxBegin, false, 0},
		{"BEGIN READ ONLY, READ WRITE", TxBegin, false, 0}, // the first READ option decides
		{"START TRANSACTION READ WRITE", TxBegin, true, 0},
		{"START TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY", TxBegin, true, 0},
		{"COMMIT", TxCommit, false, 0},
		{"END TRANSACTION", TxCommit, false, 0},
		{"ROLLBACK", TxRollback, false, 0},
		{"ABORT", TxRollback, false, 0},
		{"SAVEPOINT s", TxSavepoint, false, 0},
		{"RELEASE s", TxRelease, false, 0},
		{"ROLLBACK TO SAVEPOINT s", TxRollbackTo, false, 0},
		{"PREPARE TRANSACTION 'g'", TxPrepare, false, 0},
		{"COMMIT PREPARED 'g'", TxCommitPrepared, false, 0},
		{"ROLLBACK PREPARED 'g'", TxRollbackPrepared, false, 0},
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", TxNone, false, FlagSetSerializable},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", TxNone, false, FlagSetSerializable},
		{"SET default_transaction_isolation = 'SERIALIZABLE'", TxNone, false, FlagSetSerializable},
		{"SET TRANSACTION READ ONLY", TxNone, false, FlagSetReadOnly},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", TxNone, false, FlagSetReadOnly},
		{"SET transaction_read_only = on", TxNone, false, FlagSetReadOnly},
		{"SET transaction_read_only = 1", TxNone, false, FlagSetReadOnly},
	}
	for _, tc := range cases {
		var st Statement
		Classify([]byte(tc.sql), nil, &st)
		if st.Tx != tc.tx || st.Flags.Has(FlagBeginRewrite) != tc.rewrite || !st.Flags.Has(tc.flags) {
			t.Errorf("Classify(%q): tx %v rewrite %v flags %b, want tx %v rewrite %v flags ⊇ %b",
				tc.sql, st.Tx, st.Flags.Has(FlagBeginRewrite), st.Flags, tc.tx, tc.rewrite, tc.flags)
		}
	}
}

// TestWriteTracking follows §4.5 for each disable_load_balance_on_write
// mode: which reads go to the primary after a write.
func TestWriteTracking(t *testing.T) {
	type step struct {
		sql   string
		after byte // primary state in the ReadyForQuery after it
		want  NodeSet
	}
	lb := nodes(1)
	pr := nodes(0)
	both := nodes(0, 1)
	cases := []struct {
		name  string
		mode  LoadBalanceOnWrite
		steps []step
	}{
		{"transaction: reads after a write in a transaction go to the primary", WriteTransaction, []step{
			{"BEGIN", 'T', both},
			{"SELECT * FROM t", 'T', lb},
			{"UPDATE t SET a = 1", 'T', pr},
			{"SELECT * FROM t", 'T', pr},
			{"COMMIT", 'I', both},
			{"SELECT * FROM t", 'I', lb},
		}},
		{"transaction: autocommit writes do not matter", WriteTransaction, []step{
			{"UPDATE t SET a = 1", 'I', pr},
			{"SELECT * FROM t", 'I', lb},
			{"BEGIN", 'T', both},
			{"SELECT * FROM t", 'T', lb},
		}},
		{"transaction: a failed transaction reads from the primary", WriteTransaction, []step{
			{"BEGIN", 'T', both},
		}},
		{"off: reads stay balanced", WriteOff, []step{
			{"BEGIN", 'T', both},
			{"UPDATE t SET a = 1", 'T', pr},
			{"SELECT * FROM t", 'T', lb},
		}},
		{"trans_transaction: the flag survives COMMIT and BEGIN", WriteTransTransaction, []step{
			{"BEGIN", 'T', both},
			{"UPDATE t SET a = 1", 'T', pr},
			{"COMMIT", 'I', both},
			{"SELECT * FROM t", 'I', lb},
			{"BEGIN", 'T', both},
			{"SELECT * FROM t", 'T', pr},
		}},
		{"always: any write sends every later read to the primary", WriteAlways, []step{
			{"SELECT * FROM t", 'I', lb},
			{"UPDATE t SET a = 1", 'I', pr},
			{"SELECT * FROM t", 'I', pr},
			{"BEGIN", 'T', both},
			{"COMMIT", 'I', both},
			{"SELECT * FROM t", 'I', pr},
		}},
		{"always: a writing function counts as a write", WriteAlways, []step{
			{"SELECT nextval('s')", 'I', pr},
			{"SELECT * FROM t", 'I', pr},
		}},
		{"transaction: SET TRANSACTION READ ONLY is not a write", WriteTransaction, []step{
			{"BEGIN", 'T', both},
			{"SET TRANSACTION READ ONLY", 'T', both},
			{"SELECT * FROM t", 'T', lb},
		}},
		{"transaction: other SETs and SAVEPOINT count as writes", WriteTransaction, []step{
			{"BEGIN", 'T', both},
			{"SAVEPOINT a", 'T', both},
			{"SELECT * FROM t", 'T', pr},
		}},
		{"transaction: a second BEGIN forgets the writes (trap T17)", WriteTransaction, []step{
			{"BEGIN", 'T', both},
			{"UPDATE t SET a = 1", 'T', pr},
			{"BEGIN", 'T', both},
			{"SELECT * FROM t", 'T', lb},
		}},
		{"transaction: ROLLBACK TO keeps the writes made before it", WriteTransaction, []step{
			{"BEGIN", 'T', both},
			{"UPDATE t SET a = 1", 'T', pr},
			{"SAVEPOINT s", 'T', both},
			{"ROLLBACK TO s", 'T', both},
			{"SELECT * FROM t", 'T', pr},
		}},
		{"transaction: SET ... SERIALIZABLE keeps reads on the primary", WriteTransaction, []step{
			{"BEGIN", 'T', both},
			{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 'T', pr},
			{"SELECT * FROM t", 'T', pr},
			{"COMMIT", 'I', both},
			{"SELECT * FROM t", 'I', lb},
		}},
		{"transaction: reads are balanced when the primary says the transaction is not serializable", WriteTransaction, []step{
			{"BEGIN ISOLATION LEVEL SERIALIZABLE", 'T', both},
			{"SELECT * FROM t", 'T', lb},
		}},
		{"transaction: an EXECUTE counts as a write", WriteTransaction, []step{
			{"BEGIN", 'T', both},
			{"EXECUTE p", 'T', pr},
			{"SELECT * FROM t", 'T', pr},
		}},
		{"transaction: a leading comment makes a SELECT a write", WriteTransaction, []step{
			{"BEGIN", 'T', both},
			{"/* c */ SELECT 1", 'T', pr},
			{"SELECT * FROM t", 'T', pr},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestSession(t, func(o *Options) { o.DisableLoadBalanceOnWrite = tc.mode })
			for i, s := range tc.steps {
				if d := ts.run(t, s.sql, s.after); d.Nodes != s.want {
					t.Fatalf("step %d %q: nodes %v, want %v (reason %v)", i, s.sql, d.Nodes, s.want, d.Reason)
				}
			}
		})
	}
}

func TestWriteTrackingFailedTransaction(t *testing.T) {
	ts := newTestSession(t, nil)
	ts.run(t, "BEGIN", 'T')
	ts.s.ErrorReceived('T')
	ts.env.PrimaryTx = 'E'
	if d, _ := ts.route(t, "SELECT * FROM t"); d.Nodes != nodes(0) || d.Reason != ReasonTransaction {
		t.Fatalf("read in failed transaction: %v (%v), want primary", d.Nodes, d.Reason)
	}
	ts.run(t, "ROLLBACK", 'I')
	if d, _ := ts.route(t, "SELECT * FROM t"); d.Nodes != nodes(1) {
		t.Fatalf("read after ROLLBACK: %v, want LB node", d.Nodes)
	}
	// An error outside a transaction does not mark anything.
	ts.s.ErrorReceived('I')
	if ts.s.Failed {
		t.Fatal("error in autocommit marked the session failed")
	}
}

func TestWriteTrackingExtendedProtocol(t *testing.T) {
	ts := newTestSession(t, nil)
	// Parse+Bind+Execute of BEGIN, then of an UPDATE: tracked at Execute
	// with the primary's state before each statement.
	_, begin := ts.route(t, "BEGIN")
	ts.s.Executed(&begin, 'I')
	_, upd := ts.route(t, "UPDATE t SET a = $1")
	ts.s.Executed(&upd, 'T')
	if !ts.s.Writing {
		t.Fatal("Execute of UPDATE in a transaction did not mark it writing")
	}
	ts.env.PrimaryTx = 'T'
	if d, _ := ts.route(t, "SELECT * FROM t WHERE a = $1"); d.Nodes != nodes(0) {
		t.Fatalf("read after write: %v, want primary", d.Nodes)
	}
	_, commit := ts.route(t, "COMMIT")
	ts.s.Executed(&commit, 'T')
	ts.s.CommandSucceeded(&commit, 'T')
	if ts.s.Writing {
		t.Fatal("COMMIT did not clear the writing flag")
	}
}

func TestMultiStatementTransaction(t *testing.T) {
	ts := newTestSession(t, nil)
	d, _ := ts.route(t, "BEGIN; INSERT INTO t VALUES (1)")
	if d.Nodes != nodes(0) || d.Reason != ReasonMultiStatement {
		t.Fatalf("multi-statement query: %v (%v), want primary", d.Nodes, d.Reason)
	}
	ts.s.CommandTag([]byte("BEGIN"), true)
	ts.s.CommandTag([]byte("INSERT 0 1"), true)
	if d, _ := ts.route(t, "SAVEPOINT a"); d.Nodes != nodes(0) || d.Reason != ReasonMultiStatementTx {
		t.Fatalf("BOTH statement in a multi-statement transaction: %v (%v), want primary", d.Nodes, d.Reason)
	}
	ts.s.CommandTag([]byte("COMMIT"), false)
	if d, _ := ts.route(t, "SAVEPOINT a"); d.Nodes != nodes(0, 1) {
		t.Fatalf("BOTH statement after COMMIT: %v, want primary and LB node", d.Nodes)
	}
}

func TestBeginRewriteDestination(t *testing.T) {
	ts := newTestSession(t, nil)
	for sql, want := range map[string]bool{
		"BEGIN READ WRITE": true,
		"START TRANSACTION ISOLATION LEVEL SERIALIZABLE": true,
		"BEGIN":           false,
		"BEGIN READ ONLY": false,
	} {
		d, _ := ts.route(t, sql)
		if d.RewriteBegin != want || d.Nodes != nodes(0, 1) {
			t.Errorf("%q: rewrite %v nodes %v, want rewrite %v to primary and LB node", sql, d.RewriteBegin, d.Nodes, want)
		}
	}
}

func TestTempTableTrace(t *testing.T) {
	ts := newTestSession(t, func(o *Options) { o.CheckTempTable, o.DisableLoadBalanceOnWrite = TempTrace, WriteOff })
	ts.cat.temp = set() // the catalog would not be asked anyway
	ts.run(t, "CREATE TEMP TABLE tt (a int)", 'I')
	if d, _ := ts.route(t, "SELECT * FROM tt"); d.Reason != ReasonTempTable {
		t.Fatalf("read of traced temp table: %v (%v), want primary", d.Nodes, d.Reason)
	}
	ts.run(t, "BEGIN", 'T')
	ts.run(t, "DROP TABLE other_table", 'T')
	if d, _ := ts.route(t, "SELECT * FROM tt"); d.Reason != ReasonTempTable {
		t.Fatalf("DROP of another table forgot the temp table: %v", d.Reason)
	}
	ts.run(t, "DROP TABLE tt", 'T')
	ts.run(t, "ROLLBACK", 'I')
	if d, _ := ts.route(t, "SELECT * FROM tt"); d.Reason != ReasonTempTable {
		t.Fatalf("rolled back DROP forgot the temp table: %v", d.Reason)
	}
	ts.run(t, "BEGIN", 'T')
	ts.run(t, "CREATE TEMP TABLE t2 (a int)", 'T')
	ts.run(t, "ROLLBACK", 'I')
	if d, _ := ts.route(t, "SELECT * FROM t2"); d.Reason == ReasonTempTable {
		t.Fatal("rolled back CREATE TEMP TABLE is still traced")
	}
	ts.run(t, "DROP TABLE tt", 'I')
	if d, _ := ts.route(t, "SELECT * FROM tt"); d.Reason == ReasonTempTable {
		t.Fatal("dropped temp table is still traced")
	}
	if ts.cat.calls == 0 {
		t.Fatal("system catalog and unlogged checks were not made")
	}
}

func TestEffectOfExplain(t *testing.T) {
	ts := newTestSession(t, func(o *Options) { o.DisableLoadBalanceOnWrite = WriteAlways })
	// EXPLAIN runs nothing: not a write even with a volatile function.
	ts.run(t, "EXPLAIN SELECT nextval('s')", 'I')
	if ts.s.Writing {
		t.Fatal("EXPLAIN SELECT nextval() counted as a write")
	}
	ts.run(t, "EXPLAIN ANALYZE SELECT nextval('s')", 'I')
	if !ts.s.Writing {
		t.Fatal("EXPLAIN ANALYZE SELECT nextval() not counted as a write")
	}
}

// Pgpool-II asks the primary for the transaction's isolation level the
// first time a read in a transaction needs it (pool_get_transaction_
// isolation): BEGIN ISOLATION LEVEL SERIALIZABLE reaches the standbys as
// a plain BEGIN, and default_transaction_isolation may come from the
// role, the database or postgresql.conf.
func TestSerializableTransactionAsksThePrimary(t *testing.T) {
	ts := newTestSession(t, nil)
	ts.cat.serializable = true
	ts.run(t, "BEGIN ISOLATION LEVEL SERIALIZABLE", 'T')
	for i := range 2 {
		if d, _ := ts.route(t, "SELECT * FROM t"); d.Nodes != nodes(0) || d.Reason != ReasonTransaction {
			t.Fatalf("read %d in a serializable transaction: %v (%v), want primary", i, d.Nodes, d.Reason)
		}
	}
	if ts.cat.isolationCalls != 1 {
		t.Fatalf("asked the primary %d times in one transaction, want once", ts.cat.isolationCalls)
	}
	ts.run(t, "COMMIT", 'I')
	if d, _ := ts.route(t, "SELECT * FROM t"); d.Nodes != nodes(1) {
		t.Fatalf("read after COMMIT: %v, want LB node", d.Nodes)
	}
	if ts.cat.isolationCalls != 1 {
		t.Fatal("asked the primary outside a transaction")
	}

	ts.cat.serializable = false
	ts.run(t, "BEGIN", 'T')
	for i := range 2 {
		if d, _ := ts.route(t, "SELECT * FROM t"); d.Nodes != nodes(1) {
			t.Fatalf("read %d in a read committed transaction: %v (%v), want LB node", i, d.Nodes, d.Reason)
		}
	}
	if ts.cat.isolationCalls != 2 {
		t.Fatalf("asked the primary %d times for two transactions, want 2", ts.cat.isolationCalls)
	}
	// SET TRANSACTION ISOLATION LEVEL SERIALIZABLE answers it without asking.
	ts.run(t, "ROLLBACK", 'I')
	ts.run(t, "BEGIN", 'T')
	ts.run(t, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 'T')
	if d, _ := ts.route(t, "SELECT * FROM t"); d.Nodes != nodes(0) {
		t.Fatalf("read after SET TRANSACTION ... SERIALIZABLE: %v, want primary", d.Nodes)
	}
	if ts.cat.isolationCalls != 2 {
		t.Fatal("asked the primary after SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
	}
	// A failed lookup sends the read to the primary.
	ts.run(t, "ROLLBACK", 'I')
	ts.run(t, "BEGIN", 'T')
	ts.cat.fail = errors.New("connection lost")
	Classify([]byte("SELECT * FROM t"), ts.s.Opts, &ts.st)
	if d, err := ts.s.Route(&ts.st, &ts.env); err == nil || d.Nodes != nodes(0) {
		t.Fatalf("failed isolation lookup: %v, %v; want the primary and the error", d.Nodes, err)
	}
}
