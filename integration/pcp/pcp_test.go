package pcp

import (
	"context"
	"errors"
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

var cluster *pgcluster.Cluster

func TestMain(m *testing.M) {
	pgcluster.Main(m, pgcluster.Options{}, func(c *pgcluster.Cluster) { cluster = c })
}

var params = map[string]string{"health_check_period": "1", "health_check_max_retries": "1", "sr_check_period": "1"}

// run runs a pcp command (ours, or Debian's with debian true) and returns
// its stdout, stderr and exit code.
func run(t *testing.T, p *pgcluster.Pgpool, debian bool, cmd string, args ...string) (string, string, int) {
	t.Helper()
	bin := filepath.Join(pgcluster.BuildBinaries(t), cmd)
	if debian {
		bin = "/usr/sbin/" + cmd
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%s not found: apt-get install pgpool2 (CI installs it)", bin)
		}
	}
	c := exec.Command(bin, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(p.PCPPort()), "-U", pgcluster.PCPUser, "-w"}, args...)...)
	c.Env = append(os.Environ(), "PCPPASSFILE="+p.PCPPassFile())
	var out, errb strings.Builder
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func ok(t *testing.T, p *pgcluster.Pgpool, debian bool, cmd string, args ...string) string {
	t.Helper()
	out, errOut, code := run(t, p, debian, cmd, args...)
	if code != 0 {
		t.Fatalf("%s %v: exit %d\n%s%s", cmd, args, code, out, errOut)
	}
	return out
}

func show(t *testing.T, p *pgcluster.Pgpool, q string) []map[string]string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
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

func TestNodeReportsMatchShowPoolNodes(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: params})
	if got := strings.TrimSpace(ok(t, p, false, "pcp_node_count")); got != "2" {
		t.Fatalf("pcp_node_count = %q, want 2", got)
	}
	nodes := show(t, p, "show pool_nodes")
	for i, n := range nodes {
		// hostname port status weight status_name backend_status role backend_role delay repl_state sync_state last_change
		f := strings.Fields(ok(t, p, false, "pcp_node_info", "-n", strconv.Itoa(i)))
		if len(f) < 12 {
			t.Fatalf("pcp_node_info -n %d: %q", i, f)
		}
		checks := map[string][2]string{
			"hostname": {f[0], n["hostname"]}, "port": {f[1], n["port"]}, "weight": {f[3], n["lb_weight"]},
			"status": {f[4], n["status"]}, "pg_status": {f[5], n["pg_status"]}, "role": {f[6], n["role"]},
			"pg_role": {f[7], n["pg_role"]}, "last_status_change": {f[len(f)-2] + " " + f[len(f)-1], n["last_status_change"]},
		}
		for what, v := range checks {
			if v[0] != v[1] {
				t.Errorf("node %d %s: pcp_node_info %q, SHOW pool_nodes %q", i, what, v[0], v[1])
			}
		}
	}
	// Health-check statistics are the row of SHOW pool_health_check_stats.
	hc := strings.Fields(ok(t, p, false, "pcp_health_check_stats", "-n", "0"))
	row := show(t, p, "show pool_health_check_stats")[0]
	if hc[0] != "0" || hc[1] != row["hostname"] || hc[2] != row["port"] || hc[3] != row["status"] || hc[4] != row["role"] {
		t.Errorf("pcp_health_check_stats = %v, SHOW = %v", hc, row)
	}
	// Errors: an unknown node id, a wrong password.
	// Pgpool-II's clients exit 0 after a server ERROR: ours do as
	// Debian's 4.3 ones do.
	_, errOut, code := run(t, p, false, "pcp_node_info", "-n", "7")
	_, _, debianCode := run(t, p, true, "pcp_node_info", "-n", "7")
	if code != debianCode || !strings.Contains(errOut, "ERROR:  informing node info failed\nDETAIL:  invalid node ID : 7") {
		t.Errorf("pcp_node_info -n 7: exit %d (Debian's %d), %q", code, debianCode, errOut)
	}
	bad := filepath.Join(t.TempDir(), "pcppass")
	os.WriteFile(bad, []byte("*:*:"+pgcluster.PCPUser+":wrong\n"), 0600)
	c := exec.Command(filepath.Join(pgcluster.BuildBinaries(t), "pcp_node_count"), "-h", "127.0.0.1", "-p", strconv.Itoa(p.PCPPort()), "-U", pgcluster.PCPUser, "-w")
	c.Env = append(os.Environ(), "PCPPASSFILE="+bad)
	out, err := c.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), `FATAL:  authentication failed for user "`+pgcluster.PCPUser+`"`) {
		t.Errorf("wrong password: %v\n%s", err, out)
	}
}

func TestProcessReportsMatchShowPoolProcesses(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: params, NumInitChildren: 3})
	procs := show(t, p, "show pool_processes")
	pids := strings.Fields(ok(t, p, false, "pcp_proc_count"))
	if len(pids) != len(procs) {
		t.Fatalf("pcp_proc_count %v, SHOW pool_processes %d rows", pids, len(procs))
	}
	for _, r := range procs {
		found := false
		for _, pid := range pids {
			if pid == r["pool_pid"] {
				found = true
			}
		}
		if !found {
			t.Errorf("child %s of SHOW pool_processes not in pcp_proc_count %v", r["pool_pid"], pids)
		}
	}
	// A client holds a session; pcp_proc_info -P shows it as pool_pools does.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var backendPid int
	conn.QueryRow(ctx, "select pg_backend_pid()").Scan(&backendPid)
	out := ok(t, p, false, "pcp_proc_info", "-a", "-v")
	if !strings.Contains(out, strconv.Itoa(backendPid)) || !strings.Contains(out, pgcluster.Database) {
		t.Errorf("pcp_proc_info does not show the session's backend %d:\n%s", backendPid, out)
	}
}

