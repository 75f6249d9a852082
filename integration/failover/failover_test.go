package failover

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

func pgbench(t *testing.T, p *pgcluster.Pgpool, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(cluster.BinDir(), "pgbench"),
		append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(p.Port()), "-U", pgcluster.Superuser}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func sumBalance(t *testing.T, ctx context.Context, connString string) int64 {
	t.Helper()
	c, err := pgx.Connect(ctx, connString)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var sum int64
	if err := c.QueryRow(ctx, "select sum(abalance) from pgbench_accounts").Scan(&sum); err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestStandbyStoppedIsDetachedAndAttachedBack(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: fastChecks(map[string]string{"backend_weight0": "0"})})
	ctx := context.Background()
	if out, err := pgbench(t, p, "-i", "-s", "1", pgcluster.Database); err != nil {
		t.Fatalf("pgbench -i: %v\n%s", err, out)
	}
	if err := cluster.WaitReplay(); err != nil {
		t.Fatal(err)
	}
	standby, primary := cluster.Node(1), cluster.Node(0)
	if port := servedBy(t, p); port != standby.Port() {
		t.Fatalf("read served by port %d before the failure, want the standby %d", port, standby.Port())
	}
	if err := standby.Stop(pgcluster.Fast); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitNodes(t, p, 15*time.Second, "up primary", "down standby")
	t.Logf("standby detached %v after it stopped", time.Since(start))
	if port := servedBy(t, p); port != primary.Port() {
		t.Fatalf("read served by port %d with the standby down, want the primary %d", port, primary.Port())
	}
	if sum := sumBalance(t, ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser)); sum != 0 {
		t.Fatalf("sum(abalance) through pgpoold = %d, want 0", sum)
	}
	if err := standby.Start(); err != nil {
		t.Fatal(err)
	}
	out := pcp(t, p, "pcp_attach_node", "-n", "1")
	if !strings.Contains(out, "pcp_attach_node -- Command Successful") {
		t.Fatalf("pcp_attach_node: %s", out)
	}
	waitNodes(t, p, 15*time.Second, "up primary", "up standby")
	if port := servedBy(t, p); port != standby.Port() {
		t.Fatalf("read served by port %d after the attach, want the standby %d", port, standby.Port())
	}
	if !logHas(p, "=== Failover done. shutdown host") || !logHas(p, "=== Failback done. reconnect host") {
		t.Error("the log does not show Pgpool's failover and failback lines")
	}
}

func TestPrimaryStoppedFailsOverWithTheSampleScript(t *testing.T) {
	cluster.Reset(t)
	// The script must be reachable by the user pgpoold runs as (postgres
	// when the tests run as root): not under t.TempDir's 0700 parent.
	dir, err := os.MkdirTemp("", "failover-script-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	script := filepath.Join(dir, "failover.sh")
	sample, err := os.ReadFile("../../etc/failover.sh.sample")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, sample, 0755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0755)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: fastChecks(map[string]string{
		"failover_command": script + " %d %h %p %D %m %H %M %P %r %R %N %S",
	})})
	pids := p.Pids()
	ctx := context.Background()
	primary, standby := cluster.Node(0), cluster.Node(1)
	exec1(t, primary, "create table failover_t (id int)")
	if err := primary.Stop(pgcluster.Fast); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitNodes(t, p, 1*time.Second+5*time.Second+3*time.Second, "down standby", "up primary")
	t.Logf("failover done %v after the primary stopped", time.Since(start))
	// The sample script ran with Pgpool's arguments and promoted node 1.
	want := "failover.sh: start: failed_node_id=0 failed_host=127.0.0.1 old_primary_node_id=0 new_main_node_id=1 new_main_host=127.0.0.1"
	if !logHas(p, want) || !logHas(p, "failover.sh: end: new_main_node_id=1 on 127.0.0.1 is promoted to a primary") {
		b, _ := os.ReadFile(p.LogPath())
		t.Fatalf("the failover script's lines are not in the log:\n%s", b)
	}
	if rec, err := standby.IsInRecovery(); err != nil || rec {
		t.Fatalf("node 1 in recovery = %v, %v; want promoted", rec, err)
	}
	c, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "insert into failover_t values (1)"); err != nil {
		t.Fatalf("write through pgpoold after the failover: %v", err)
	}
	noLeftovers(t, p, pids)
}

