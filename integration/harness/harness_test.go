package harness

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// cluster is shared by the tests of this package (primary node0, standby node1).
var cluster *pgcluster.Cluster

func TestMain(m *testing.M) {
	pgcluster.Main(m, pgcluster.Options{}, func(c *pgcluster.Cluster) { cluster = c })
}

func exec1(t *testing.T, n *pgcluster.Node, sql string, args ...any) {
	t.Helper()
	if err := n.Exec(sql, args...); err != nil {
		t.Fatal(err)
	}
}

func scan[T any](t *testing.T, n *pgcluster.Node, db, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := n.QueryRowIn(db, sql, args...).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// streamingFrom reports whether primary lists standby (by application_name
// node<i>) as streaming in pg_stat_replication.
func streamingFrom(primary, standby *pgcluster.Node) error {
	var state string
	err := primary.QueryRowIn("postgres",
		"select coalesce(max(state), 'absent') from pg_stat_replication where application_name = $1", standby.Name()).Scan(&state)
	if err != nil {
		return err
	}
	if state != "streaming" {
		return fmt.Errorf("%s in pg_stat_replication of %s: %s", standby.Name(), primary.Name(), state)
	}
	return nil
}

func TestReplication(t *testing.T) {
	cluster.Reset(t)
	primary, standby := cluster.Node(0), cluster.Node(1)

	exec1(t, primary, "create table r (id int primary key, v text); insert into r values (1, 'written on the primary')")
	if err := cluster.WaitReplay(); err != nil {
		t.Fatal(err)
	}
	if v := scan[string](t, standby, pgcluster.Database, "select v from r where id = 1"); v != "written on the primary" {
		t.Errorf("standby reads %q", v)
	}

	if rec, err := primary.IsInRecovery(); err != nil || rec {
		t.Errorf("node0 in recovery = %v, %v; want false", rec, err)
	}
	if rec, err := standby.IsInRecovery(); err != nil || !rec {
		t.Errorf("node1 in recovery = %v, %v; want true", rec, err)
	}
	if p, err := cluster.Primary(); err != nil || p != primary {
		t.Errorf("Primary() = %v, %v; want node0", p, err)
	}

	var pgErr *pgconn.PgError
	if err := standby.Exec("insert into r values (2, 'x')"); !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Errorf("write on the standby: %v; want SQLSTATE 25006 (read_only_sql_transaction)", err)
	}

	t.Run("physical slot per standby, active", func(t *testing.T) {
		var typ string
		var active bool
		if err := primary.QueryRowIn("postgres", "select slot_type, active from pg_replication_slots where slot_name = 'node1'").Scan(&typ, &active); err != nil {
			t.Fatal(err)
		}
		if typ != "physical" || !active {
			t.Errorf("slot node1: type %s, active %v", typ, active)
		}
		if s := scan[string](t, standby, "postgres", "select slot_name from pg_stat_wal_receiver"); s != "node1" {
			t.Errorf("walreceiver of node1 uses slot %q", s)
		}
	})

	t.Run("pg_stat_replication shows application_name node1", func(t *testing.T) {
		if err := streamingFrom(primary, standby); err != nil {
			t.Error(err)
		}
		if port := scan[int32](t, standby, "postgres", "select sender_port from pg_stat_wal_receiver"); int(port) != primary.Port() {
			t.Errorf("node1 streams from port %d, node0 is on %d", port, primary.Port())
		}
	})

	t.Run("loopback and the socket directory only", func(t *testing.T) {
		for _, n := range cluster.Nodes() {
			if la := scan[string](t, n, "postgres", "show listen_addresses"); la != "127.0.0.1" {
				t.Errorf("%s listen_addresses = %q", n.Name(), la)
			}
			if sd := scan[string](t, n, "postgres", "show unix_socket_directories"); sd != cluster.SocketDir() {
				t.Errorf("%s unix_socket_directories = %q, want %q", n.Name(), sd, cluster.SocketDir())
			}
			if _, err := os.Stat(filepath.Join(cluster.SocketDir(), ".s.PGSQL."+strconv.Itoa(n.Port()))); err != nil {
				t.Error(err)
			}
			// Over TCP, as a client would.
			conn, err := pgx.Connect(context.Background(), n.ConnString(pgcluster.Database))
			if err != nil {
				t.Fatal(err)
			}
			conn.Close(context.Background())
		}
	})

	t.Run("servers run as postgres when the tests run as root", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Logf("running as uid %d: servers run as this user", os.Geteuid())
			return
		}
		u, err := user.Lookup(pgcluster.ServerUser)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range cluster.Nodes() {
			uid := procUID(t, n.Pid())
			if uid != u.Uid {
				t.Errorf("%s postmaster runs as uid %s, want %s (%s)", n.Name(), uid, u.Uid, pgcluster.ServerUser)
			}
			var st syscall.Stat_t
			if err := syscall.Stat(n.DataDir(), &st); err != nil {
				t.Fatal(err)
			}
			if strconv.Itoa(int(st.Uid)) != u.Uid {
				t.Errorf("%s data directory owned by uid %d", n.Name(), st.Uid)
			}
		}
	})
}