func TestDetachAttachPromoteAndStop(t *testing.T) {
	cluster.Reset(t)
	dir, _ := os.MkdirTemp("", "pcp-follow-")
	os.Chmod(dir, 0777)
	t.Cleanup(func() { os.RemoveAll(dir) })
	followLog := filepath.Join(dir, "follow.log")
	pr := map[string]string{"follow_primary_command": "echo follow %d %m %M >> " + followLog,
		"failover_command": filepath.Join(cluster.BinDir(), "pg_ctl") + " -D %R -w promote"}
	for k, v := range params {
		pr[k] = v
	}
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: pr})
	status := func() string {
		var s []string
		for _, n := range show(t, p, "show pool_nodes") {
			s = append(s, n["status"]+" "+n["role"])
		}
		return strings.Join(s, ", ")
	}
	wait := func(want string) {
		t.Helper()
		pgcluster.Eventually(t, 20*time.Second, 100*time.Millisecond, func() error {
			if got := status(); got != want {
				return errors.New("nodes: " + got)
			}
			return nil
		})
	}
	if out := ok(t, p, false, "pcp_detach_node", "-n", "1"); !strings.Contains(out, "pcp_detach_node -- Command Successful") {
		t.Fatal(out)
	}
	wait("up primary, down standby")
	_, errOut, _ := run(t, p, false, "pcp_detach_node", "-n", "1")
	if !strings.Contains(errOut, "invalid degenerate backend request, node id : 1 status: [3] is not valid for failover") {
		t.Errorf("detaching a down node: %q", errOut)
	}
	ok(t, p, false, "pcp_attach_node", "-n", "1")
	wait("up primary, up standby")
	// Switchover: node 1 becomes the primary, node 0 is detached and the
	// follow command runs for it.
	if out := ok(t, p, false, "pcp_promote_node", "-s", "-n", "1"); !strings.Contains(out, "Command Successful") {
		t.Fatal(out)
	}
	wait("down standby, up primary")
	pgcluster.Eventually(t, 10*time.Second, 100*time.Millisecond, func() error {
		b, _ := os.ReadFile(followLog)
		if !strings.Contains(string(b), "follow 0 1 0") {
			return errors.New("follow_primary_command has not run for node 0: " + string(b))
		}
		return nil
	})
	if rec, _ := cluster.Node(1).IsInRecovery(); rec {
		t.Fatal("node 1 still in recovery after the switchover")
	}
	_, errOut, _ = run(t, p, false, "pcp_promote_node", "-n", "1")
	if !strings.Contains(errOut, "specified node is already primary node, can't promote node id 1") {
		t.Errorf("promoting the primary: %q", errOut)
	}
	pids := p.Pids()
	if out := ok(t, p, false, "pcp_stop_pgpool", "-m", "fast"); !strings.Contains(out, "pcp_stop_pgpool -- Command Successful") {
		t.Fatal(out)
	}
	if err := p.Wait(20 * time.Second); err != nil {
		t.Fatalf("pgpoold after pcp_stop_pgpool: %v", err)
	}
	for _, pid := range pids {
		if pgcluster.PidAlive(pid) {
			t.Errorf("pid %d survived pcp_stop_pgpool", pid)
		}
	}
}

// TestPgpool43ClientsWork runs Debian's Pgpool-II 4.3.5 pcp_* clients
// against pgpoold with pcp_reply_layout = 4.3.
func TestPgpool43ClientsWork(t *testing.T) {
	cluster.Reset(t)
	pr := map[string]string{"pcp_reply_layout": "4.3"}
	for k, v := range params {
		pr[k] = v
	}
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: pr})
	if got := strings.TrimSpace(ok(t, p, true, "pcp_node_count")); got != "2" {
		t.Fatalf("Debian pcp_node_count = %q", got)
	}
	nodes := show(t, p, "show pool_nodes")
	out := ok(t, p, true, "pcp_node_info", "-a")
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != nodes[i]["hostname"] || f[1] != nodes[i]["port"] || f[4] != nodes[i]["status"] || f[6] != nodes[i]["role"] {
			t.Errorf("Debian pcp_node_info -a line %d = %q, SHOW pool_nodes %v", i, line, nodes[i])
		}
		if !strings.HasSuffix(line, nodes[i]["last_status_change"]) {
			t.Errorf("Debian pcp_node_info -a line %d ends %q, want the last status change %q", i, line, nodes[i]["last_status_change"])
		}
	}
	if pids := strings.Fields(ok(t, p, true, "pcp_proc_count")); len(pids) != 4 {
		t.Errorf("Debian pcp_proc_count = %v, want 4 children", pids)
	}
	ok(t, p, true, "pcp_proc_info")
	if out := ok(t, p, true, "pcp_pool_status"); !strings.Contains(out, "name : port") {
		t.Errorf("Debian pcp_pool_status:\n%s", out)
	}
	ok(t, p, true, "pcp_health_check_stats", "-n", "0")
	ok(t, p, true, "pcp_detach_node", "-n", "1")
	pgcluster.Eventually(t, 10*time.Second, 100*time.Millisecond, func() error {
		if show(t, p, "show pool_nodes")[1]["status"] != "down" {
			return errors.New("node 1 not down yet")
		}
		return nil
	})
	ok(t, p, true, "pcp_attach_node", "-n", "1")
	pgcluster.Eventually(t, 10*time.Second, 100*time.Millisecond, func() error {
		if s := show(t, p, "show pool_nodes")[1]["status"]; s != "up" && s != "waiting" {
			return errors.New("node 1 is " + s)
		}
		return nil
	})
}