// TestNoCommittedTransactionIsLost kills the primary under a write load
// with synchronous replication: every commit a client saw acknowledged
// is on the new primary.
func TestNoCommittedTransactionIsLost(t *testing.T) {
	c := pgcluster.New(t, pgcluster.Options{})
	// Synchronous replication on the primary only: the promoted standby
	// must not wait for a synchronous standby of its own.
	if err := c.Node(0).Exec("alter system set synchronous_standby_names = 'node1'"); err != nil {
		t.Fatal(err)
	}
	if err := c.Node(0).Exec("select pg_reload_conf()"); err != nil {
		t.Fatal(err)
	}
	p := pgcluster.StartPgpoold(t, c, pgcluster.PgpoolOptions{NumInitChildren: 8, Params: fastChecks(map[string]string{
		"failover_command": filepath.Join(c.BinDir(), "pg_ctl") + " -D %R -w promote",
	})})
	ctx := context.Background()
	if err := c.Node(0).Exec("create table acked (id int primary key)"); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(c.BinDir(), "pgbench"), "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port()),
		"-U", pgcluster.Superuser, "-i", "-s", "1", pgcluster.Database).CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench -i: %v\n%s", err, out)
	}
	// TPC-B in the background, and writers that record what was acked.
	bench := exec.Command(filepath.Join(c.BinDir(), "pgbench"), "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port()),
		"-U", pgcluster.Superuser, "-n", "-c", "2", "-T", "60", pgcluster.Database)
	bench.Start()
	defer bench.Process.Kill()
	var acked sync.Map
	var next atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn *pgx.Conn
			for {
				select {
				case <-stop:
					if conn != nil {
						conn.Close(ctx)
					}
					return
				default:
				}
				if conn == nil {
					cc, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
					if err != nil {
						time.Sleep(50 * time.Millisecond) // pgpoold is failing over; retry
						continue
					}
					conn = cc
				}
				id := next.Add(1)
				if _, err := conn.Exec(ctx, "insert into acked values ($1)", id); err != nil {
					conn.Close(ctx)
					conn = nil
					continue
				}
				acked.Store(id, true)
			}
		}()
	}
	pgcluster.Eventually(t, 10*time.Second, 50*time.Millisecond, func() error {
		if next.Load() < 200 {
			return errNotYet
		}
		return nil
	})
	if err := c.Node(0).Kill(); err != nil {
		t.Fatal(err)
	}
	waitNodes(t, p, 20*time.Second, "down standby", "up primary")
	before := next.Load()
	pgcluster.Eventually(t, 20*time.Second, 50*time.Millisecond, func() error {
		if next.Load() < before+100 {
			return errNotYet // writers reconnected and go on
		}
		return nil
	})
	close(stop)
	wg.Wait()
	bench.Process.Kill()
	bench.Wait()
	// pgbench through pgpoold works again after the failover.
	out, err = exec.Command(filepath.Join(c.BinDir(), "pgbench"), "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port()),
		"-U", pgcluster.Superuser, "-n", "-c", "2", "-t", "50", pgcluster.Database).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "number of failed transactions: 0") {
		t.Fatalf("pgbench after the failover: %v\n%s", err, out)
	}
	missing := 0
	total := 0
	acked.Range(func(k, _ any) bool {
		total++
		var n int
		if err := c.Node(1).QueryRow("select count(*) from acked where id = $1", k).Scan(&n); err != nil || n != 1 {
			missing++
		}
		return true
	})
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged commits are missing on the new primary", missing, total)
	}
	t.Logf("%d acknowledged commits, all on the new primary", total)
}

