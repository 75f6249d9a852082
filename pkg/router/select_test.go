package router

import "testing"

// TestClassifyTable has one or more cases for every row of the
// classification table (reference §4.3) and the extra rules after it.
func TestClassifyTable(t *testing.T) {
	type want struct {
		class    Class
		kind     Kind
		isSelect bool
	}
	cases := []struct {
		name string
		sql  string
		want want
	}{
		{"plain SELECT is a load-balance candidate", "SELECT * FROM t WHERE a = 1", want{ClassEither, KindSelect, true}},
		{"WITH of SELECTs is a candidate", "WITH x AS (SELECT 1) SELECT * FROM x", want{ClassEither, KindSelect, true}},
		{"SELECT INTO goes to the primary", "SELECT * INTO newt FROM t", want{ClassPrimary, KindSelect, false}},
		{"SELECT FOR UPDATE goes to the primary", "SELECT * FROM t FOR UPDATE", want{ClassPrimary, KindSelect, false}},
		{"SELECT FOR SHARE goes to the primary", "SELECT * FROM t FOR SHARE", want{ClassPrimary, KindSelect, false}},
		{"SELECT FOR NO KEY UPDATE goes to the primary", "SELECT * FROM t FOR NO KEY UPDATE", want{ClassPrimary, KindSelect, false}},
		{"SELECT FOR KEY SHARE goes to the primary", "SELECT * FROM t FOR KEY SHARE", want{ClassPrimary, KindSelect, false}},
		{"FOR UPDATE in a subquery goes to the primary but is still a read by syntax",
			"SELECT * FROM (SELECT * FROM t FOR UPDATE) s", want{ClassPrimary, KindSelect, true}},
		{"WITH INSERT goes to the primary", "WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x", want{ClassPrimary, KindSelect, false}},
		{"WITH UPDATE goes to the primary", "WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM x", want{ClassPrimary, KindSelect, false}},
		{"WITH DELETE goes to the primary", "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", want{ClassPrimary, KindSelect, false}},
		{"COPY FROM goes to the primary", "COPY t FROM STDIN", want{ClassPrimary, KindDDL, false}},
		{"COPY TO STDOUT is a candidate", "COPY t TO STDOUT", want{ClassEither, KindDDL, true}},
		{"COPY (SELECT) TO STDOUT is a candidate", "COPY (SELECT * FROM t) TO STDOUT", want{ClassEither, KindDDL, true}},
		{"COPY TO a file is a candidate that fails the read test", "COPY t TO '/tmp/x'", want{ClassEither, KindDDL, false}},
		{"LOCK without mode is ACCESS EXCLUSIVE: primary", "LOCK t", want{ClassPrimary, KindOther, false}},
		{"LOCK ROW EXCLUSIVE: primary", "LOCK TABLE t IN ROW EXCLUSIVE MODE", want{ClassPrimary, KindOther, false}},
		{"LOCK ROW SHARE: both", "LOCK TABLE t IN ROW SHARE MODE", want{ClassBoth, KindOther, false}},
		{"LOCK ACCESS SHARE: both", "LOCK TABLE t IN ACCESS SHARE MODE", want{ClassBoth, KindOther, false}},
		{"BEGIN: both", "BEGIN", want{ClassBoth, KindOther, false}},
		{"START TRANSACTION with options: both", "START TRANSACTION ISOLATION LEVEL SERIALIZABLE", want{ClassBoth, KindOther, false}},
		{"SAVEPOINT: both", "SAVEPOINT a", want{ClassBoth, KindOther, false}},
		{"RELEASE: both", "RELEASE SAVEPOINT a", want{ClassBoth, KindOther, false}},
		{"ROLLBACK TO: both", "ROLLBACK TO a", want{ClassBoth, KindOther, false}},
		{"PREPARE TRANSACTION: primary", "PREPARE TRANSACTION 'x'", want{ClassPrimary, KindOther, false}},
		{"COMMIT PREPARED: primary", "COMMIT PREPARED 'x'", want{ClassPrimary, KindOther, false}},
		{"ROLLBACK PREPARED: primary", "ROLLBACK PREPARED 'x'", want{ClassPrimary, KindOther, false}},
		{"COMMIT: both", "COMMIT", want{ClassBoth, KindOther, false}},
		{"END: both", "END", want{ClassBoth, KindOther, false}},
		{"ROLLBACK: both", "ROLLBACK", want{ClassBoth, KindOther, false}},
		{"ABORT: both", "ABORT", want{ClassBoth, KindOther, false}},
		{"SET transaction_read_only = off: primary", "SET transaction_read_only = off", want{ClassPrimary, KindOther, false}},
		{"SET transaction_read_only = f: primary", "SET transaction_read_only TO f", want{ClassPrimary, KindOther, false}},
		{"SET transaction_read_only = false: primary", "SET transaction_read_only = 'false'", want{ClassPrimary, KindOther, false}},
		{"SET transaction_read_only = 0: primary", "SET transaction_read_only = 0", want{ClassPrimary, KindOther, false}},
		{"SET transaction_read_only = on: both", "SET transaction_read_only = on", want{ClassBoth, KindOther, false}},
		{"SET TRANSACTION READ WRITE: primary", "SET TRANSACTION READ WRITE", want{ClassPrimary, KindOther, false}},
		{"SET SESSION CHARACTERISTICS READ WRITE: primary", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", want{ClassPrimary, KindOther, false}},
		{"SET TRANSACTION SERIALIZABLE: primary", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", want{ClassPrimary, KindOther, false}},
		{"SET transaction_isolation = serializable: primary", "SET transaction_isolation = 'serializable'", want{ClassPrimary, KindOther, false}},
		{"SET default_transaction_isolation = serializable: primary", "SET default_transaction_isolation TO serializable", want{ClassPrimary, KindOther, false}},
		{"SET TRANSACTION READ ONLY: both", "SET TRANSACTION READ ONLY", want{ClassBoth, KindOther, false}},
		{"other SET: both", "SET search_path TO a, b", want{ClassBoth, KindOther, false}},
		{"RESET: both", "RESET ALL", want{ClassBoth, KindOther, false}},
		{"DISCARD: both", "DISCARD ALL", want{ClassBoth, KindOther, false}},
		{"PREPARE takes its body's class: select", "PREPARE p AS SELECT 1", want{ClassEither, KindOther, true}},
		{"PREPARE takes its body's class: insert", "PREPARE p AS INSERT INTO t VALUES (1)", want{ClassPrimary, KindOther, false}},
		{"PREPARE of SELECT FOR UPDATE is primary", "PREPARE p AS SELECT * FROM t FOR UPDATE", want{ClassPrimary, KindOther, false}},
		{"EXECUTE is resolved by Route", "EXECUTE p", want{ClassPrimary, KindOther, false}},
		{"DEALLOCATE is resolved by Route", "DEALLOCATE p", want{ClassPrimary, KindOther, false}},
		{"SHOW is a candidate", "SHOW search_path", want{ClassEither, KindOther, true}},
		{"INSERT: primary", "INSERT INTO t VALUES (1)", want{ClassPrimary, KindInsert, false}},
		{"UPDATE: primary", "UPDATE t SET a = 1", want{ClassPrimary, KindUpdate, false}},
		{"DELETE: primary", "DELETE FROM t", want{ClassPrimary, KindDelete, false}},
		{"MERGE: primary, counted as ddl", "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", want{ClassPrimary, KindDDL, false}},
		{"CREATE TABLE: primary", "CREATE TABLE x (a int)", want{ClassPrimary, KindDDL, false}},
		{"TRUNCATE: primary", "TRUNCATE t", want{ClassPrimary, KindDDL, false}},
		{"VACUUM: primary, counted as other", "VACUUM t", want{ClassPrimary, KindOther, false}},
		{"ANALYZE: primary", "ANALYZE t", want{ClassPrimary, KindOther, false}},
		{"CHECKPOINT: primary", "CHECKPOINT", want{ClassPrimary, KindOther, false}},
		{"LISTEN: primary", "LISTEN c", want{ClassPrimary, KindOther, false}},
		{"UNLISTEN: primary", "UNLISTEN *", want{ClassPrimary, KindOther, false}},
		{"NOTIFY: primary", "NOTIFY c, 'x'", want{ClassPrimary, KindOther, false}},
		{"DECLARE CURSOR: primary", "DECLARE c CURSOR FOR SELECT 1", want{ClassPrimary, KindDDL, false}},
		{"FETCH: primary", "FETCH 1 FROM c", want{ClassPrimary, KindDDL, false}},
		{"CALL: primary", "CALL p()", want{ClassPrimary, KindDDL, false}},
		{"DO: primary", "DO $$BEGIN END$$", want{ClassPrimary, KindDDL, false}},
		{"EXPLAIN: primary although a read by syntax (trap T1)", "EXPLAIN SELECT 1", want{ClassPrimary, KindOther, true}},
		{"EXPLAIN ANALYZE UPDATE is not a read", "EXPLAIN ANALYZE UPDATE t SET a = 1", want{ClassPrimary, KindOther, false}},
		{"VALUES is a candidate but fails the first-character test", "VALUES (1)", want{ClassEither, KindSelect, false}},
		{"TABLE passes the first-character test", "TABLE t", want{ClassEither, KindSelect, true}},
		{"parenthesised SELECT passes", "(SELECT 1)", want{ClassEither, KindSelect, true}},
		{"unparseable: a dummy DELETE on the primary", "SELEC 1", want{ClassPrimary, KindDelete, false}},
		{"empty: a dummy SELECT, balanced", "", want{ClassEither, KindSelect, true}},
		{"only a semicolon: balanced", ";", want{ClassEither, KindSelect, true}},
		{"only white space: balanced", "  \n ", want{ClassEither, KindSelect, true}},
		{"only a comment: dummy SELECT failing the first-character test", "-- x", want{ClassEither, KindSelect, false}},
		{"leading comment keeps a SELECT on the primary (trap T2)", "/*NO LOAD BALANCE*/ SELECT 1", want{ClassEither, KindSelect, false}},
		{"leading white space is ignored by default", "\n\t SELECT 1", want{ClassEither, KindSelect, true}},
		{"DROP DATABASE: primary", "DROP DATABASE x", want{ClassPrimary, KindDDL, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var st Statement
			Classify([]byte(tc.sql), nil, &st)
			got := want{st.Class, st.Kind, st.IsSelect()}
			if got != tc.want {
				t.Errorf("Classify(%q) = class %v kind %v select %v, want class %v kind %v select %v",
					tc.sql, got.class, got.kind, got.isSelect, tc.want.class, tc.want.kind, tc.want.isSelect)
			}
		})
	}
}

func TestClassifyMultiStatement(t *testing.T) {
	cases := []struct {
		sql   string
		multi bool
		tx    TxEffect
	}{
		{"BEGIN; INSERT INTO t VALUES (1); COMMIT;", true, TxBegin},
		{"SELECT 1; SELECT 2", true, TxNone},
		{"SELECT 'a;b'; ", false, TxNone},
		{"SELECT 1 -- ; SELECT 2", false, TxNone},
		{"SELECT /* ; */ 1", false, TxNone},
		{"SELECT $$;$$", false, TxNone},
		{"SELECT \";\" FROM t", false, TxNone},
		{"SELECT 1;;;", false, TxNone},
		{";;SELECT 1", false, TxNone},
		{"SELECT E'\\';' ; SELECT 2", true, TxNone},
	}
	for _, tc := range cases {
		var st Statement
		Classify([]byte(tc.sql), nil, &st)
		if st.Flags.Has(FlagMulti) != tc.multi || st.Tx != tc.tx {
			t.Errorf("Classify(%q): multi %v tx %v, want multi %v tx %v", tc.sql, st.Flags.Has(FlagMulti), st.Tx, tc.multi, tc.tx)
		}
	}
}

func TestClassifyFirstCharacterRule(t *testing.T) {
	cases := []struct {
		sql                     string
		allowComments, ignoreWS bool
		want                    bool
	}{
		{"SELECT 1", false, true, true},
		{"select 1", false, true, true},
		{"  SELECT 1", false, true, true},
		{"  SELECT 1", false, false, false},
		{"/*NO LOAD BALANCE*/ SELECT 1", false, true, false},
		{"/*NO LOAD BALANCE*/ SELECT 1", true, true, true},
		{"-- c\nSELECT 1", true, false, true},
		{"with x as (select 1) select * from x", false, true, true},
		{"(select 1)", false, true, true},
		{"table t", false, true, true},
		{"VALUES (1)", false, true, false},
		{"VALUES (1)", true, true, true},
	}
	for _, tc := range cases {
		var st Statement
		Classify([]byte(tc.sql), &Options{AllowSQLComments: tc.allowComments, IgnoreLeadingWhiteSpace: tc.ignoreWS}, &st)
		if st.IsSelect() != tc.want {
			t.Errorf("Classify(%q, allow_sql_comments=%v, ignore_leading_white_space=%v).IsSelect() = %v, want %v",
				tc.sql, tc.allowComments, tc.ignoreWS, st.IsSelect(), tc.want)
		}
	}
}

func TestClassifyNames(t *testing.T) {
	cases := []struct {
		sql   string
		rels  []string
		funcs []string
	}{
		{"SELECT abalance FROM pgbench_accounts WHERE aid = $1", []string{"pgbench_accounts"}, nil},
		{"SELECT a FROM S.T JOIN \"Mixed\" m ON m.x = T.y", []string{"s.t", "Mixed"}, nil},
		{"SELECT now(), pg_catalog.random(), Lower(x) FROM t", []string{"t"}, []string{"now", "pg_catalog.random", "lower"}},
		{"SELECT count(*), count(*) FROM t, t", []string{"t"}, []string{"count"}},
		{"SELECT * FROM t WHERE a IN (SELECT f(b) FROM u)", []string{"t", "u"}, []string{"f"}},
		{"UPDATE t SET a = nextval('s') WHERE b = (SELECT max(c) FROM u)", []string{"t", "u"}, []string{"nextval", "max"}},
		{"INSERT INTO a.t (x) SELECT y FROM b.u", []string{"a.t", "b.u"}, nil},
		{"SELECT * FROM c.s.t", []string{"s.t"}, nil},
		{"SELECT c.s.f(1)", nil, []string{"s.f"}},
	}
	for _, tc := range cases {
		var st Statement
		Classify([]byte(tc.sql), nil, &st)
		var rels, funcs []string
		for i := 0; i < st.NumNames(); i++ {
			n := st.NameAt(i)
			s := string(n.Name)
			if len(n.Schema) > 0 {
				s = string(n.Schema) + "." + s
			}
			switch n.Kind {
			case NameRelation:
				rels = append(rels, s)
			case NameFunction:
				funcs = append(funcs, s)
			}
		}
		if !sameSet(rels, tc.rels) || !sameSet(funcs, tc.funcs) {
			t.Errorf("Classify(%q): relations %q functions %q, want %q %q", tc.sql, rels, funcs, tc.rels, tc.funcs)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := set(a...)
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

func TestClassifyTerminateBackend(t *testing.T) {
	cases := []struct {
		sql string
		pid int32
	}{
		{"SELECT pg_terminate_backend(12345)", 12345},
		{"SELECT pg_catalog.pg_terminate_backend(4242, 1000)", 4242},
		{"SELECT pg_terminate_backend(pid) FROM pg_stat_activity", 0},
		{"SELECT pg_terminate_backend(0), pg_terminate_backend(77)", 77},
		{"SELECT pg_cancel_backend(12345)", 0},
	}
	for _, tc := range cases {
		var st Statement
		Classify([]byte(tc.sql), nil, &st)
		if st.TerminatePID != tc.pid {
			t.Errorf("Classify(%q).TerminatePID = %d, want %d", tc.sql, st.TerminatePID, tc.pid)
		}
	}
}

func TestClassifyPrepareExecuteDeallocateNames(t *testing.T) {
	cases := []struct {
		sql  string
		cmd  Cmd
		name string
		all  bool
	}{
		{"PREPARE Foo AS SELECT 1", CmdPrepare, "foo", false},
		{"EXECUTE \"Foo\"(1)", CmdExecute, "Foo", false},
		{"DEALLOCATE foo", CmdDeallocate, "foo", false},
		{"DEALLOCATE PREPARE foo", CmdDeallocate, "foo", false},
		{"DEALLOCATE ALL", CmdDeallocate, "", true},
		{"SHOW pool_nodes", CmdShow, "pool_nodes", false},
		{"PGPOOL SHOW ALL;", CmdPgpool, "SHOW ALL", false},
	}
	for _, tc := range cases {
		var st Statement
		Classify([]byte(tc.sql), nil, &st)
		name, _ := st.Name()
		if st.Cmd != tc.cmd || string(name) != tc.name || st.Flags.Has(FlagDeallocateAll) != tc.all {
			t.Errorf("Classify(%q): cmd %v name %q all %v, want %v %q %v", tc.sql, st.Cmd, name,
				st.Flags.Has(FlagDeallocateAll), tc.cmd, tc.name, tc.all)
		}
	}
}

func TestClassifyStopsAtNUL(t *testing.T) {
	var st Statement
	Classify([]byte("SELECT 1\x00; DROP TABLE t"), nil, &st)
	if st.Flags.Has(FlagMulti) || st.Class != ClassEither {
		t.Errorf("text after NUL was not ignored: class %v flags %b", st.Class, st.Flags)
	}
}

func TestStatementReuse(t *testing.T) {
	var st Statement
	Classify([]byte("SELECT f(a) FROM s.t JOIN u ON true WHERE g(1) = 2"), nil, &st)
	Classify([]byte("PREPARE x AS SELECT 1"), nil, &st)
	Classify([]byte("BEGIN"), nil, &st)
	if st.NumNames() != 0 || st.Relations() != 0 || st.Functions() != 0 || st.Tx != TxBegin || st.PrepareCmd != CmdOther {
		t.Fatalf("state leaked between statements: %s", describeStatement(&st))
	}
	if _, ok := st.Name(); ok {
		t.Fatal("name leaked between statements")
	}
}
