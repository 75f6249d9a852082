package process

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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

func connect(t *testing.T, p *pgcluster.Pgpool) *pgx.Conn {
	t.Helper()
	return pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
}

// titles maps each process title (ps args, trimmed) of the pool to the
// number of processes showing it.
func titles(t *testing.T, p *pgcluster.Pgpool) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, pid := range p.Pids() {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err != nil {
			continue
		}
		title := strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
		if pid == p.Pid() {
			title = "supervisor"
		}
		out[title]++
	}
	return out
}

func TestProcessesShowPgpoolTitles(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{NumInitChildren: 4,
		Params: map[string]string{"health_check_period": "30"}})
	var got map[string]int
	pgcluster.Eventually(t, 10*time.Second, 50*time.Millisecond, func() error {
		got = titles(t, p)
		if got["pgpool: wait for connection request"] != 4 || got["pgpool: worker process"] != 1 ||
			got["pgpool: health check process(0)"] != 1 || got["pgpool: health check process(1)"] != 1 {
			return errors.New("not all processes are up")
		}
		return nil
	})
	if got["supervisor"] != 1 {
		t.Errorf("process titles = %v, want one supervisor", got)
	}
	// comm (ps -e, top) says pgpool, not the "exe" of /proc/self/exe.
	for _, pid := range p.Pids() {
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		if pid != p.Pid() && strings.TrimSpace(string(comm)) != "pgpool" {
			t.Errorf("pid %d comm = %q, want pgpool", pid, comm)
		}
	}
}

func TestFifthSessionWaitsForAFreeChild(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{NumInitChildren: 4})
	ctx := context.Background()
	var conns []*pgx.Conn
	for i := 0; i < 4; i++ {
		c := connect(t, p)
		var n int
		if err := c.QueryRow(ctx, "select $1::int", i).Scan(&n); err != nil || n != i {
			t.Fatalf("session %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	fifth := make(chan error, 1)
	go func() {
		c, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
		if err == nil {
			var one int
			err = c.QueryRow(ctx, "select 1").Scan(&one)
			c.Close(ctx)
		}
		fifth <- err
	}()
	select {
	case err := <-fifth:
		t.Fatalf("a fifth session started while four children were busy (err %v)", err)
	case <-time.After(500 * time.Millisecond):
	}
	conns[0].Close(ctx)
	select {
	case err := <-fifth:
		if err != nil {
			t.Fatalf("fifth session after a child was freed: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the fifth session did not start after a session ended")
	}
}

// childPids lists the pool's session children.
func childPids(t *testing.T, p *pgcluster.Pgpool) []int {
	var out []int
	for _, pid := range p.Pids() {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if strings.HasPrefix(string(b), "pgpool: wait for connection request") || strings.Contains(string(b), " idle") {
			out = append(out, pid)
		}
	}
	return out
}

func TestKilledChildIsReplaced(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{NumInitChildren: 2})
	before := childPids(t, p)
	if len(before) != 2 {
		t.Fatalf("children = %v, want 2", before)
	}
	victim := before[0]
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	pgcluster.Eventually(t, 3*time.Second, 20*time.Millisecond, func() error {
		now := childPids(t, p)
		if len(now) != 2 {
			return errors.New("child not replaced yet")
		}
		for _, pid := range now {
			if pid == victim {
				return errors.New("the killed child is still listed")
			}
		}
		return nil
	})
	for i := 0; i < 4; i++ { // every child serves
		c := connect(t, p)
		c.Close(context.Background())
	}
	log, _ := os.ReadFile(p.LogPath())
	if !strings.Contains(string(log), "pid "+strconv.Itoa(victim)) || !strings.Contains(string(log), "terminated by signal") {
		t.Errorf("the supervisor did not log the killed child %d:\n%s", victim, log)
	}
}

func TestWorkersDieWithTheSupervisor(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{NumInitChildren: 3,
		Params: map[string]string{"health_check_period": "30"}})
	workers := p.Pids()
	if len(workers) < 6 {
		t.Fatalf("pids = %v, want supervisor, 3 children, sr-worker, health checks", workers)
	}
	conn := connect(t, p) // one child is busy in a session
	_ = conn
	if err := syscall.Kill(p.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pgcluster.Eventually(t, 3*time.Second, 20*time.Millisecond, func() error {
		for _, pid := range workers {
			if pgcluster.PidAlive(pid) {
				return errors.New("pid " + strconv.Itoa(pid) + " still alive")
			}
		}
		return nil
	})
	t.Logf("all workers gone %v after the supervisor was killed", time.Since(start))
	if c, err := pgx.Connect(context.Background(), p.ConnString(pgcluster.Database, pgcluster.Superuser)); err == nil {
		c.Close(context.Background())
		t.Fatal("a connection succeeded after the whole pool died")
	}
}

// cleanAfterStop checks that a stopped pool left nothing behind.
func cleanAfterStop(t *testing.T, p *pgcluster.Pgpool, pids []int, port int) {
	t.Helper()
	for _, pid := range pids {
		if pgcluster.PidAlive(pid) {
			t.Errorf("pid %d outlived the stop", pid)
		}
	}
	for _, f := range []string{p.PidFilePath(), filepath.Join(p.SocketDir(), ".s.PGSQL."+strconv.Itoa(port)),
		filepath.Join(p.SocketDir(), ".s.PGSQL."+strconv.Itoa(p.PCPPort())), shm.Path(port), shm.Path(port) + ".conf"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s left behind", f)
		}
	}
}

func TestSmartStopWaitsForTheOpenTransaction(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{NumInitChildren: 2})
	ctx := context.Background()
	conn := connect(t, p)
	if _, err := conn.Exec(ctx, "create table smart_stop (id int)"); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "insert into smart_stop values (1)"); err != nil {
		t.Fatal(err)
	}
	pids := p.Pids()
	stopped := make(chan error, 1)
	go func() { stopped <- p.Stop(pgcluster.Smart) }()
	select {
	case err := <-stopped:
		t.Fatalf("smart stop returned while a transaction was open (%v)", err)
	case <-time.After(time.Second):
	}
	if _, err := tx.Exec(ctx, "insert into smart_stop values (2)"); err != nil {
		t.Fatalf("the open transaction broke during a smart stop: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("smart stop did not finish after the session ended")
	}
	var n int
	if err := cluster.Node(0).QueryRow("select count(*) from smart_stop").Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows committed during the smart stop = %d, %v; want 2", n, err)
	}
	cleanAfterStop(t, p, pids, p.Port())
}

