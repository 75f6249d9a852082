package failover

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

var cluster *pgcluster.Cluster

func TestMain(m *testing.M) {
	pgcluster.Main(m, pgcluster.Options{}, func(c *pgcluster.Cluster) { cluster = c })
}

// fastChecks are health-check settings that detect a dead node in about
// two seconds.
func fastChecks(extra map[string]string) map[string]string {
	m := map[string]string{
		"health_check_period": "1", "health_check_timeout": "5", "health_check_max_retries": "1",
		"health_check_retry_delay": "1", "connect_timeout": "2000", "sr_check_period": "1",
		"search_primary_node_timeout": "30",
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// nodeRow is one SHOW pool_nodes row by column name.
type nodeRow map[string]string

func showNodes(t *testing.T, p *pgcluster.Pgpool) []nodeRow {
	t.Helper()
	rows, err := queryNodes(p, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// waitNodes waits until SHOW pool_nodes says what want says, node by
// node ("status role", e.g. "down standby").
func waitNodes(t *testing.T, p *pgcluster.Pgpool, timeout time.Duration, want ...string) {
	t.Helper()
	pgcluster.Eventually(t, timeout, 200*time.Millisecond, func() error {
		got, err := queryNodes(p, 10*time.Second)
		if err != nil {
			return err
		}
		if len(got) != len(want) {
			return fmt.Errorf("pool_nodes has %d rows", len(got))
		}
		for i, w := range want {
			if s := got[i]["status"] + " " + got[i]["role"]; s != w {
				return fmt.Errorf("node %d is %q, want %q", i, s, w)
			}
		}
		return nil
	})
}

// queryNodes reads SHOW pool_nodes through pgpoold on a new session.
func queryNodes(p *pgcluster.Pgpool, timeout time.Duration) ([]nodeRow, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		return nil, fmt.Errorf("connect through pgpoold: %w", err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, "show pool_nodes", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, fmt.Errorf("show pool_nodes: %w", err)
	}
	defer rows.Close()
	var out []nodeRow
	for rows.Next() {
		vals, _ := rows.Values()
		r := nodeRow{}
		for i, f := range rows.FieldDescriptions() {
			r[f.Name] = vals[i].(string)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// servedBy returns the port of the node a read through pgpoold reached.
func servedBy(t *testing.T, p *pgcluster.Pgpool) int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var port int
	if err := c.QueryRow(ctx, "select inet_server_port()").Scan(&port); err != nil {
		t.Fatal(err)
	}
	return port
}

// pcp runs one of our pcp_* commands against p.
func pcp(t *testing.T, p *pgcluster.Pgpool, cmd string, args ...string) string {
	t.Helper()
	bin := filepath.Join(pgcluster.BuildBinaries(t), cmd)
	c := exec.Command(bin, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(p.PCPPort()), "-U", pgcluster.PCPUser, "-w"}, args...)...)
	c.Env = append(os.Environ(), "PCPPASSFILE="+p.PCPPassFile())
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", cmd, args, err, out)
	}
	return string(out)
}

// logHas reports whether the pgpool log contains s.
func logHas(p *pgcluster.Pgpool, s string) bool {
	b, _ := os.ReadFile(p.LogPath())
	return strings.Contains(string(b), s)
}

// noLeftovers checks that a stopped pool left nothing behind.
func noLeftovers(t *testing.T, p *pgcluster.Pgpool, pids []int) {
	t.Helper()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if pgcluster.PidAlive(pid) {
			t.Errorf("pid %d survived the stop", pid)
		}
	}
	for _, f := range []string{shm.Path(p.Port()), shm.Path(p.Port()) + ".conf", p.PidFilePath(),
		filepath.Join(p.SocketDir(), ".s.PGSQL."+strconv.Itoa(p.Port()))} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s left behind after stop", f)
		}
	}
}

func exec1(t *testing.T, n *pgcluster.Node, sql string) {
	t.Helper()
	if err := n.Exec(sql); err != nil {
		t.Fatal(err)
	}
}

var errNotYet = errors.New("not yet")
