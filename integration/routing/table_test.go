package routing

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// step is one statement of a case and what must happen to it.
type step struct {
	sql string
	to  nodeSet // the nodes that must execute it
	// err is the SQLSTATE it must fail with; "" means it must succeed.
	err string
	// port: the first column of its first row is inet_server_port(),
	// which must be the port of the node whose answer the client gets
	// (the primary when the statement goes to both).
	port bool
	// rewrite: a BEGIN the standby must get as a plain "BEGIN" (§4.3).
	rewrite bool
	// simple: only in the simple query protocol (multi-statement strings;
	// COPY, which pgx runs in the simple protocol only).
	simple bool
	// copyIn is the data of a COPY FROM STDIN; copyOut marks a COPY TO
	// STDOUT.
	copyIn  string
	copyOut bool
	// bare: send sql without the marker comment, and find the nodes by
	// pg_stat_activity (empty queries are not logged; a marker would make
	// them comments, which the first-character rule treats differently).
	bare bool
	// prepared, when set, is where the statement runs in the prepared
	// protocol: there the SQL text of an earlier step is the same named
	// statement, which stays where it was parsed (§4.7: Bind and Execute
	// are never routed again) unless a writing transaction moves it to
	// the primary (parse before bind).
	prepared *nodeSet
	// pgpool2, when set, is what Pgpool-II 4.3.5 does instead (see why).
	pgpool2 *alt
}

// alt is a destination Pgpool-II 4.3.5 chooses where pgpoold, following
// the reference, does not.
type alt struct {
	to   nodeSet
	only string // in this protocol only ("": all)
	why  string
}

func pinned(s nodeSet) *nodeSet { return &s }

// routeCase is a sequence of statements on one connection.
type routeCase struct {
	name    string
	appName string // application_name in the startup packet
	user    string // default postgres
	steps   []step
	// pgpool2 says, per protocol name ("*": all), why Pgpool-II 4.3.5
	// cannot run the case (it is skipped in TestRoutingTablePgpool2 only),
	// citing the reference.
	pgpool2 map[string]string
}

// group is a set of cases run through one pgpool with the same
// parameters (on top of tableParams).
type group struct {
	name   string
	params map[string]string
	cases  []routeCase
}

// tableParams: with backend_weight0 = 0 every session's load-balance
// node is the standby, so a read routed to the primary is visible.
var tableParams = map[string]string{
	"backend_weight0":  "0",
	"backend_weight1":  "1",
	"check_temp_table": "catalog",
}

// tableObjects are created on the primary before the table runs.
const tableObjects = `
create table t (id int primary key, v text);
insert into t select g, 'v' || g from generate_series(1, 100) g;
create table t2 (id int primary key, v text);
insert into t2 select g, 'w' || g from generate_series(1, 10) g;
create table wr (id serial primary key, v text);
create unlogged table u (id int);
insert into u values (1);
create sequence seq;
create view tv as select * from t;
create materialized view mv as select count(*) from t;
create function vol_fn() returns int language sql volatile as 'select 1';
create function stable_fn() returns int language sql stable as 'select 2';
create function imm_fn() returns int language sql immutable as 'select 3';
create procedure proc() language sql as 'select 1';
`