func TestFastStopEndsTheOpenTransaction(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{NumInitChildren: 2})
	ctx := context.Background()
	conn := connect(t, p)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "create table fast_stop (id int)"); err != nil {
		t.Fatal(err)
	}
	pids := p.Pids()
	if err := p.Stop(pgcluster.Fast); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "select 1"); err == nil {
		t.Fatal("the session survived a fast stop")
	}
	cleanAfterStop(t, p, pids, p.Port())
	var exists bool
	if err := cluster.Node(0).QueryRow("select to_regclass('fast_stop') is not null").Scan(&exists); err != nil || exists {
		t.Fatalf("the transaction cut by the fast stop was committed (exists %v, %v)", exists, err)
	}
}

func TestReloadReachesRunningChildren(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{NumInitChildren: 2})
	ctx := context.Background()
	c := connect(t, p)
	c.Close(ctx)
	params := p.Params()
	params["log_min_messages"] = "debug1"
	params["port"] = strconv.Itoa(p.Port() + 1000)
	if err := p.Reload(params); err != nil {
		t.Fatal(err)
	}
	// Every child got the new level: each session's child logs at DEBUG1.
	pgcluster.Eventually(t, 10*time.Second, 100*time.Millisecond, func() error {
		for i := 0; i < 4; i++ {
			c, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
			if err != nil {
				return err
			}
			c.Close(ctx)
		}
		log, _ := os.ReadFile(p.LogPath())
		if !strings.Contains(string(log), "child pid") || !strings.Contains(string(log), "DEBUG1:") {
			return errors.New("no DEBUG1 line from a child yet")
		}
		return nil
	})
	log, _ := os.ReadFile(p.LogPath())
	if !strings.Contains(string(log), `parameter "port" cannot be changed without restarting`) {
		t.Errorf("the restart-only change of port was not reported:\n%s", log)
	}
	// The pool still listens on its old port.
	c = connect(t, p)
	c.Close(ctx)
}

func TestSecondPgpooldOnTheSameConfigRefuses(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{NumInitChildren: 2})
	bin := filepath.Join(pgcluster.BuildBinaries(t), "pgpoold")
	out, err := exec.Command(bin, "-n", "-f", p.ConfPath(), "-F", p.PCPConfPath(), "-a", p.HBAPath()).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("second pgpoold: %v, want a non-zero exit\n%s", err, out)
	}
	if !strings.Contains(string(out), "pid file found") || !strings.Contains(string(out), strconv.Itoa(p.Pid())) {
		t.Errorf("second pgpoold did not say why it refused:\n%s", out)
	}
	c := connect(t, p) // the first one still serves
	var one int
	if err := c.QueryRow(context.Background(), "select 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
}

func TestBadConfigIsRefusedWithItsLine(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "pgpool.conf")
	os.WriteFile(conf, []byte("port = 9999\nnum_init_children = lots\n"), 0644)
	bin := filepath.Join(pgcluster.BuildBinaries(t), "pgpoold")
	out, err := exec.Command(bin, "-n", "-f", conf).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("pgpoold with a bad config: %v, want a non-zero exit\n%s", err, out)
	}
	if !strings.Contains(string(out), conf+":2") || !strings.Contains(string(out), "num_init_children") {
		t.Errorf("error does not name file:line and parameter:\n%s", out)
	}
}

func TestDaemonModeDetachesAndStops(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{NumInitChildren: 2})
	// Stop the foreground instance and start the same config as a daemon.
	if err := p.Stop(pgcluster.Fast); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(pgcluster.BuildBinaries(t), "pgpoold")
	cmd := exec.Command(bin, "-f", p.ConfPath(), "-F", p.PCPConfPath(), "-a", p.HBAPath())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("daemon start: %v\n%s", err, out)
	}
	pidText, err := os.ReadFile(p.PidFilePath())
	if err != nil {
		t.Fatalf("no pid file after the daemon started: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(pidText)))
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	c, err := pgx.Connect(context.Background(), p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		t.Fatalf("connect to the daemon: %v", err)
	}
	c.Close(context.Background())
	out, err := exec.Command(bin, "-f", p.ConfPath(), "-m", "fast", "stop").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "done.") {
		t.Fatalf("pgpool stop: %v\n%s", err, out)
	}
	if pgcluster.PidAlive(pid) {
		t.Fatal("the daemon is still running after stop")
	}
	if _, err := os.Stat(p.PidFilePath()); err == nil {
		t.Fatal("pid file left after stop")
	}
}