func TestReplicationDelayKeepsReadsOnThePrimary(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: fastChecks(map[string]string{
		"backend_weight0": "0", "delay_threshold": "100000",
	})})
	primary, standby := cluster.Node(0), cluster.Node(1)
	exec1(t, primary, "create table delay_t (v text)")
	if err := cluster.WaitReplay(); err != nil {
		t.Fatal(err)
	}
	if port := servedBy(t, p); port != standby.Port() {
		t.Fatalf("read served by %d before the delay, want the standby %d", port, standby.Port())
	}
	exec1(t, standby, "select pg_wal_replay_pause()")
	defer standby.Exec("select pg_wal_replay_resume()")
	exec1(t, primary, "insert into delay_t select repeat('x', 1000) from generate_series(1, 2000)")
	pgcluster.Eventually(t, 15*time.Second, 200*time.Millisecond, func() error {
		rows, err := queryNodes(p, 10*time.Second)
		if err != nil || len(rows) < 2 {
			return errNotYet
		}
		if d, _ := strconv.Atoi(rows[1]["replication_delay"]); d <= 100000 {
			return fmt.Errorf("replication_delay %d, want > 100000", d)
		}
		return nil
	})
	if port := servedBy(t, p); port != primary.Port() {
		t.Fatalf("read served by %d with the standby behind delay_threshold, want the primary %d", port, primary.Port())
	}
	exec1(t, standby, "select pg_wal_replay_resume()")
	pgcluster.Eventually(t, 15*time.Second, 200*time.Millisecond, func() error {
		rows, err := queryNodes(p, 10*time.Second)
		if err != nil || len(rows) < 2 || rows[1]["replication_delay"] != "0" {
			return errNotYet
		}
		return nil
	})
	if port := servedBy(t, p); port != standby.Port() {
		t.Fatalf("read served by %d after the standby caught up, want the standby %d", port, standby.Port())
	}
}

func TestStatusFileIsWrittenAndRestored(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: fastChecks(nil)})
	status := filepath.Join(p.Dir(), "pgpool_status")
	if err := cluster.Node(1).Stop(pgcluster.Fast); err != nil {
		t.Fatal(err)
	}
	waitNodes(t, p, 15*time.Second, "up primary", "down standby")
	if b, _ := os.ReadFile(status); string(b) != "up\ndown\n" {
		t.Fatalf("pgpool_status after the standby failed = %q", b)
	}
	if err := cluster.Node(1).Start(); err != nil {
		t.Fatal(err)
	}
	// Restarted, pgpoold remembers that node 1 was detached.
	if err := p.Stop(pgcluster.Fast); err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	rows := showNodes(t, p)
	if rows[1]["status"] != "down" {
		t.Fatalf("node 1 after a restart = %q, want down (from pgpool_status)", rows[1]["status"])
	}
	// -D discards the file: node 1 comes back.
	if err := p.Stop(pgcluster.Fast); err != nil {
		t.Fatal(err)
	}
	p2 := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: fastChecks(map[string]string{"work_dir": p.Dir()}), ExtraArgs: []string{"-D"}})
	waitNodes(t, p2, 10*time.Second, "up primary", "up standby")
	if b, _ := os.ReadFile(status); string(b) != "up\nup\n" {
		t.Fatalf("pgpool_status after a start with -D = %q", b)
	}
}

// pcp_detach_node -g waits for the connected clients to leave, then
// detaches the node and answers once the failover is done.
func TestGracefulDetachWaitsForClients(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: map[string]string{"recovery_timeout": "60"}})
	ctx := context.Background()
	client, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close(ctx)
	if _, err := client.Exec(ctx, "select 1"); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(pgcluster.BuildBinaries(t), "pcp_detach_node")
	cmd := exec.Command(bin, "-h", "127.0.0.1", "-p", strconv.Itoa(p.PCPPort()), "-U", pgcluster.PCPUser, "-w", "-g", "-n", "1")
	cmd.Env = append(os.Environ(), "PCPPASSFILE="+p.PCPPassFile())
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("pcp_detach_node -g returned with a client connected (%v): %s", err, out.String())
	case <-time.After(2 * time.Second):
	}
	// hostname port status weight status_name ...
	if f := strings.Fields(pcp(t, p, "pcp_node_info", "-n", "1")); len(f) < 5 || f[4] != "up" {
		t.Fatalf("node 1 left before its clients did: %v", f)
	}
	client.Close(ctx)
	select {
	case err := <-done:
		if err != nil || !strings.Contains(out.String(), "pcp_detach_node -- Command Successful") {
			t.Fatalf("pcp_detach_node -g: %v: %s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("pcp_detach_node -g did not return after the last client left")
	}
	waitNodes(t, p, 10*time.Second, "up primary", "down standby")
}
