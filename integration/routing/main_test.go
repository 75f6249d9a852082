package routing

import (
	"context"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

var cluster *pgcluster.Cluster

func TestMain(m *testing.M) {
	opts := pgcluster.Options{
		// PREPARE TRANSACTION is one of the statements routed (§4.3); a
		// hot standby needs at least the primary's value.
		ExtraConf: []string{"max_prepared_transactions = 10"},
	}
	pgcluster.Main(m, opts, func(c *pgcluster.Cluster) { cluster = c })
}

const (
	primary = 0 // node ids in every test: node 0 is the primary
	standby = 1
)

// poolParams are the pgpool.conf parameters of every test: streaming
// replication with load balancing (the harness's defaults otherwise:
// weights 1:1, sr_check_user postgres).
func poolParams(extra map[string]string) map[string]string {
	m := map[string]string{
		"load_balance_mode": "on",
		// Replication delay is measured only where a test needs it.
		"sr_check_period":     "0",
		"health_check_period": "0",
	}
	maps.Copy(m, extra)
	return m
}

// startPool starts pgpoold (or Pgpool-II when bin is DebianPgpool) with
// poolParams(extra).
func startPool(t *testing.T, bin string, children int, extra map[string]string) *pgcluster.Pgpool {
	t.Helper()
	opts := pgcluster.PgpoolOptions{Params: poolParams(extra), NumInitChildren: children}
	if bin == pgcluster.DebianPgpool {
		opts.Binary, opts.Dialect = bin, pgcluster.Pgpool43
	}
	return pgcluster.StartPgpoold(t, cluster, opts)
}

// connect opens a pgx connection through p, closed when the test ends.
// The default exec mode is mode; appName, when set, is the application
// name of the startup packet.
func connect(t *testing.T, p *pgcluster.Pgpool, mode pgx.QueryExecMode, appName string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	if appName != "" {
		cfg.RuntimeParams["application_name"] = appName
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect through pgpool on port %d: %v", p.Port(), err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// execOn runs sql on a node directly (database test), failing the test on error.
func execOn(t *testing.T, node int, sql string) {
	t.Helper()
	if err := cluster.Node(node).Exec(sql); err != nil {
		t.Fatal(err)
	}
}

func waitReplay(t *testing.T) {
	t.Helper()
	if err := cluster.WaitReplay(); err != nil {
		t.Fatal(err)
	}
}

// showRows runs a SHOW pool_* command through p (simple protocol, as
// Pgpool requires) and returns its column names and rows as text.
func showRows(ctx context.Context, conn *pgx.Conn, cmd string) ([]string, [][]string, error) {
	res, err := conn.PgConn().Exec(ctx, cmd).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if len(res) != 1 {
		return nil, nil, fmt.Errorf("%s: %d results, want 1", cmd, len(res))
	}
	var cols []string
	for _, f := range res[0].FieldDescriptions {
		cols = append(cols, f.Name)
	}
	var rows [][]string
	for _, r := range res[0].Rows {
		row := make([]string, len(r))
		for i, v := range r {
			row[i] = string(v)
		}
		rows = append(rows, row)
	}
	return cols, rows, nil
}

// showMaps is showRows with each row keyed by column name.
func showMaps(ctx context.Context, conn *pgx.Conn, cmd string) ([]map[string]string, error) {
	cols, rows, err := showRows(ctx, conn, cmd)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(rows))
	for i, r := range rows {
		out[i] = make(map[string]string, len(cols))
		for j, c := range cols {
			out[i][c] = r[j]
		}
	}
	return out, nil
}

// counters reads one numeric column of SHOW pool_backend_stats or SHOW
// pool_nodes per node, on a new connection through p.
func counters(t *testing.T, p *pgcluster.Pgpool, cmd string, cols ...string) [][]uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	return countersOn(t, conn, cmd, cols...)
}

// countersOn is counters on an open connection through the pgpool.
func countersOn(t *testing.T, conn *pgconn.PgConn, cmd string, cols ...string) [][]uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := conn.Exec(ctx, cmd).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	out := make([][]uint64, len(res[0].Rows))
	for i, r := range res[0].Rows {
		for _, c := range cols {
			j := -1
			for k, f := range res[0].FieldDescriptions {
				if f.Name == c {
					j = k
				}
			}
			if j < 0 {
				t.Fatalf("%s has no column %s", cmd, c)
			}
			v, err := strconv.ParseUint(string(r[j]), 10, 64)
			if err != nil {
				t.Fatalf("%s row %d: %s = %q: %v", cmd, i, c, r[j], err)
			}
			out[i] = append(out[i], v)
		}
	}
	return out
}

// pgbench runs PostgreSQL's pgbench against p (database test) and returns
// its output; it fails the test when pgbench fails.
func pgbench(t *testing.T, p *pgcluster.Pgpool, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(p.Port()), "-U", pgcluster.Superuser}, args...)
	all = append(all, pgcluster.Database)
	cmd := exec.CommandContext(ctx, filepath.Join(cluster.BinDir(), "pgbench"), all...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var processedRE = regexp.MustCompile(`number of transactions actually processed: (\d+)`)

// processed is the number of transactions a pgbench run reports.
func processed(t *testing.T, out string) uint64 {
	t.Helper()
	m := processedRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no transaction count in pgbench output:\n%s", out)
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}
