package tutorial

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// sandbox is a pgpool_setup directory with its ports.
type sandbox struct {
	dir    string
	base   int // pgpool; pcp is base+1, PostgreSQL base+2, base+3
	pgbin  string
	user   string // the sandbox's PostgreSQL superuser (the OS user that owns it)
	client string // the user the test connects as
}

// freeBase finds four consecutive free ports.
func freeBase(t *testing.T) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		ports, err := pgcluster.FreePorts(1)
		if err != nil {
			t.Fatal(err)
		}
		base := ports[0]
		if base+3 > 65535 {
			continue
		}
		free := true
		for p := base; p < base+4 && free; p++ {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				free = false
				continue
			}
			l.Close()
		}
		if free {
			return base
		}
	}
	t.Fatal("no four consecutive free ports")
	return 0
}

func setup(t *testing.T) *sandbox {
	t.Helper()
	root, _ := filepath.Abs("../..")
	dir, err := os.MkdirTemp("", "pgpool-sandbox-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0755)
	sb := &sandbox{dir: dir, base: freeBase(t), pgbin: pgBin(t), user: currentUser(), client: currentUser()}
	if os.Geteuid() == 0 {
		sb.user = "postgres"
	}
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "log", "pgpool.log"))
			t.Logf("---- pgpool.log ----\n%s", tail(string(log), 60))
			setupLog, _ := os.ReadFile(filepath.Join(dir, "pgpool_setup.log"))
			t.Logf("---- pgpool_setup.log ----\n%s", tail(string(setupLog), 40))
		}
		exec.Command(filepath.Join(dir, "shutdownall")).Run()
		os.RemoveAll(dir)
	})
	cmd := exec.Command(filepath.Join(root, "tools", "pgpool_setup", "pgpool_setup"), "-n", "2", "-p", strconv.Itoa(sb.base), "--no-stop")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PGPOOL_INSTALL_DIR="+pgpoolInstall(t, root), "PGPOOLDIR="+filepath.Join(root, "etc"), "PGBIN="+sb.pgbin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgpool_setup: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "pgpool-II setting for streaming replication mode is done.") {
		t.Fatalf("pgpool_setup output:\n%s", out)
	}
	return sb
}