// The statement table: every row of §4.3, every step of §4.4, write
// tracking (§4.5) and statements whose routing the extended protocol
// keeps (§4.7), through a live pgpool, in the simple and the extended
// protocol.
var groups = []group{
	{name: "defaults", cases: defaultCases},
	{name: "allow_sql_comments on", params: map[string]string{"allow_sql_comments": "on"}, cases: []routeCase{{
		name: "comments are ignored, so /*NO LOAD BALANCE*/ does nothing (T2)",
		steps: []step{
			{sql: "/*NO LOAD BALANCE*/ select inet_server_port()", to: S, port: true},
			{sql: "-- a comment\nselect inet_server_port()", to: S, port: true},
			{sql: "/* c */ select * from t where id = 1 for update", to: P},
			{sql: "/* c */ values (1)", to: S},
			{sql: "/* only a comment */", to: S, bare: true},
		},
	}}},
	{name: "ignore_leading_white_space off", params: map[string]string{"ignore_leading_white_space": "off"}, cases: []routeCase{{
		name: "a leading blank fails the first-character test",
		steps: []step{
			{sql: "  select inet_server_port()", to: P, port: true},
			{sql: "select inet_server_port()", to: S, port: true},
		},
	}}},
	// An invalid regular expression in the list is left out with a
	// WARNING; the other entries still apply (Pgpool's add_regex_array).
	{name: "write_function_list", params: map[string]string{"write_function_list": "vol_fn,bad_fn(,nextval"}, cases: []routeCase{{
		name: "only listed functions write (§4.6)",
		steps: []step{
			{sql: "select vol_fn(), inet_server_port()", to: P},
			{sql: "select nextval('seq')", to: P},
			{sql: "select random(), inet_server_port()", to: S},
			{sql: "select stable_fn(), inet_server_port()", to: S},
			// Names are anchored: public.vol_fn is not vol_fn (T14).
			{sql: "select public.vol_fn(), inet_server_port()", to: S},
		},
	}}},
	{name: "read_only_function_list", params: map[string]string{"read_only_function_list": "stable_fn,imm_fn,inet_server_port"}, cases: []routeCase{{
		name: "every unlisted function writes (T14)",
		steps: []step{
			{sql: "select stable_fn(), imm_fn(), inet_server_port()", to: S},
			{sql: "select inet_server_port()", to: S, port: true},
			{sql: "select 1", to: S},
			{sql: "select count(*), inet_server_port() from t", to: P},
			{sql: "select random(), inet_server_port()", to: P},
			{sql: "select vol_fn(), inet_server_port()", to: P},
		},
	}}},
	{name: "check_temp_table trace", params: map[string]string{"check_temp_table": "trace"}, cases: []routeCase{{
		name: "temporary tables created in the session are traced",
		steps: []step{
			{sql: "create temp table tt (id int)", to: P},
			{sql: "select count(*), inet_server_port() from tt", to: P},
			// A table created inside a function is not traced: the
			// read goes to the standby, which has no such table.
			{sql: "do $$begin create temp table tt_do (id int); end$$", to: P},
			{sql: "select count(*) from tt_do", to: S, err: "42P01"},
			{sql: "drop table tt", to: P},
			{sql: "select count(*), inet_server_port() from t", to: S},
		},
	}}},
	{name: "check_temp_table none", params: map[string]string{"check_temp_table": "none"}, cases: []routeCase{{
		name: "temporary tables are not looked for",
		steps: []step{
			{sql: "create temp table tt (id int)", to: P},
			{sql: "select count(*) from tt", to: S, err: "42P01"},
			{sql: "drop table tt", to: P},
		},
	}}},
	{name: "check_unlogged_table off", params: map[string]string{"check_unlogged_table": "off"}, cases: []routeCase{{
		name: "unlogged tables are not looked for",
		steps: []step{
			{sql: "select count(*) from u", to: S, err: "0A000"},
		},
	}}},
	{name: "primary_routing_query_pattern_list", params: map[string]string{
		"primary_routing_query_pattern_list": "select inet_server_port[(][)] from t where id = 1.*;.*pinned_query.*"},
		cases: []routeCase{{
			name: "matching reads go to the primary (§4.4 step 5.8)",
			steps: []step{
				{sql: "select inet_server_port() from t where id = 1", to: P, port: true},
				{sql: "SELECT inet_server_port() FROM t WHERE id = 1", to: P, port: true},
				// Double quotes are removed before matching.
				{sql: `select inet_server_port() from "t" where id = 1`, to: P, port: true},
				{sql: "select inet_server_port() from t where id = 2", to: S, port: true},
				{sql: "select inet_server_port(), 'pinned_query'", to: P, port: true},
			},
		}}},
	{name: "disable_load_balance_on_write trans_transaction", params: map[string]string{"disable_load_balance_on_write": "trans_transaction"}, cases: []routeCase{{
		name: "after a write in a transaction every later transaction reads on the primary",
		steps: []step{
			{sql: "begin", to: B},
			{sql: "select inet_server_port()", to: S, port: true},
			{sql: "insert into wr (v) values ('tt')", to: P},
			{sql: "select inet_server_port()", to: P, port: true},
			{sql: "commit", to: B},
			{sql: "select inet_server_port()", to: S, port: true, prepared: pinned(P)},
			{sql: "begin", to: B},
			{sql: "select inet_server_port()", to: P, port: true},
			{sql: "commit", to: B},
		},
	}}},
	{name: "disable_load_balance_on_write always", params: map[string]string{"disable_load_balance_on_write": "always"}, cases: []routeCase{{
		name: "after any write every later read goes to the primary",
		steps: []step{
			{sql: "select inet_server_port()", to: S, port: true},
			{sql: "insert into wr (v) values ('al')", to: P},
			// Parse before bind happens in a transaction only: outside
			// one, the statement parsed above stays on the standby.
			{sql: "select inet_server_port()", to: P, port: true, prepared: pinned(S)},
			{sql: "begin", to: B},
			{sql: "select inet_server_port()", to: P, port: true},
			{sql: "commit", to: B},
			{sql: "select inet_server_port()", to: P, port: true},
		},
	}}},
	{name: "disable_load_balance_on_write off", params: map[string]string{"disable_load_balance_on_write": "off"}, cases: []routeCase{{
		name: "reads are balanced even after a write in the transaction",
		steps: []step{
			{sql: "begin", to: B},
			{sql: "insert into wr (v) values ('off')", to: P},
			{sql: "select inet_server_port()", to: S, port: true},
			{sql: "commit", to: B},
		},
	}}},
	{name: "disable_load_balance_on_write dml_adaptive", params: map[string]string{
		"disable_load_balance_on_write": "dml_adaptive", "dml_adaptive_object_relationship_list": "wr:t2"},
		cases: []routeCase{{
			name: "only the tables written in the transaction are read on the primary",
			steps: []step{
				{sql: "begin", to: B},
				{sql: "select count(*), inet_server_port() from wr", to: S},
				{sql: "insert into wr (v) values ('dml')", to: P},
				{sql: "select count(*), inet_server_port() from wr", to: P},
				{sql: "select inet_server_port() from t2 limit 1", to: P, port: true}, // depends on wr
				{sql: "select inet_server_port() from t limit 1", to: S, port: true},
				{sql: "commit", to: B},
				// In the prepared protocol each Bind routes the named
				// statement again; Pgpool-II keeps where the last Bind in a
				// transaction sent it.
				{sql: "select count(*), inet_server_port() from wr", to: S, pgpool2: &alt{P, "prepared", "kept from the transaction"}},
			},
		}, {
			name: "a named write outside a transaction runs on the primary only",
			steps: []step{
				{sql: "insert into wr (v) values ('dml2')", to: P},
				{sql: "insert into wr (v) values ('dml2')", to: P},
				{sql: "select count(*), inet_server_port() from wr", to: S},
			},
			pgpool2: map[string]string{"prepared": "Pgpool-II 4.3.5 executes a named statement on every node it parsed it on " +
				"(primary and load-balance node) outside a transaction, so the INSERT fails on the standby and the session " +
				"ends (kind mismatch); pgpoold routes each Bind again"},
		}}},
	{name: "database_redirect_preference_list primary", params: map[string]string{"database_redirect_preference_list": "test:primary"}, cases: []routeCase{{
		name: "the database's sessions balance to the primary",
		steps: []step{
			{sql: "select inet_server_port()", to: P, port: true},
			// BOTH means the primary and the load-balance node: here one node.
			{sql: "begin", to: P},
			{sql: "commit", to: P},
		},
	}}},
	{name: "database_redirect_preference_list node", params: map[string]string{
		"backend_weight0": "1", "backend_weight1": "0", "database_redirect_preference_list": "postgres:primary,test:1"},
		cases: []routeCase{{
			name: "a node named by number is taken even with weight 0",
			steps: []step{
				{sql: "select inet_server_port()", to: S, port: true},
				{sql: "begin", to: B},
				{sql: "commit", to: B},
			},
		}}},
	{name: "app_name_redirect_preference_list", params: map[string]string{
		"database_redirect_preference_list": "test:primary", "app_name_redirect_preference_list": "rt_free:standby"},
		cases: []routeCase{
			{name: "the application name wins over the database", appName: "rt_free",
				steps: []step{{sql: "select inet_server_port()", to: S, port: true}}},
			{name: "other applications follow the database", appName: "rt_other",
				steps: []step{{sql: "select inet_server_port()", to: P, port: true}}},
		}},
	{name: "user_redirect_preference_list", params: map[string]string{"user_redirect_preference_list": "rt_user:primary"},
		cases: []routeCase{
			{name: "the user's sessions balance to the primary", user: "rt_user",
				steps:   []step{{sql: "select inet_server_port()", to: P, port: true}},
				pgpool2: map[string]string{"*": "user_redirect_preference_list is new in Pgpool-II 4.4"}},
			{name: "other users are balanced by weight",
				steps: []step{{sql: "select inet_server_port()", to: S, port: true}}},
		}},
	{name: "database list wins over user list", params: map[string]string{
		"backend_weight0": "1", "backend_weight1": "1",
		"user_redirect_preference_list": "postgres:primary", "database_redirect_preference_list": "test:1"},
		cases: []routeCase{{name: "database test goes to node 1",
			steps: []step{{sql: "select inet_server_port()", to: S, port: true}}}}},
	{name: "load_balance_mode off", params: map[string]string{"load_balance_mode": "off"}, cases: []routeCase{{
		name: "everything goes to the primary",
		steps: []step{
			{sql: "select inet_server_port()", to: P, port: true},
			{sql: "begin", to: P},
			{sql: "set search_path = public", to: P},
			{sql: "commit", to: P},
			{sql: "show server_version", to: P},
		},
	}}},
	{name: "statement_level_load_balance", params: map[string]string{"statement_level_load_balance": "on"}, cases: []routeCase{{
		name: "reads go to the node chosen per statement, session statements to every node",
		steps: []step{
			{sql: "select inet_server_port()", to: S, port: true},
			{sql: "begin", to: B},
			{sql: "select inet_server_port()", to: S, port: true},
			{sql: "commit", to: B},
		},
	}}},
}