// procUID is the real uid of a process, from /proc.
func procUID(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "Uid:" {
			return f[1]
		}
	}
	t.Fatalf("no Uid line in /proc/%d/status", pid)
	return ""
}

func TestNodeControl(t *testing.T) {
	cluster.Reset(t)
	primary, standby := cluster.Node(0), cluster.Node(1)
	exec1(t, primary, "create table k (id int)")

	for _, mode := range []pgcluster.StopMode{pgcluster.Smart, pgcluster.Fast, pgcluster.Immediate} {
		t.Run("stop "+mode.String()+" and start the standby", func(t *testing.T) {
			pids := standby.Pids()
			if len(pids) < 3 {
				t.Fatalf("node1 processes: %v", pids)
			}
			if err := standby.Stop(mode); err != nil {
				t.Fatal(err)
			}
			assertDown(t, standby, pids)
			if err := standby.Start(); err != nil {
				t.Fatal(err)
			}
			pgcluster.Eventually(t, 30*time.Second, 20*time.Millisecond, func() error { return streamingFrom(primary, standby) })
		})
	}

	t.Run("kill and start the standby", func(t *testing.T) {
		pids := standby.Pids()
		if err := standby.Kill(); err != nil {
			t.Fatal(err)
		}
		assertDown(t, standby, pids)
		if err := standby.Start(); err != nil {
			t.Fatal(err)
		}
		if rec, err := standby.IsInRecovery(); err != nil || !rec {
			t.Fatalf("node1 in recovery after restart = %v, %v", rec, err)
		}
		pgcluster.Eventually(t, 30*time.Second, 20*time.Millisecond, func() error { return streamingFrom(primary, standby) })
	})

	t.Run("kill the primary: committed rows survive its restart", func(t *testing.T) {
		exec1(t, primary, "insert into k values (42)")
		pids := primary.Pids()
		if err := primary.Kill(); err != nil {
			t.Fatal(err)
		}
		assertDown(t, primary, pids)
		if err := primary.Start(); err != nil {
			t.Fatal(err)
		}
		if n := scan[int64](t, primary, pgcluster.Database, "select count(*) from k where id = 42"); n != 1 {
			t.Errorf("after crash recovery: %d rows with id 42", n)
		}
		pgcluster.Eventually(t, 30*time.Second, 20*time.Millisecond, func() error { return streamingFrom(primary, standby) })
	})

	t.Run("restart gives a new postmaster", func(t *testing.T) {
		pid := primary.Pid()
		if err := primary.Restart(); err != nil {
			t.Fatal(err)
		}
		if np := primary.Pid(); np == 0 || np == pid {
			t.Errorf("pid after restart %d, before %d", np, pid)
		}
	})

	t.Run("stopping a stopped node is a no-op", func(t *testing.T) {
		if err := standby.Stop(pgcluster.Fast); err != nil {
			t.Fatal(err)
		}
		if err := standby.Stop(pgcluster.Fast); err != nil {
			t.Errorf("second stop: %v", err)
		}
		if err := standby.Kill(); err != nil {
			t.Errorf("kill of a stopped node: %v", err)
		}
		if err := standby.Start(); err != nil {
			t.Fatal(err)
		}
		if err := standby.Start(); err == nil {
			t.Error("starting a running node did not fail")
		}
	})
}

