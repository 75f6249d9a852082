package routing

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// binaries are the pgpools a test runs against: pgpoold, and Debian's
// Pgpool-II 4.3.5 as the oracle.
var binaries = []struct{ name, bin string }{{"pgpoold", ""}, {"Pgpool-II 4.3.5", pgcluster.DebianPgpool}}

// pg_terminate_backend(<pid of a pooled backend>) goes to the node of that
// backend only (§4.3), and the disconnect is not taken for a node failure.
func TestTerminateBackendGoesToItsNode(t *testing.T) {
	cluster.Reset(t)
	logStatements(t)
	for _, b := range binaries {
		t.Run(b.name, func(t *testing.T) {
			p := startPool(t, b.bin, 4, map[string]string{"backend_weight0": "0"})
			ctx := context.Background()
			for _, pr := range protocols[:2] {
				t.Run(pr.name, func(t *testing.T) {
					if b.bin == pgcluster.DebianPgpool && !pr.simple {
						t.Skip("Pgpool-II 4.3.5 routes pg_terminate_backend() to the backend's node in the simple protocol only")
					}
					killer := connect(t, p, pr.mode, "")
					// pg_backend_pid() is stable: balanced to the standby;
					// a leading comment keeps it on the primary.
					for node, sql := range []string{"/*primary*/ select pg_backend_pid()", "select pg_backend_pid()"} {
						// The victim: another session. Its backend's end
						// ends the whole session, so one victim per node.
						victim := connect(t, p, pgx.QueryExecModeSimpleProtocol, "")
						var pid int
						if err := victim.QueryRow(ctx, sql).Scan(&pid); err != nil {
							t.Fatal(err)
						}
						marker := fmt.Sprintf("/*terminate %s %d*/", pr.name, node)
						mark := markLogs(t)
						r := pr.run(ctx, killer, fmt.Sprintf("select pg_terminate_backend(%d) %s", pid, marker))
						if r.err != nil {
							t.Fatalf("pg_terminate_backend of node %d's backend: %v", node, r.err)
						}
						if r.first != "t" && r.first != "true" {
							t.Errorf("pg_terminate_backend(%d) of node %d = %q, want true", pid, node, r.first)
						}
						if got := reachedByLog(mark.since(t), marker); got != 1<<node {
							t.Errorf("pg_terminate_backend of node %d's backend reached %v", node, got)
						}
						pgcluster.Eventually(t, 10*time.Second, 20*time.Millisecond, func() error {
							if pgcluster.PidAlive(pid) {
								return fmt.Errorf("backend %d of node %d still runs", pid, node)
							}
							return nil
						})
					}
					// A pid that is not one of pgpool's: an ordinary volatile
					// function call, on the primary.
					marker := "/*terminate nobody " + pr.name + "*/"
					mark := markLogs(t)
					r := pr.run(ctx, killer, "select pg_terminate_backend(2147483647) "+marker)
					if r.err != nil {
						t.Fatal(r.err)
					}
					if got := reachedByLog(mark.since(t), marker); got != P {
						t.Errorf("pg_terminate_backend of an unknown pid reached %v, want the primary", got)
					}
					// Terminating a session's backend is not a node failure.
					rows, err := showMaps(ctx, killer, "show pool_nodes")
					if err != nil {
						t.Fatal(err)
					}
					for _, row := range rows {
						if row["status"] != "up" {
							t.Errorf("node %s is %q after pg_terminate_backend, want up", row["node_id"], row["status"])
						}
					}
				})
			}
		})
	}
}

// readPorts runs n times "select inet_server_port()" on conn and counts
// the answers per node.
func readPorts(t *testing.T, conn *pgx.Conn, n int) [2]int {
	t.Helper()
	var seen [2]int
	for range n {
		var port int
		if err := conn.QueryRow(context.Background(), "select inet_server_port()").Scan(&port); err != nil {
			t.Fatal(err)
		}
		switch port {
		case cluster.Node(primary).Port():
			seen[primary]++
		case cluster.Node(standby).Port():
			seen[standby]++
		default:
			t.Fatalf("inet_server_port() = %d, the port of no node", port)
		}
	}
	return seen
}

// With weights 1:1 a session keeps its load-balance node; with
// statement_level_load_balance each read draws one. 64 reads of a session
// all going to one node by chance under statement-level balancing has
// probability 2·2⁻⁶⁴: the test cannot fail by luck.
func TestStatementLevelLoadBalance(t *testing.T) {
	cluster.Reset(t)
	for _, b := range binaries {
		t.Run(b.name, func(t *testing.T) {
			t.Run("off: one node per session", func(t *testing.T) {
				p := startPool(t, b.bin, 2, nil)
				for range 4 {
					conn := connect(t, p, pgx.QueryExecModeExec, "")
					if seen := readPorts(t, conn, 64); seen[primary] != 0 && seen[standby] != 0 {
						t.Errorf("one session read from both nodes (%v) without statement_level_load_balance", seen)
					}
					conn.Close(context.Background())
				}
			})
			t.Run("on: one node per statement", func(t *testing.T) {
				p := startPool(t, b.bin, 2, map[string]string{"statement_level_load_balance": "on"})
				conn := connect(t, p, pgx.QueryExecModeExec, "")
				if seen := readPorts(t, conn, 64); seen[primary] == 0 || seen[standby] == 0 {
					t.Errorf("64 reads with statement_level_load_balance went to one node only (%v)", seen)
				}
			})
		})
	}
}

