package routing

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// poolNodesColumns are SHOW pool_nodes' columns since Pgpool-II 4.3 (§7.3b).
var poolNodesColumns = []string{"node_id", "hostname", "port", "status", "pg_status", "lb_weight", "role", "pg_role",
	"select_cnt", "load_balance_node", "replication_delay", "replication_state", "replication_sync_state", "last_status_change"}

var (
	timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`) // %F %T
	uintRE      = regexp.MustCompile(`^\d+$`)
)

// SHOW pool_nodes: Pgpool's 14 columns in order, with the formats of §7.1,
// and load_balance_node true on the row of the node the session's reads
// go to.
func TestShowPoolNodes(t *testing.T) {
	cluster.Reset(t)
	for _, b := range binaries {
		t.Run(b.name, func(t *testing.T) {
			t.Run("with health and replication checks", func(t *testing.T) {
				p := startPool(t, b.bin, 4, map[string]string{"backend_weight0": "1", "backend_weight1": "3",
					"health_check_period": "1", "sr_check_period": "1"})
				ctx := context.Background()
				conn := connect(t, p, pgx.QueryExecModeSimpleProtocol, "")
				// The replication columns appear after the first check.
				var rows []map[string]string
				pgcluster.Eventually(t, 30*time.Second, 100*time.Millisecond, func() error {
					var err error
					if rows, err = showMaps(ctx, conn, "show pool_nodes"); err != nil {
						return err
					}
					if len(rows) != 2 || rows[standby]["replication_state"] != "streaming" {
						return fmt.Errorf("SHOW pool_nodes: no streaming standby yet: %v", rows)
					}
					return nil
				})
				cols, _, err := showRows(ctx, conn, "show pool_nodes")
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(cols, poolNodesColumns) {
					t.Errorf("SHOW pool_nodes columns:\n%q\nwant\n%q", cols, poolNodesColumns)
				}
				want := []map[string]string{
					{"node_id": "0", "hostname": "127.0.0.1", "port": strconv.Itoa(cluster.Node(0).Port()), "status": "up",
						"pg_status": "up", "lb_weight": "0.250000", "role": "primary", "pg_role": "primary",
						"replication_delay": "0", "replication_state": "", "replication_sync_state": ""},
					{"node_id": "1", "hostname": "127.0.0.1", "port": strconv.Itoa(cluster.Node(1).Port()), "status": "up",
						"pg_status": "up", "lb_weight": "0.750000", "role": "standby", "pg_role": "standby",
						"replication_state": "streaming", "replication_sync_state": "async"},
				}
				for i, row := range rows {
					for k, v := range want[i] {
						if row[k] != v {
							t.Errorf("node %d: %s = %q, want %q", i, k, row[k], v)
						}
					}
					for _, k := range []string{"select_cnt", "replication_delay"} {
						if !uintRE.MatchString(row[k]) {
							t.Errorf("node %d: %s = %q, want an integer", i, k, row[k])
						}
					}
					if !timestampRE.MatchString(row["last_status_change"]) {
						t.Errorf("node %d: last_status_change = %q, want YYYY-MM-DD HH:MM:SS", i, row["last_status_change"])
					}
				}
			})

			t.Run("load_balance_node is the session's", func(t *testing.T) {
				p := startPool(t, b.bin, 2, nil)
				ctx := context.Background()
				seen := map[string]bool{}
				// 12 sessions with weights 1:1 see both nodes but with
				// probability 2·2⁻¹²; that is not what is tested here.
				for range 12 {
					conn := connect(t, p, pgx.QueryExecModeSimpleProtocol, "")
					var port int
					if err := conn.QueryRow(ctx, "select inet_server_port()").Scan(&port); err != nil {
						t.Fatal(err)
					}
					rows, err := showMaps(ctx, conn, "show pool_nodes")
					if err != nil {
						t.Fatal(err)
					}
					var lb []string
					for _, row := range rows {
						switch row["load_balance_node"] {
						case "true":
							lb = append(lb, row["port"])
						case "false":
						default:
							t.Errorf("load_balance_node = %q, want true or false", row["load_balance_node"])
						}
					}
					if len(lb) != 1 || lb[0] != strconv.Itoa(port) {
						t.Errorf("load_balance_node true on the rows of ports %v; the session's reads go to port %d", lb, port)
					}
					seen[strconv.Itoa(port)] = true
					conn.Close(ctx)
				}
				t.Logf("load-balance nodes seen: %v", seen)
			})

			t.Run("without checks", func(t *testing.T) {
				// health_check_period = 0 and sr_check_period = 0: the
				// live columns say unknown (§7.1).
				p := startPool(t, b.bin, 2, nil)
				conn := connect(t, p, pgx.QueryExecModeSimpleProtocol, "")
				rows, err := showMaps(context.Background(), conn, "show pool_nodes")
				if err != nil {
					t.Fatal(err)
				}
				for i, row := range rows {
					for k, v := range map[string]string{"pg_status": "unknown", "pg_role": "unknown", "lb_weight": "0.500000"} {
						if row[k] != v {
							t.Errorf("node %d: %s = %q, want %q", i, k, row[k], v)
						}
					}
				}
			})
		})
	}
}

// backendStatsColumns are SHOW pool_backend_stats' counters (§7.4).
var backendStatsColumns = []string{"select_cnt", "insert_cnt", "update_cnt", "delete_cnt", "ddl_cnt", "other_cnt",
	"panic_cnt", "fatal_cnt", "error_cnt"}

// statsWorkload is a session's statements and what each node must count
// for them, in the order of backendStatsColumns (weights 0:1: reads go
// to the standby).
var statsWorkload = []struct {
	sql              string
	primary, standby [9]uint64
}{
	{"select inet_server_port()", [9]uint64{}, [9]uint64{0: 1}},
	{"select count(*) from t", [9]uint64{}, [9]uint64{0: 1}},
	{"select random()", [9]uint64{0: 1}, [9]uint64{}},
	{"insert into t values (1000, 'x')", [9]uint64{1: 1}, [9]uint64{}},
	{"insert into t values (1001, 'x')", [9]uint64{1: 1}, [9]uint64{}},
	{"update t set v = 'y' where id = 1000", [9]uint64{2: 1}, [9]uint64{}},
	{"delete from t where id >= 1000", [9]uint64{3: 1}, [9]uint64{}},
	{"create table stats_x (id int)", [9]uint64{4: 1}, [9]uint64{}},
	{"drop table stats_x", [9]uint64{4: 1}, [9]uint64{}},
	{"begin", [9]uint64{5: 1}, [9]uint64{5: 1}},
	{"set search_path = public", [9]uint64{5: 1}, [9]uint64{5: 1}},
	{"commit", [9]uint64{5: 1}, [9]uint64{5: 1}},
	{"show server_version", [9]uint64{}, [9]uint64{5: 1}},
	{"insert into t values (1, 'duplicate')", [9]uint64{1: 1, 8: 1}, [9]uint64{}},
}

// SHOW pool_backend_stats counts what the workload sent to each node, by
// kind, in the simple and the extended protocol (§2.6), and SHOW
// pool_nodes' select_cnt is the same counter.
func TestShowPoolBackendStats(t *testing.T) {
	cluster.Reset(t)
	execOn(t, primary, "create table t (id int primary key, v text); insert into t values (1, 'a')")
	waitReplay(t)
	for _, b := range binaries {
		t.Run(b.name, func(t *testing.T) {
			p := startPool(t, b.bin, 2, map[string]string{"backend_weight0": "0"})
			for _, pr := range protocols {
				t.Run(pr.name, func(t *testing.T) {
					ctx := context.Background()
					conn := connect(t, p, pr.mode, "")
					// One session reads the counters: a session that ends
					// makes the nodes run reset_query_list, which counts.
					admin := connect(t, p, pgx.QueryExecModeSimpleProtocol, "").PgConn()
					before := countersOn(t, admin, "show pool_backend_stats", backendStatsColumns...)
					var want [2][9]uint64
					for _, w := range statsWorkload {
						r := pr.run(ctx, conn, w.sql)
						if r.err != nil && w.primary[8] == 0 {
							t.Fatalf("%s: %v", w.sql, r.err)
						}
						for i := range 9 {
							want[primary][i] += w.primary[i]
							want[standby][i] += w.standby[i]
						}
					}
					after := countersOn(t, admin, "show pool_backend_stats", backendStatsColumns...)
					for node := range 2 {
						var got [9]uint64
						for i := range 9 {
							got[i] = after[node][i] - before[node][i]
						}
						if got != want[node] {
							t.Errorf("node %d counted %v, want %v (%v)", node, got, want[node], backendStatsColumns)
						}
					}
					nodes := countersOn(t, admin, "show pool_nodes", "select_cnt")
					for node := range 2 {
						if nodes[node][0] != after[node][0] {
							t.Errorf("node %d: SHOW pool_nodes select_cnt %d, SHOW pool_backend_stats select_cnt %d", node, nodes[node][0], after[node][0])
						}
					}
					// The session's end makes both nodes run
					// reset_query_list (ABORT is skipped, the session is
					// idle; DISCARD ALL), which Pgpool-II counts as other.
					conn.Close(ctx)
					pgcluster.Eventually(t, 10*time.Second, 20*time.Millisecond, func() error {
						end := countersOn(t, admin, "show pool_backend_stats", backendStatsColumns...)
						for node := range 2 {
							for i := range 9 {
								want := after[node][i]
								if backendStatsColumns[i] == "other_cnt" {
									want++
								}
								if end[node][i] > want {
									return pgcluster.Abort(fmt.Errorf("node %d: %s went from %d to %d at the session's end", node, backendStatsColumns[i], after[node][i], end[node][i]))
								}
								if end[node][i] < want {
									return fmt.Errorf("node %d: %s still %d at the session's end", node, backendStatsColumns[i], end[node][i])
								}
							}
						}
						return nil
					})
				})
			}
		})
	}
}