// assertDown checks that a node's postmaster (old pid) and every process of
// its group are gone and that it refuses connections.
func assertDown(t *testing.T, n *pgcluster.Node, pids []int) {
	pid := pids[0]
	t.Helper()
	if n.IsRunning() {
		t.Errorf("%s still running (pid %d)", n.Name(), n.Pid())
	}
	if pgcluster.PidAlive(pid) {
		t.Errorf("%s postmaster pid %d alive", n.Name(), pid)
	}
	for _, p := range pids {
		if pgcluster.PidAlive(p) {
			t.Errorf("%s process %d (of %v) still alive", n.Name(), p, pids)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, n.ConnString("postgres")); err == nil {
		conn.Close(ctx)
		t.Errorf("%s accepts connections", n.Name())
	}
}

func TestPromoteAndReset(t *testing.T) {
	// Each case breaks the topology the way a failover test would; Reset
	// must bring back node0 as primary with node1 streaming from it.
	cases := []struct {
		name   string
		break_ func(t *testing.T)
	}{
		{"standby promoted while the primary runs", func(t *testing.T) {
			if err := cluster.Node(1).Promote(); err != nil {
				t.Fatal(err)
			}
			if rec, err := cluster.Node(1).IsInRecovery(); err != nil || rec {
				t.Fatalf("node1 in recovery after promote = %v, %v", rec, err)
			}
			exec1(t, cluster.Node(1), "create table written_on_node1 (id int)")
			if _, err := cluster.Primary(); err == nil || !strings.Contains(err.Error(), "more than one primary") {
				t.Errorf("Primary() with two primaries: %v", err)
			}
		}},
		{"failover: primary killed, standby promoted", func(t *testing.T) {
			if err := cluster.Node(0).Kill(); err != nil {
				t.Fatal(err)
			}
			if err := cluster.Node(1).Promote(); err != nil {
				t.Fatal(err)
			}
			if p, err := cluster.Primary(); err != nil || p != cluster.Node(1) {
				t.Fatalf("Primary() = %v, %v; want node1", p, err)
			}
		}},
		{"old primary rebuilt as a standby of the new one", func(t *testing.T) {
			if err := cluster.Node(0).Stop(pgcluster.Fast); err != nil {
				t.Fatal(err)
			}
			if err := cluster.Node(1).Promote(); err != nil {
				t.Fatal(err)
			}
			exec1(t, cluster.Node(1), "create table after_failover (id int); insert into after_failover values (7)")
			if err := cluster.RebuildStandby(0); err != nil {
				t.Fatal(err)
			}
			if err := streamingFrom(cluster.Node(1), cluster.Node(0)); err != nil {
				t.Fatal(err)
			}
			if err := cluster.WaitReplay(); err != nil {
				t.Fatal(err)
			}
			if n := scan[int64](t, cluster.Node(0), pgcluster.Database, "select count(*) from after_failover"); n != 1 {
				t.Errorf("rebuilt node0 sees %d rows of after_failover", n)
			}
		}},
		{"primary's data directory destroyed", func(t *testing.T) {
			if err := cluster.Node(0).Stop(pgcluster.Immediate); err != nil {
				t.Fatal(err)
			}
			if err := os.RemoveAll(cluster.Node(0).DataDir()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cluster.Reset(t)
			ports := []int{cluster.Node(0).Port(), cluster.Node(1).Port()}
			exec1(t, cluster.Node(0), "create table before_break (id int)")
			tc.break_(t)

			cluster.Reset(t)
			if got := []int{cluster.Node(0).Port(), cluster.Node(1).Port()}; got[0] != ports[0] || got[1] != ports[1] {
				t.Errorf("ports changed from %v to %v", ports, got)
			}
			p, err := cluster.Primary()
			if err != nil || p != cluster.Node(0) {
				t.Fatalf("after Reset: Primary() = %v, %v; want node0", p, err)
			}
			if rec, err := cluster.Node(1).IsInRecovery(); err != nil || !rec {
				t.Fatalf("after Reset: node1 in recovery = %v, %v", rec, err)
			}
			if err := streamingFrom(cluster.Node(0), cluster.Node(1)); err != nil {
				t.Fatal(err)
			}
			for _, n := range cluster.Nodes() {
				if k := scan[int64](t, n, pgcluster.Database, "select count(*) from pg_tables where schemaname = 'public'"); k != 0 {
					t.Errorf("after Reset: %s has %d tables in public", n.Name(), k)
				}
			}
			exec1(t, cluster.Node(0), "create table after_reset (id int); insert into after_reset values (1)")
			if err := cluster.WaitReplay(); err != nil {
				t.Fatal(err)
			}
			if k := scan[int64](t, cluster.Node(1), pgcluster.Database, "select count(*) from after_reset"); k != 1 {
				t.Errorf("after Reset: node1 sees %d rows written on node0", k)
			}
		})
	}
}

func TestResetDropsObjects(t *testing.T) {
	cluster.Reset(t)
	p := cluster.Node(0)
	exec1(t, p, `create table t1 (id int); create schema s; create table s.t2 (id int);
		create function f() returns int language sql as 'select 1'`)
	if err := p.ExecIn("postgres", "create database scratch"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.CreateUser(pgcluster.User{Name: "alice", Password: "secret", Method: "md5"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Exec("create table owned_by_alice (id int); alter table owned_by_alice owner to alice"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.SetHBA([]string{"host all all 127.0.0.1/32 md5"}); err != nil {
		t.Fatal(err)
	}
	// A session left open by the test.
	conn, err := pgx.Connect(context.Background(), p.SocketConnString(pgcluster.Database))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	cluster.Reset(t)

	checks := []struct{ what, db, sql string }{
		{"tables in public", pgcluster.Database, "select count(*) from pg_tables where schemaname = 'public'"},
		{"schema s", pgcluster.Database, "select count(*) from pg_namespace where nspname = 's'"},
		{"function f", pgcluster.Database, "select count(*) from pg_proc where proname = 'f'"},
		{"database scratch", "postgres", "select count(*) from pg_database where datname = 'scratch'"},
		{"role alice", "postgres", "select count(*) from pg_roles where rolname = 'alice'"},
		{"client sessions", "postgres", "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()"},
	}
	for _, n := range cluster.Nodes() {
		for _, c := range checks {
			if k := scan[int64](t, n, c.db, c.sql); k != 0 {
				t.Errorf("%s after Reset: %d × %s", n.Name(), k, c.what)
			}
		}
	}
	if err := conn.Ping(context.Background()); err == nil {
		t.Error("the test's session survived Reset")
	}
	// pg_hba.conf is back to trust on 127.0.0.1.
	c2, err := pgx.Connect(context.Background(), p.ConnString(pgcluster.Database))
	if err != nil {
		t.Fatalf("trust on 127.0.0.1 after Reset: %v", err)
	}
	c2.Close(context.Background())
	// public is PostgreSQL 15's: owned by pg_database_owner, usable by all.
	if owner := scan[string](t, p, pgcluster.Database, "select nspowner::regrole::text from pg_namespace where nspname = 'public'"); owner != "pg_database_owner" {
		t.Errorf("public owned by %s", owner)
	}
}

func TestUsersAndHBA(t *testing.T) {
	certFile, keyFile := selfSignedCert(t)
	c := pgcluster.New(t, pgcluster.Options{
		Nodes: 1,
		SSL:   &pgcluster.SSL{CertFile: certFile, KeyFile: keyFile},
		Users: []pgcluster.User{
			{Name: "md5user", Password: "md5pass", Method: "md5"},
			{Name: "scramuser", Password: "scrampass", Method: "scram-sha-256"},
		},
		HBA: []string{
			"hostnossl all scramuser 127.0.0.1/32 reject",
			"host all md5user   127.0.0.1/32 md5",
			"host all scramuser 127.0.0.1/32 scram-sha-256",
			"host all all       127.0.0.1/32 reject",
		},
		SynchronousCommit: "local",
	})
	n := c.Node(0)
	users := []struct{ name, pass, prefix, ssl string }{
		{"md5user", "md5pass", "md5", "disable"},
		{"scramuser", "scrampass", "SCRAM-SHA-256$", "require"}, // hostnossl rejects it
	}
	for _, u := range users {
		if h := scan[string](t, n, "postgres", "select rolpassword from pg_authid where rolname = $1", u.name); !strings.HasPrefix(h, u.prefix) {
			t.Errorf("%s password stored as %.10s…, want %s", u.name, h, u.prefix)
		}
		conn, err := pgx.Connect(context.Background(), n.ConnString(pgcluster.Database)+" user="+u.name+" password="+u.pass+" sslmode="+u.ssl)
		if err != nil {
			t.Errorf("%s with password: %v", u.name, err)
			continue
		}
		// May create tables in test (Options.Users are granted schema public).
		if _, err := conn.Exec(context.Background(), "create table "+u.name+"_t (id int)"); err != nil {
			t.Errorf("%s create table: %v", u.name, err)
		}
		conn.Close(context.Background())
		if conn, err := pgx.Connect(context.Background(), n.ConnString(pgcluster.Database)+" user="+u.name+" password=wrong"); err == nil {
			conn.Close(context.Background())
			t.Errorf("%s with a wrong password got in", u.name)
		}
	}
	if conn, err := pgx.Connect(context.Background(), n.ConnString(pgcluster.Database)); err == nil {
		conn.Close(context.Background())
		t.Error("postgres over TCP got past the reject rule")
	}
	if conn, err := pgx.Connect(context.Background(), n.ConnString(pgcluster.Database)+" user=scramuser password=scrampass sslmode=disable"); err == nil {
		conn.Close(context.Background())
		t.Error("scramuser without SSL got past the hostnossl reject rule")
	}
	if ssl := scan[string](t, n, "postgres", "show ssl"); ssl != "on" {
		t.Errorf("ssl = %s", ssl)
	}
	if sc := scan[string](t, n, "postgres", "show synchronous_commit"); sc != "local" {
		t.Errorf("synchronous_commit = %s", sc)
	}
}

// showPoolNodes runs SHOW pool_nodes through a pgpool (simple protocol) and
// returns its rows keyed by column name.
func showPoolNodes(ctx context.Context, p *pgcluster.Pgpool) ([]map[string]string, error) {
	conn, err := pgconn.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	res, err := conn.Exec(ctx, "show pool_nodes").ReadAll()
	if err != nil {
		return nil, err
	}
	var rows []map[string]string
	for _, r := range res[0].Rows {
		m := make(map[string]string, len(r))
		for i, f := range res[0].FieldDescriptions {
			m[f.Name] = string(r[i])
		}
		rows = append(rows, m)
	}
	return rows, nil
}

func TestPgpool43Launcher(t *testing.T) {
	cluster.Reset(t)
	ctx := context.Background()
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Binary: pgcluster.DebianPgpool, Dialect: pgcluster.Pgpool43})

	// Pgpool-II 4.3.5 has been seen to show node 0 as standby in the
	// first moments after it logged "primary node is 0" (once in many
	// runs): give its view a few seconds to settle.
	pgcluster.Eventually(t, 5*time.Second, 100*time.Millisecond, func() error {
		rows, err := showPoolNodes(ctx, p)
		if err != nil {
			return err
		}
		if len(rows) != 2 {
			return pgcluster.Abort(fmt.Errorf("SHOW pool_nodes: %d rows, want 2: %v", len(rows), rows))
		}
		for i, r := range rows {
			n := cluster.Node(i)
			want := map[string]string{"node_id": strconv.Itoa(i), "hostname": "127.0.0.1", "port": strconv.Itoa(n.Port()),
				"status": "up", "role": []string{"primary", "standby"}[i]}
			for k, v := range want {
				if r[k] != v {
					return fmt.Errorf("SHOW pool_nodes row %d: %s = %q, want %q", i, k, r[k], v)
				}
			}
		}
		return nil
	})
	// The standby's application_name matches backend_application_name1.
	pgcluster.Eventually(t, 30*time.Second, 100*time.Millisecond, func() error {
		rows, err := showPoolNodes(ctx, p)
		if err != nil {
			return err
		}
		if s := rows[1]["replication_state"]; s != "streaming" {
			return fmt.Errorf("node1 replication_state %q", s)
		}
		return nil
	})

	t.Run("writes go through to the primary", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "create table via_pgpool (id int); insert into via_pgpool values (1)"); err != nil {
			t.Fatal(err)
		}
		if k := scan[int64](t, cluster.Node(0), pgcluster.Database, "select count(*) from via_pgpool"); k != 1 {
			t.Errorf("node0 has %d rows", k)
		}
	})

	t.Run("pcp with pcp.conf and pcppass", func(t *testing.T) {
		cmd := exec.Command("pcp_node_count", "-h", "127.0.0.1", "-p", strconv.Itoa(p.PCPPort()), "-U", pgcluster.PCPUser, "-w")
		cmd.Env = append(os.Environ(), "PCPPASSFILE="+p.PCPPassFile())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pcp_node_count: %v: %s", err, out)
		}
		if s := strings.TrimSpace(string(out)); s != "2" {
			t.Errorf("pcp_node_count = %q, want 2", s)
		}
	})

	t.Run("reload", func(t *testing.T) {
		if err := p.Reload(map[string]string{"backend_weight0": "3", "backend_weight1": "1"}); err != nil {
			t.Fatal(err)
		}
		pgcluster.Eventually(t, 30*time.Second, 100*time.Millisecond, func() error {
			rows, err := showPoolNodes(ctx, p)
			if err != nil {
				return err
			}
			if w := rows[0]["lb_weight"]; w != "0.750000" {
				return fmt.Errorf("node0 lb_weight %s, want 0.750000", w)
			}
			return nil
		})
	})

	t.Run("stop fast with pgpool -m fast stop", func(t *testing.T) {
		pid, children := p.Pid(), p.Pids()
		if len(children) < 5 {
			t.Fatalf("pgpool processes: %v", children)
		}
		if err := p.Stop(pgcluster.Fast); err != nil {
			t.Fatal(err)
		}
		if p.Pid() != 0 || pgcluster.PidAlive(pid) {
			t.Errorf("pgpool pid %d still alive", pid)
		}
		for _, c := range children {
			if pgcluster.PidAlive(c) {
				t.Errorf("pgpool process %d still alive", c)
			}
		}
		if _, err := os.Stat(p.PidFilePath()); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("pid file after stop: %v", err)
		}
		if err := p.Start(); err != nil {
			t.Fatalf("start again: %v", err)
		}
	})

	t.Run("backends on the unix socket", func(t *testing.T) {
		ps := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Binary: pgcluster.DebianPgpool, Dialect: pgcluster.Pgpool43, BackendSocket: true})
		rows, err := showPoolNodes(ctx, ps)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			if r["hostname"] != cluster.SocketDir() || r["status"] != "up" {
				t.Errorf("row %d: hostname %q status %q", i, r["hostname"], r["status"])
			}
		}
		conf, err := os.ReadFile(ps.ConfPath())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(conf), "\nsocket_dir = ") || !strings.Contains(string(conf), "\nlogdir = ") ||
			strings.Contains(string(conf), "unix_socket_directories") || strings.Contains(string(conf), "work_dir") {
			t.Errorf("pgpool.conf is not in 4.3 names:\n%s", conf)
		}
	})
}