// With the standby's replay paused and the primary written to, the
// standby's replication delay passes delay_threshold and reads go to the
// primary (§4.4 step 7); once it has caught up they return to it.
func TestDelayThreshold(t *testing.T) {
	cluster.Reset(t)
	execOn(t, primary, "create table delay_t (id int, v text)")
	waitReplay(t)
	for _, b := range binaries {
		t.Run(b.name, func(t *testing.T) {
			p := startPool(t, b.bin, 2, map[string]string{
				"backend_weight0": "0", "sr_check_period": "1", "delay_threshold": "10000",
			})
			ctx := context.Background()
			conn := connect(t, p, pgx.QueryExecModeSimpleProtocol, "")
			admin := connect(t, p, pgx.QueryExecModeSimpleProtocol, "")
			if seen := readPorts(t, conn, 4); seen[standby] != 4 {
				t.Fatalf("reads before the delay: %v, want all on the standby", seen)
			}

			execOn(t, standby, "select pg_wal_replay_pause()")
			t.Cleanup(func() {
				if err := cluster.Node(standby).Exec("select pg_wal_replay_resume()"); err != nil {
					t.Error(err)
				}
			})
			execOn(t, primary, "insert into delay_t select g, md5(g::text) from generate_series(1, 10000) g")
			pgcluster.Eventually(t, 30*time.Second, 100*time.Millisecond, func() error {
				d, err := standbyDelay(ctx, admin)
				if err != nil {
					return err
				}
				if d <= 10000 {
					return fmt.Errorf("SHOW pool_nodes: standby replication_delay %d, not yet over 10000", d)
				}
				return nil
			})
			if seen := readPorts(t, conn, 4); seen[primary] != 4 {
				t.Errorf("reads while the standby lags: %v, want all on the primary", seen)
			}

			execOn(t, standby, "select pg_wal_replay_resume()")
			waitReplay(t)
			pgcluster.Eventually(t, 30*time.Second, 100*time.Millisecond, func() error {
				d, err := standbyDelay(ctx, admin)
				if err != nil {
					return err
				}
				if d > 10000 {
					return fmt.Errorf("SHOW pool_nodes: standby replication_delay still %d", d)
				}
				return nil
			})
			if seen := readPorts(t, conn, 4); seen[standby] != 4 {
				t.Errorf("reads after the standby caught up: %v, want all on the standby", seen)
			}
		})
	}
}

// standbyDelay is the standby's replication_delay in SHOW pool_nodes (bytes).
func standbyDelay(ctx context.Context, conn *pgx.Conn) (uint64, error) {
	rows, err := showMaps(ctx, conn, "show pool_nodes")
	if err != nil {
		return 0, err
	}
	if len(rows) != 2 {
		return 0, fmt.Errorf("SHOW pool_nodes: %d rows", len(rows))
	}
	return strconv.ParseUint(rows[standby]["replication_delay"], 10, 64)
}

// A Bind of a statement that does not exist fails and the session goes
// on; a Close of one succeeds (§4.7). Pgpool-II 4.3.5 ends the session
// with FATAL "unable to bind" instead; the reference describes the
// current behaviour, an ERROR and the session kept.
func TestExtendedUnknownNames(t *testing.T) {
	cluster.Reset(t)
	p := startPool(t, "", 2, map[string]string{"backend_weight0": "0"})
	ctx := context.Background()
	conn := connect(t, p, pgx.QueryExecModeExec, "")
	rr := conn.PgConn().ExecPrepared(ctx, "no_such_statement", nil, nil, nil).Read()
	if rr.Err == nil {
		t.Fatal("Bind of an unknown statement succeeded")
	}
	t.Logf("Bind of an unknown statement: %v", rr.Err)
	if err := conn.PgConn().Deallocate(ctx, "no_such_statement"); err != nil {
		t.Errorf("Close of an unknown statement: %v", err)
	}
	if seen := readPorts(t, conn, 2); seen[standby] != 2 {
		t.Errorf("reads after the failed Bind: %v, want the session to go on, on the standby", seen)
	}
}

// A temporary table outlives its session in a pooled connection when
// reset_query_list does not DISCARD it: the next client of that
// connection reads it on the primary (check_temp_table = catalog), while
// its other reads still go to the standby.
func TestTempTableLeftInAPooledConnection(t *testing.T) {
	cluster.Reset(t)
	execOn(t, primary, "create table plain (x int); insert into plain values (1)")
	waitReplay(t)
	for _, b := range binaries {
		t.Run(b.name, func(t *testing.T) {
			p := startPool(t, b.bin, 1, map[string]string{"backend_weight0": "0", "reset_query_list": "'ABORT'"})
			ctx := context.Background()
			first := connect(t, p, pgx.QueryExecModeSimpleProtocol, "")
			var pid int
			if err := first.QueryRow(ctx, "select pg_backend_pid()").Scan(&pid); err != nil {
				t.Fatal(err)
			}
			if _, err := first.Exec(ctx, "create temp table leftover (x int); insert into leftover values (42)"); err != nil {
				t.Fatal(err)
			}
			first.Close(ctx)
			for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
				next := connect(t, p, mode, "")
				var again int
				if err := next.QueryRow(ctx, "select pg_backend_pid()").Scan(&again); err != nil || again != pid {
					t.Fatalf("backend pid %d (%v), want the pooled %d", again, err, pid)
				}
				var x int
				if err := next.QueryRow(ctx, "select x from leftover").Scan(&x); err != nil || x != 42 {
					t.Fatalf("%v: select from the temporary table the pooled connection holds: %d, %v", mode, x, err)
				}
				var port int
				if err := next.QueryRow(ctx, "select inet_server_port() from plain").Scan(&port); err != nil || port != cluster.Node(standby).Port() {
					t.Fatalf("%v: a read of a plain table answered from port %d (%v), want the standby's %d", mode, port, err, cluster.Node(standby).Port())
				}
				next.Close(ctx)
			}
		})
	}
}