var defaultCases = []routeCase{
	{name: "reads are balanced (§4.3 SELECT/WITH/TABLE)", steps: []step{
		{sql: "select inet_server_port()", to: S, port: true},
		{sql: "SELECT inet_server_port(), count(*) FROM t", to: S, port: true},
		{sql: "select inet_server_port() from t where id = 1", to: S, port: true},
		{sql: "with x as (select 1) select inet_server_port() from x", to: S, port: true},
		{sql: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT inet_server_port() FROM r LIMIT 1", to: S, port: true},
		{sql: "(select inet_server_port())", to: S, port: true},
		{sql: "select inet_server_port() union all select inet_server_port()", to: S, port: true},
		{sql: "select inet_server_port() from t join t2 using (id) limit 1", to: S, port: true},
		{sql: "select inet_server_port() where exists (select 1 from t)", to: S, port: true},
		{sql: "table t", to: S},
		{sql: "TABLE tv", to: S},
		{sql: "select count(*) from mv", to: S},
		{sql: "select inet_server_port() from generate_series(1, 2) limit 1", to: S, port: true},
		// VALUES is a SELECT for PostgreSQL, but fails the first-character
		// test of is_select_query() (§4.4 step 5.2).
		{sql: "values (1)", to: P},
	}},
	{name: "locking reads and SELECT INTO go to the primary", steps: []step{
		{sql: "select * from t where id = 1 for update", to: P},
		{sql: "select * from t where id = 1 for no key update", to: P},
		{sql: "select * from t where id = 1 for share", to: P},
		{sql: "select * from t where id = 1 for key share", to: P},
		{sql: "select * from t join t2 using (id) where id = 1 for update of t", to: P},
		// Locking clauses anywhere in the statement count.
		{sql: "select * from (select * from t for update) s limit 1", to: P},
		{sql: "select * from t where id in (select id from t2 for update)", to: P},
		{sql: "select (select id from t limit 1 for share)", to: P},
		{sql: "table t for update", to: P},
		{sql: "select * into temp si from t", to: P},
		{sql: "drop table si", to: P},
		{sql: "create table ctas as select * from t", to: P},
		{sql: "drop table ctas", to: P},
	}},
	{name: "writable CTEs go to the primary", steps: []step{
		{sql: "with i as (insert into wr (v) values ('cte') returning id) select id from i", to: P},
		{sql: "with u as (update t set v = v where id = 1 returning id) select id from u", to: P},
		{sql: "with d as (delete from wr where id < 0 returning id) select count(*) from d", to: P},
		{sql: "with x as (select 1), y as (insert into wr (v) values ('y') returning id) select * from x", to: P},
		{sql: "with x as (select * from t) select inet_server_port() from x limit 1", to: S, port: true},
	}},
	{name: "COPY TO is balanced, COPY FROM and COPY to a file are not", steps: []step{
		{sql: "copy t to stdout", to: S, copyOut: true, simple: true},
		{sql: "copy (select * from t where id < 5) to stdout", to: S, copyOut: true, simple: true},
		{sql: "copy t (id) to stdout with (format csv)", to: S, copyOut: true, simple: true},
		{sql: "copy wr (v) from stdin", to: P, copyIn: "a\nb\n", simple: true},
		{sql: "copy t to '/dev/null'", to: P, simple: true},
		{sql: "copy (select 1) to program 'cat > /dev/null'", to: P, simple: true},
	}},
	{name: "LOCK below ROW EXCLUSIVE goes to both nodes", steps: []step{
		{sql: "begin", to: B},
		{sql: "lock table t in access share mode", to: B},
		{sql: "lock table t in row share mode", to: B},
		{sql: "lock table t in row exclusive mode", to: P},
		{sql: "lock table t in share update exclusive mode", to: P},
		{sql: "lock table t in share mode", to: P},
		{sql: "lock table t", to: P},
		{sql: "commit", to: B},
	}},
	{name: "transaction statements go to both nodes", steps: []step{
		{sql: "begin", to: B},
		{sql: "select inet_server_port()", to: S, port: true},
		{sql: "savepoint a", to: B},
		{sql: "release savepoint a", to: B},
		{sql: "savepoint b", to: B},
		{sql: "rollback to savepoint b", to: B},
		{sql: "set local work_mem = '8MB'", to: B},
		{sql: "commit", to: B},
		{sql: "start transaction", to: B},
		{sql: "rollback", to: B},
		{sql: "begin work", to: B},
		{sql: "end", to: B},
		{sql: "begin", to: B},
		{sql: "abort", to: B},
		// COMMIT/ROLLBACK skip nodes that are not in a transaction. (In
		// the extended protocol pgpoold skips them too, Pgpool-II 4.3.5
		// does not; in the prepared protocol the COMMIT parsed in the
		// transaction above goes where it was parsed, in both.)
		{sql: "commit", to: P, simple: true},
		{sql: "rollback", to: P, simple: true},
	}},
	{name: "BEGIN READ WRITE and SERIALIZABLE reach the standby as plain BEGIN", steps: []step{
		{sql: "begin read write", to: B, rewrite: true},
		{sql: "commit", to: B},
		{sql: "begin isolation level serializable", to: B, rewrite: true},
		// The standby's transaction is not serializable: the primary is
		// asked, and the reads stay there.
		{sql: "select inet_server_port()", to: P, port: true},
		{sql: "commit", to: B},
		{sql: "start transaction isolation level serializable, read write", to: B, rewrite: true},
		{sql: "rollback", to: B},
		{sql: "begin read only", to: B},
		{sql: "commit", to: B},
		{sql: "begin isolation level repeatable read", to: B},
		{sql: "commit", to: B},
	}},
	{name: "SET goes to both nodes unless it makes transactions writable or serializable", steps: []step{
		{sql: "set search_path = public", to: B},
		{sql: "reset search_path", to: B},
		{sql: "set transaction_read_only = off", to: P},
		{sql: "set session characteristics as transaction read write", to: P},
		{sql: "set default_transaction_isolation = 'serializable'", to: P},
		{sql: "set default_transaction_isolation = 'read committed'", to: B},
		{sql: "set session characteristics as transaction isolation level serializable", to: P},
		{sql: "reset all", to: B},
		{sql: "discard temp", to: B},
		{sql: "show search_path", to: S},
		{sql: "show transaction_read_only", to: S},
	}},
	{name: "a serializable transaction reads on the primary", steps: []step{
		{sql: "begin", to: B},
		{sql: "set transaction isolation level serializable", to: P},
		{sql: "select inet_server_port()", to: P, port: true},
		{sql: "commit", to: B},
		{sql: "select inet_server_port()", to: S, port: true, prepared: pinned(P)},
		{sql: "begin", to: B},
		{sql: "set transaction_isolation = 'serializable'", to: P},
		{sql: "select inet_server_port()", to: P, port: true},
		{sql: "rollback", to: B},
		// Serializable by default: Pgpool asks the primary
		// (current_setting('transaction_isolation')) once per transaction.
		{sql: "set default_transaction_isolation = 'serializable'", to: P},
		{sql: "select count(*), inet_server_port() from t", to: S},
		{sql: "begin", to: B},
		{sql: "select count(*), inet_server_port() from t", to: P, prepared: pinned(S)},
		{sql: "select count(*), inet_server_port() from t2", to: P},
		{sql: "commit", to: B},
		{sql: "begin", to: B},
		{sql: "reset default_transaction_isolation", to: B},
		{sql: "select count(*), inet_server_port() from t2", to: P},
		{sql: "commit", to: B},
		{sql: "begin", to: B},
		{sql: "select count(*), inet_server_port() from t2", to: S, prepared: pinned(P)},
		{sql: "commit", to: B},
	}},
	{name: "reads after a write in a transaction go to the primary (disable_load_balance_on_write = transaction)", steps: []step{
		{sql: "select inet_server_port()", to: S, port: true},
		{sql: "begin", to: B},
		{sql: "select inet_server_port()", to: S, port: true},
		{sql: "insert into wr (v) values ('tx')", to: P},
		// In the prepared protocol this is the statement parsed on the
		// standby above: Pgpool parses it on the primary before Bind.
		{sql: "select inet_server_port()", to: P, port: true},
		{sql: "commit", to: B},
		// In the prepared protocol the statement stays on the primary.
		{sql: "select inet_server_port()", to: S, port: true, prepared: pinned(P)},
		{sql: "insert into wr (v) values ('auto')", to: P},
		{sql: "select inet_server_port()", to: S, port: true, prepared: pinned(P)},
		{sql: "begin", to: B},
		{sql: "select inet_server_port()", to: S, port: true, prepared: pinned(P)},
		{sql: "commit", to: B},
	}},
	{name: "a failed transaction reads on the primary", steps: []step{
		{sql: "begin", to: B},
		{sql: "insert into t values (1, 'duplicate')", to: P, err: "23505"},
		{sql: "select inet_server_port()", to: P, err: "25P02", pgpool2: &alt{0, "simple",
			"Pgpool-II answers 25P02 itself in an aborted transaction; pgpoold lets the primary say it"}},
		{sql: "rollback", to: B},
		{sql: "select inet_server_port()", to: S, port: true},
	}, pgpool2: map[string]string{"prepared": "after the failed Parse in the aborted transaction, Pgpool-II loses " +
		"the statement pgx prepares again after ROLLBACK (26000 prepared statement does not exist)"}},
	{name: "two-phase commit goes to the primary", steps: []step{
		{sql: "begin", to: B},
		{sql: "select inet_server_port()", to: S, port: true},
		{sql: "insert into wr (v) values ('2pc')", to: P},
		{sql: "prepare transaction 'rt_gid'", to: P},
		{sql: "select inet_server_port()", to: S, port: true},
		{sql: "commit prepared 'rt_gid'", to: P},
		{sql: "begin", to: B},
		{sql: "commit", to: B},
	}},
	{name: "EXECUTE and DEALLOCATE follow their PREPARE", steps: []step{
		{sql: "prepare rt_read as select inet_server_port()", to: S},
		{sql: "execute rt_read", to: S, port: true},
		{sql: "prepare rt_write as insert into wr (v) values ('p')", to: P},
		{sql: "execute rt_write", to: P},
		{sql: "prepare rt_vol as select nextval('seq')", to: P},
		{sql: "execute rt_vol", to: P},
		{sql: "deallocate rt_read", to: S},
		{sql: "deallocate prepare rt_write", to: P},
		{sql: "execute rt_none", to: P, err: "26000"},
		{sql: "deallocate all", to: B},
	}, pgpool2: map[string]string{"*": "Pgpool-II 4.3.5 sends PREPARE of a SELECT to the primary (is_select_query() is false for a PrepareStmt), where the reference (§4.3: PREPARE has the class of its statement) balances it; in the extended protocols its DEALLOCATE then ends the session (kind mismatch)"}},
	{name: "EXECUTE in a writing transaction runs on the primary", steps: []step{
		{sql: "prepare rt_p as select inet_server_port()", to: S},
		{sql: "begin", to: B},
		{sql: "insert into wr (v) values ('x')", to: P},
		{sql: "execute rt_p", to: P, port: true},
		{sql: "commit", to: B},
	}, pgpool2: map[string]string{"*": "Pgpool-II 4.3.5 sends PREPARE of a SELECT to the primary (is_select_query() is false for a PrepareStmt), where the reference (§4.3: PREPARE has the class of its statement) balances it"}},
	{name: "multi-statement strings go to the primary", steps: []step{
		{sql: "select inet_server_port(); select inet_server_port()", to: P, port: true, simple: true},
		{sql: "select 1; set search_path = public", to: P, simple: true},
		{sql: "begin; select 1", to: P, simple: true},
		// The transaction began in a multi-statement string: statements
		// for both nodes go to the primary only (§4.3).
		{sql: "savepoint a", to: P, simple: true},
		{sql: "commit", to: P, simple: true},
		{sql: "set search_path = public", to: B, simple: true},
	}, pgpool2: map[string]string{"*": "Pgpool-II 4.3.5 sends the SAVEPOINT to both nodes and ends the session " +
		"(kind mismatch: the standby is not in a transaction); the reference (§4.3, §4.4 step 3) sends it to the primary only"}},
	{name: "unparseable statements go to the primary, empty ones are balanced", steps: []step{
		{sql: "selec 1", to: P, err: "42601"},
		{sql: "select from from", to: P, err: "42601"},
		{sql: "select 1 +", to: P, err: "42601"},
		{sql: "", to: S, bare: true},
		{sql: ";", to: S, bare: true},
		{sql: "  ", to: S, bare: true},
		// allow_sql_comments = off: a comment is not a SELECT's first character.
		{sql: "/* only a comment */", to: P, bare: true},
	}},
	{name: "a leading comment sends a read to the primary (allow_sql_comments = off)", steps: []step{
		{sql: "/*NO LOAD BALANCE*/ select inet_server_port()", to: P, port: true},
		{sql: "/* any comment */ select inet_server_port()", to: P, port: true},
		{sql: "-- a comment\nselect inet_server_port()", to: P, port: true},
		{sql: "   select inet_server_port()", to: S, port: true},
		{sql: "\n\tSelect inet_server_port()", to: S, port: true},
	}},
	{name: "volatile functions go to the primary, stable and immutable ones are balanced", steps: []step{
		{sql: "select nextval('seq')", to: P},
		{sql: "select currval('seq')", to: P},
		{sql: "select setval('seq', 10)", to: P},
		{sql: "select random(), inet_server_port()", to: P},
		{sql: "select clock_timestamp(), inet_server_port()", to: P},
		{sql: "select pg_is_in_recovery()", to: P},
		{sql: "select vol_fn(), inet_server_port()", to: P},
		{sql: "select public.vol_fn(), inet_server_port()", to: P},
		{sql: "select inet_server_port() where random() >= 0", to: P, port: true},
		{sql: "select inet_server_port(), (select nextval('seq'))", to: P, port: true},
		{sql: "select * from (select nextval('seq')) s", to: P},
		{sql: "with x as (select nextval('seq')) select * from x", to: P},
		// current_user is not a function call.
		{sql: "select inet_server_port() where current_user = 'postgres'", to: S, port: true},
		{sql: "select inet_server_port(), stable_fn()", to: S, port: true},
		{sql: "select inet_server_port(), imm_fn()", to: S, port: true},
		{sql: "select inet_server_port(), now()", to: S, port: true},
		{sql: "select inet_server_port(), upper(v) from t where id = abs(-1)", to: S, port: true},
	}},
	{name: "system catalogs are read on the primary", steps: []step{
		{sql: "select count(*) from pg_class", to: P},
		{sql: "select relname from pg_catalog.pg_class limit 1", to: P},
		{sql: "select inet_server_port() from pg_stat_activity limit 1", to: P, port: true},
		{sql: "select count(*) from t where id in (select oid::int from pg_class)", to: P},
		{sql: "select inet_server_port() from pg_type limit 1", to: P, port: true},
	}},
	{name: "temporary tables are read on the primary (check_temp_table = catalog)", steps: []step{
		{sql: "create temp table tt (id int)", to: P},
		{sql: "insert into tt values (1)", to: P},
		{sql: "select count(*), inet_server_port() from tt", to: P},
		{sql: "select inet_server_port() from t limit 1", to: S, port: true},
		{sql: "with x as (select * from tt) select count(*) from x", to: P},
		{sql: "select count(*) from t join tt on t.id = tt.id", to: P},
		{sql: "drop table tt", to: P},
		{sql: "create temp table tt2 as select * from t", to: P},
		{sql: "select count(*), inet_server_port() from tt2", to: P},
		{sql: "do $$begin create temp table tt_do (id int); end$$", to: P},
		{sql: "select count(*) from tt_do", to: P},
	}},
	{name: "unlogged tables are read on the primary", steps: []step{
		{sql: "select count(*), inet_server_port() from u", to: P},
		{sql: "select count(*) from t join u on true", to: P},
	}},
	{name: "writes, DDL and utility statements go to the primary", steps: []step{
		{sql: "insert into wr (v) values ('w')", to: P},
		{sql: "update t set v = v where id = 2", to: P},
		{sql: "delete from wr where id < 0", to: P},
		{sql: "merge into t2 using (select 1 as id) s on t2.id = s.id when matched then update set v = t2.v", to: P},
		{sql: "insert into wr (v) select v from t where id = 3 returning id", to: P},
		{sql: "create table ddl_x (id int)", to: P},
		{sql: "alter table ddl_x add column v text", to: P},
		{sql: "create index on ddl_x (id)", to: P},
		{sql: "comment on table ddl_x is 'x'", to: P},
		{sql: "truncate ddl_x", to: P},
		{sql: "drop table ddl_x", to: P},
		{sql: "vacuum t2", to: P},
		{sql: "analyze t2", to: P},
		{sql: "checkpoint", to: P},
		{sql: "refresh materialized view mv", to: P},
		{sql: "listen rt_channel", to: P},
		{sql: "notify rt_channel", to: P},
		{sql: "unlisten rt_channel", to: P},
		{sql: "call proc()", to: P},
		{sql: "do $$begin perform 1; end$$", to: P},
		{sql: "grant select on t to public", to: P},
		{sql: "load 'plpgsql'", to: P},
		// EXPLAIN is not load-balanced, whatever the docs say (T1).
		{sql: "explain select * from t", to: P},
		{sql: "explain analyze select * from t", to: P},
	}},
	{name: "cursors live on the primary", steps: []step{
		{sql: "begin", to: B},
		{sql: "declare c cursor for select * from t", to: P},
		{sql: "fetch 2 from c", to: P},
		{sql: "move 1 in c", to: P},
		{sql: "close c", to: P},
		{sql: "commit", to: B},
	}},
	{name: "SHOW of a setting is balanced", steps: []step{
		{sql: "show server_version", to: S},
		{sql: "show all", to: S},
	}},
}

func TestRoutingTable(t *testing.T) { runTable(t, "") }

// TestRoutingTablePgpool2 runs the table through Debian's Pgpool-II
// 4.3.5, the original pgpoold must behave like.
func TestRoutingTablePgpool2(t *testing.T) { runTable(t, pgcluster.DebianPgpool) }

func runTable(t *testing.T, bin string) {
	cluster.Reset(t)
	execOn(t, primary, tableObjects)
	if err := cluster.CreateUser(pgcluster.User{Name: "rt_user", Superuser: true}); err != nil {
		t.Fatal(err)
	}
	logStatements(t)
	t.Cleanup(func() { rollbackPrepared(t) })
	steps := 0
	for gi, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			params := maps.Clone(tableParams)
			maps.Copy(params, g.params)
			p := startPool(t, bin, 4, params)
			for ci, c := range g.cases {
				steps += len(c.steps)
				t.Run(c.name, func(t *testing.T) {
					for _, pr := range protocols {
						t.Run(pr.name, func(t *testing.T) {
							if bin == pgcluster.DebianPgpool {
								if why := c.pgpool2["*"] + c.pgpool2[pr.name]; why != "" {
									t.Skip("Pgpool-II 4.3.5 differs: " + why)
								}
							}
							runCase(t, p, pr, c, fmt.Sprintf("/*rt%d.%d*/", gi, ci), bin == pgcluster.DebianPgpool)
						})
					}
				})
			}
		})
	}
	if steps < 80 {
		t.Errorf("the table has %d statements, the issue asks for at least 80", steps)
	}
}