func TestCleanupLeavesNothing(t *testing.T) {
	c, err := pgcluster.Start(pgcluster.Options{Nodes: 3, ExtraConf: []string{"synchronous_standby_names = 'FIRST 1 (node1)'"}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]string{1: "sync", 2: "async"} {
		if err := streamingFrom(c.Node(0), c.Node(i)); err != nil {
			c.Close()
			t.Fatal(err)
		}
		// synchronous_standby_names matches the documented application_name.
		if s := scan[string](t, c.Node(0), "postgres", "select sync_state from pg_stat_replication where application_name = $1", c.Node(i).Name()); s != want {
			t.Errorf("node%d sync_state = %s, want %s", i, s, want)
		}
	}
	p, err := pgcluster.LaunchPgpoold(c, pgcluster.PgpoolOptions{Binary: pgcluster.DebianPgpool, Dialect: pgcluster.Pgpool43})
	if err != nil {
		c.Close()
		t.Fatal(err)
	}
	rows, err := showPoolNodes(context.Background(), p)
	if err != nil || len(rows) != 3 {
		t.Errorf("SHOW pool_nodes with 3 nodes: %d rows, %v", len(rows), err)
	}

	var pids []int
	for _, n := range c.Nodes() {
		pids = append(pids, n.Pids()...)
	}
	pids = append(pids, p.Pids()...)
	// Per node the postmaster, checkpointer, background writer, walsender
	// or walreceiver, …; pgpool's main process and its 4 children.
	if len(pids) < 3*4+5 {
		t.Fatalf("only %d server processes found: %v", len(pids), pids)
	}
	dirs := []string{c.Dir(), p.Dir()}

	if err := p.Close(); err != nil {
		t.Error(err)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for _, pid := range pids {
		if pgcluster.PidAlive(pid) {
			t.Errorf("pid %d still alive after Close", pid)
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there after Close (%v)", d, err)
		}
	}
}

func TestBuildBinaries(t *testing.T) {
	dir := pgcluster.BuildBinaries(t)
	for _, prog := range []string{"pgpoold", "pgpool-child", "sr-worker", "pcp"} {
		fi, err := os.Stat(filepath.Join(dir, prog))
		if err != nil {
			t.Error(err)
			continue
		}
		if fi.Mode()&0o005 != 0o005 {
			t.Errorf("%s mode %v: the server user cannot run it", prog, fi.Mode())
		}
	}
	if d2 := pgcluster.BuildBinaries(t); d2 != dir {
		t.Errorf("second BuildBinaries gave %s, first %s", d2, dir)
	}
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key (PEM).
func selfSignedCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestUnusableDirFailsClearly(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Logf("not root (uid %d): servers run as this user, who can use any directory it made", os.Geteuid())
		return
	}
	dir := filepath.Join(t.TempDir(), "private")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	c, err := pgcluster.Start(pgcluster.Options{Dir: dir})
	if err == nil {
		c.Close()
		t.Fatal("a cluster under a root-only directory started")
	}
	if !strings.Contains(err.Error(), "cannot use") || !strings.Contains(err.Error(), "TMPDIR") {
		t.Errorf("error does not say what to do: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind in %s: %v", dir, ents)
	}
}

func TestPgpoolThatExitsFailsFast(t *testing.T) {
	// /bin/false stands for a daemon that rejects its configuration.
	_, err := pgcluster.LaunchPgpoold(cluster, pgcluster.PgpoolOptions{Binary: "/bin/false", ReadyTimeout: time.Minute})
	if err == nil {
		t.Fatal("a pgpool that exits at once was reported ready")
	}
	if !strings.Contains(err.Error(), "pgpool exited (exit status 1)") {
		t.Errorf("error does not say the process exited: %v", err)
	}
}