// pgpoolInstall is a directory whose bin/ holds pgpool and the pcp_* links.
func pgpoolInstall(t *testing.T, root string) string {
	bin := pgcluster.BuildBinaries(t)
	if filepath.Base(bin) == "bin" {
		return filepath.Dir(bin)
	}
	dir, err := os.MkdirTemp("", "pgpool-install-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Symlink(bin, filepath.Join(dir, "bin")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func pgBin(t *testing.T) string {
	if b := os.Getenv("PGBIN"); b != "" {
		return b
	}
	return "/usr/lib/postgresql/15/bin"
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (sb *sandbox) conn(t *testing.T, port int) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=test sslmode=disable", port, sb.client))
	if err != nil {
		t.Fatalf("connect to port %d: %v", port, err)
	}
	return c
}

func (sb *sandbox) scalar(t *testing.T, port int, sql string) string {
	t.Helper()
	c := sb.conn(t, port)
	defer c.Close(context.Background())
	var v any
	if err := c.QueryRow(context.Background(), sql, pgx.QueryExecModeSimpleProtocol).Scan(&v); err != nil {
		t.Fatalf("%s on port %d: %v", sql, port, err)
	}
	return fmt.Sprint(v)
}

func (sb *sandbox) nodes(t *testing.T) []map[string]string {
	t.Helper()
	c, err := pgx.Connect(context.Background(), fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=test sslmode=disable", sb.base, sb.client))
	if err != nil {
		return nil
	}
	defer c.Close(context.Background())
	rows, err := c.Query(context.Background(), "show pool_nodes", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []map[string]string
	for rows.Next() {
		vals, _ := rows.Values()
		r := map[string]string{}
		for i, f := range rows.FieldDescriptions() {
			r[f.Name] = vals[i].(string)
		}
		out = append(out, r)
	}
	return out
}

func (sb *sandbox) waitNodes(t *testing.T, want string) {
	t.Helper()
	pgcluster.Eventually(t, 60*time.Second, 250*time.Millisecond, func() error {
		var got []string
		for _, n := range sb.nodes(t) {
			got = append(got, n["status"]+" "+n["role"])
		}
		if strings.Join(got, ", ") != want {
			return fmt.Errorf("nodes: %s, want %s", strings.Join(got, ", "), want)
		}
		return nil
	})
}

// asOwner runs a program as the sandbox's owner.
func (sb *sandbox) asOwner(t *testing.T, prog string, args ...string) string {
	t.Helper()
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("setpriv", append([]string{"--reuid=postgres", "--regid=postgres", "--init-groups", "--", prog}, args...)...)
	} else {
		cmd = exec.Command(prog, args...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", prog, args, err, out)
	}
	return string(out)
}

func (sb *sandbox) pgbench(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(sb.pgbin, "pgbench"), append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(sb.base), "-U", sb.client}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (sb *sandbox) pcp(t *testing.T, cmd string, args ...string) (string, error) {
	bin := filepath.Join(pgcluster.BuildBinaries(t), cmd)
	cm := exec.Command(bin, append([]string{"-h", "localhost", "-p", strconv.Itoa(sb.base + 1), "-U", sb.user, "-w"}, args...)...)
	cm.Env = append(os.Environ(), "PCPPASSFILE="+sb.pcppass(t))
	out, err := cm.CombinedOutput()
	return string(out), err
}

// pcppass is a copy of the sandbox's pcppass readable by the test.
func (sb *sandbox) pcppass(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join(sb.dir, "pcppass"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "pcppass")
	os.WriteFile(p, b, 0600)
	return p
}

func TestTutorial(t *testing.T) {
	sb := setup(t)
	primaryPort, standbyPort := sb.base+2, sb.base+3

	// show pool_nodes: node 0 primary, node 1 standby, both up.
	sb.waitNodes(t, "up primary, up standby")

	// Testing Replication: pgbench -i through pgpool creates the tables on
	// the primary; they appear on the standby; after a run, both nodes
	// hold the same balances.
	sb.pgbench(t, "-i", "-s", "1", "test")
	pgcluster.Eventually(t, 20*time.Second, 200*time.Millisecond, func() error {
		if sb.scalar(t, standbyPort, "select count(*) from pgbench_accounts") != "100000" {
			return errors.New("pgbench tables not on the standby yet")
		}
		return nil
	})
	sb.pgbench(t, "-n", "-c", "4", "-j", "2", "-T", "5", "test")
	pgcluster.Eventually(t, 20*time.Second, 200*time.Millisecond, func() error {
		p, s := sb.scalar(t, primaryPort, "select sum(abalance) from pgbench_accounts"), sb.scalar(t, standbyPort, "select sum(abalance) from pgbench_accounts")
		if p != s {
			return fmt.Errorf("sum(abalance): primary %s, standby %s", p, s)
		}
		return nil
	})

	// Testing Load Balance: select-only sessions reach both nodes.
	sb.pgbench(t, "-n", "-S", "-C", "-c", "4", "-j", "2", "-t", "50", "test")
	nodes := sb.nodes(t)
	for i, n := range nodes {
		if cnt, _ := strconv.Atoi(n["select_cnt"]); cnt == 0 {
			t.Errorf("node %d select_cnt 0 after pgbench -S: no load balancing", i)
		}
	}

	// Testing Fail Over, a standby: stopped, it is detached and queries
	// are still served; recovered, it is back.
	sb.asOwner(t, filepath.Join(sb.pgbin, "pg_ctl"), "-D", filepath.Join(sb.dir, "data1"), "-m", "f", "stop")
	sb.waitNodes(t, "up primary, down standby")
	if sb.scalar(t, sb.base, "select count(*) from pgbench_branches") != "1" {
		t.Fatal("queries are not served with the standby down")
	}
	if out, err := sb.pcp(t, "pcp_recovery_node", "-n", "1"); err != nil {
		t.Fatalf("pcp_recovery_node -n 1: %v\n%s", err, out)
	}
	sb.waitNodes(t, "up primary, up standby")

	// Testing Fail Over, the primary: node 1 becomes the primary.
	sb.asOwner(t, filepath.Join(sb.pgbin, "pg_ctl"), "-D", filepath.Join(sb.dir, "data0"), "-m", "f", "stop")
	sb.waitNodes(t, "down standby, up primary")
	if sb.scalar(t, standbyPort, "select pg_is_in_recovery()") != "false" {
		t.Fatal("node 1 was not promoted")
	}

	// Online recovery: node 0 comes back as a standby of node 1.
	out, err := sb.pcp(t, "pcp_recovery_node", "-n", "0")
	if err != nil || !strings.Contains(out, "pcp_recovery_node -- Command Successful") {
		t.Fatalf("pcp_recovery_node -n 0: %v\n%s", err, out)
	}
	sb.waitNodes(t, "up standby, up primary")
	if sb.scalar(t, primaryPort, "select pg_is_in_recovery()") != "true" {
		t.Fatal("node 0 is not a standby after its recovery")
	}
	c := sb.conn(t, sb.base)
	if _, err := c.Exec(context.Background(), "create table tutorial_t (v int); insert into tutorial_t values (42)"); err != nil {
		t.Fatal(err)
	}
	c.Close(context.Background())
	pgcluster.Eventually(t, 20*time.Second, 200*time.Millisecond, func() error {
		cc, err := pgx.Connect(context.Background(), fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=test sslmode=disable", primaryPort, sb.client))
		if err != nil {
			return err
		}
		defer cc.Close(context.Background())
		var v int
		if err := cc.QueryRow(context.Background(), "select v from tutorial_t").Scan(&v); err != nil || v != 42 {
			return fmt.Errorf("row written after the recovery not on node 0: %v %v", v, err)
		}
		return nil
	})

	// pcp_recovery_node refuses a node that is up, the primary and an
	// unknown id, with Pgpool's errors, and changes nothing.
	for _, c := range []struct{ node, want string }{
		{"0", "node recovery failed"}, // up
		{"1", "primary server cannot be recovered by online recovery."},
		{"5", "node id 5 is not valid"},
	} {
		out, _ := sb.pcp(t, "pcp_recovery_node", "-n", c.node)
		if !strings.Contains(out, c.want) {
			t.Errorf("pcp_recovery_node -n %s: %q, want %q", c.node, out, c.want)
		}
	}
	sb.waitNodes(t, "up standby, up primary")

	// shutdownall stops everything and leaves no process.
	var owned []int
	for _, pid := range processesUnder(sb.dir) {
		owned = append(owned, pgcluster.ProcessTree(pid)...) // with pgpool's children
	}
	if out, err := exec.Command(filepath.Join(sb.dir, "shutdownall")).CombinedOutput(); err != nil {
		t.Fatalf("shutdownall: %v\n%s", err, out)
	}
	pgcluster.Eventually(t, 20*time.Second, 200*time.Millisecond, func() error {
		for _, pid := range owned {
			if pgcluster.PidAlive(pid) {
				return fmt.Errorf("pid %d still running after shutdownall", pid)
			}
		}
		return nil
	})
}

// processesUnder lists processes whose command line mentions dir.
func processesUnder(dir string) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if strings.Contains(string(b), dir) {
			out = append(out, pid)
		}
	}
	return out
}