// runCase runs the steps of c on a new connection through p with
// protocol pr; every statement carries marker at its end.
func runCase(t *testing.T, p *pgcluster.Pgpool, pr protocol, c routeCase, marker string, pgpool2 bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	user := c.user
	if user == "" {
		user = pgcluster.Superuser
	}
	cfg, err := pgx.ParseConfig(p.ConnString(pgcluster.Database, user))
	if err != nil {
		t.Fatal(err)
	}
	if c.appName != "" {
		cfg.RuntimeParams["application_name"] = c.appName
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	ports := map[string]int{}
	for i, n := range cluster.Nodes() {
		ports[strconv.Itoa(n.Port())] = i
	}
	for i, s := range c.steps {
		if s.simple && !pr.simple {
			continue
		}
		sql, m := s.sql+" "+marker, marker
		if s.bare {
			sql, m = s.sql, ""
		}
		mark, start := markLogs(t), time.Now()
		var r result
		switch {
		case s.copyOut:
			_, r.err = conn.PgConn().CopyTo(ctx, &strings.Builder{}, sql)
		case s.copyIn != "":
			_, r.err = conn.PgConn().CopyFrom(ctx, strings.NewReader(s.copyIn), sql)
		default:
			r = pr.run(ctx, conn, sql)
		}
		what := fmt.Sprintf("step %d %q", i+1, s.sql)
		if got := r.sqlstate(); got != s.err || (s.err == "" && r.err != nil) {
			if s.err == "" {
				t.Errorf("%s: %v", what, r.err)
			} else {
				t.Errorf("%s: error %v, want SQLSTATE %s", what, r.err, s.err)
			}
		}
		var reached nodeSet
		logs := mark.since(t)
		if s.bare {
			reached = reachedByActivity(t, sql, start)
		} else {
			reached = reachedByLog(logs, m)
		}
		if s.rewrite {
			if strings.Contains(logs[standby], m) {
				t.Errorf("%s: the standby got the original BEGIN, not a plain one", what)
			}
			if !plainBegin.MatchString(logs[standby]) {
				t.Errorf("%s: the standby did not get a plain BEGIN; its log:\n%s", what, logs[standby])
			} else {
				reached |= S
			}
		}
		want := s.to
		if s.prepared != nil && pr.mode == pgx.QueryExecModeCacheStatement {
			want = *s.prepared
		}
		if s.pgpool2 != nil && pgpool2 && (s.pgpool2.only == "" || s.pgpool2.only == pr.name) {
			want = s.pgpool2.to
		}
		if reached != want {
			t.Errorf("%s reached %v, want %v", what, reached, want)
		}
		if s.port && r.err == nil {
			if node, ok := ports[r.first]; !ok || node != want.main() {
				t.Errorf("%s: inet_server_port() = %q, want node %d's port %d", what, r.first, want.main(), cluster.Node(want.main()).Port())
			}
		}
	}
}

// rollbackPrepared removes prepared transactions a failed case left.
func rollbackPrepared(t *testing.T) {
	for {
		var gid string
		if err := cluster.Node(primary).QueryRow("select gid from pg_prepared_xacts limit 1").Scan(&gid); err != nil {
			if !errors.Is(err, pgx.ErrNoRows) {
				t.Error(err)
			}
			return
		}
		if err := cluster.Node(primary).Exec("rollback prepared '" + gid + "'"); err != nil {
			t.Error(err)
			return
		}
	}
}
