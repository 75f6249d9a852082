package session

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

func backendPid(t *testing.T, c *pgx.Conn) int {
	t.Helper()
	var pid int
	if err := c.QueryRow(context.Background(), "select pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	return pid
}

// showPools returns SHOW pool_pools rows as maps by column name.
func showPools(t *testing.T, c *pgx.Conn) []map[string]string {
	t.Helper()
	r, err := c.Query(context.Background(), "show pool_pools", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []map[string]string
	for r.Next() {
		vals, _ := r.Values()
		m := map[string]string{}
		for i, f := range r.FieldDescriptions() {
			m[f.Name] = vals[i].(string)
		}
		out = append(out, m)
	}
	if len(r.FieldDescriptions()) != 21 {
		t.Fatalf("SHOW pool_pools has %d columns, want Pgpool 4.7's 21", len(r.FieldDescriptions()))
	}
	return out
}

func TestPooledConnectionIsReusedAndReset(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{NumInitChildren: 1, MaxPool: 2})
	ctx := context.Background()
	conn := p.ConnString(pgcluster.Database, pgcluster.Superuser)

	first := pgcluster.Dial(t, conn)
	pid := backendPid(t, first)
	for _, sql := range []string{"set work_mem = '7MB'", "create temp table leak (x int)", "prepare leakstmt as select 1", "listen leakchan"} {
		if _, err := first.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	first.Close(ctx)

	second := pgcluster.Dial(t, conn)
	if got := backendPid(t, second); got != pid {
		t.Fatalf("backend pid %d after reconnect, want the cached %d", got, pid)
	}
	var workMem string
	second.QueryRow(ctx, "show work_mem").Scan(&workMem)
	if workMem == "7MB" {
		t.Error("a SET of the previous client leaked into the next session")
	}
	var temp bool
	second.QueryRow(ctx, "select to_regclass('pg_temp.leak') is not null").Scan(&temp)
	if temp {
		t.Error("a temporary table of the previous client leaked into the next session")
	}
	if _, err := second.Exec(ctx, "execute leakstmt"); err == nil {
		t.Error("a prepared statement of the previous client leaked into the next session")
	}
	var listening int
	second.QueryRow(ctx, "select count(*) from pg_listening_channels()").Scan(&listening)
	if listening != 0 {
		t.Error("a LISTEN of the previous client leaked into the next session")
	}
	// SHOW pool_pools shows the reuse.
	var found bool
	for _, row := range showPools(t, second) {
		if row["pool_backendpid"] == strconv.Itoa(pid) {
			found = true
			if row["pool_counter"] != "2" || row["pool_connected"] != "1" || row["database"] != pgcluster.Database || row["username"] != pgcluster.Superuser {
				t.Errorf("pool_pools row = %v", row)
			}
		}
	}
	if !found {
		t.Errorf("SHOW pool_pools does not list backend pid %d", pid)
	}
}

func TestOtherStartupOptionsGetAnotherSlot(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{NumInitChildren: 1, MaxPool: 2})
	ctx := context.Background()
	a := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser)+" application_name=a")
	pidA := backendPid(t, a)
	a.Close(ctx)
	b := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser)+" application_name=b")
	if backendPid(t, b) == pidA {
		t.Fatal("a client with another application_name got the cached connection")
	}
	var app string
	b.QueryRow(ctx, "show application_name").Scan(&app)
	if app != "b" {
		t.Fatalf("application_name = %q, want b", app)
	}
}

func TestPostgresDatabaseIsNeverCached(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{NumInitChildren: 1, MaxPool: 2})
	ctx := context.Background()
	a := pgcluster.Dial(t, p.ConnString("postgres", pgcluster.Superuser))
	pid := backendPid(t, a)
	a.Close(ctx)
	b := pgcluster.Dial(t, p.ConnString("postgres", pgcluster.Superuser))
	if backendPid(t, b) == pid {
		t.Fatal("a connection to database postgres was cached (Pgpool never caches it)")
	}
}

func TestKilledClientLeavesNoOpenTransaction(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{NumInitChildren: 2})
	ctx := context.Background()
	nc, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.Port()))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := pgconn.ParseConfig(p.ConnString(pgcluster.Database, pgcluster.Superuser))
	cfg.DialFunc = func(context.Context, string, string) (net.Conn, error) { return nc, nil }
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Exec(ctx, "begin; create table killed_tx (id int)").Close(); err != nil {
		t.Fatal(err)
	}
	// The client dies: its socket closes without a Terminate.
	nc.(*net.TCPConn).SetLinger(0)
	nc.Close()
	pgcluster.Eventually(t, 5*time.Second, 50*time.Millisecond, func() error {
		var n int
		if err := cluster.Node(0).QueryRowIn("postgres",
			"select count(*) from pg_stat_activity where datname = 'test' and state like 'idle in transaction%'").Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			return errors.New("a backend is still idle in transaction")
		}
		return nil
	})
	var exists bool
	cluster.Node(0).QueryRow("select to_regclass('killed_tx') is not null").Scan(&exists)
	if exists {
		t.Fatal("the killed client's transaction was committed")
	}
}

func TestReservedConnectionsRefuseWith53300(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{NumInitChildren: 2, Params: map[string]string{"reserved_connections": "1"}})
	ctx := context.Background()
	// The launcher's readiness session may still be ending in the other
	// child: the first client gets in once it has.
	var first *pgx.Conn
	pgcluster.Eventually(t, 10*time.Second, 50*time.Millisecond, func() error {
		c, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
		first = c
		return err
	})
	defer first.Close(ctx)
	_, err := pgx.Connect(ctx, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "53300" || !strings.Contains(strings.ToLower(pe.Message), "too many clients") {
		t.Fatalf("second client: %v, want 53300 too many clients", err)
	}
}

func TestClientIdleLimitEndsIdleSessions(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{Params: map[string]string{"client_idle_limit": "1"}})
	// An idle client is told why and disconnected, without sending
	// anything (the read waits for pgpoold's message).
	_, r := rawSession(t, p)
	start := time.Now()
	code, sev := errorCode(t, r)
	if code != "57000" || sev != "FATAL" {
		t.Fatalf("idle client got %s %s, want FATAL 57000", sev, code)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Fatalf("disconnected after %v, before client_idle_limit = 1s", d)
	}
}

func TestPgpoolSetChangesOnlyThisSession(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	ctx := context.Background()
	a := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	b := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	show := func(c *pgx.Conn, name string) string {
		var v string
		if err := c.QueryRow(ctx, "pgpool show "+name, pgx.QueryExecModeSimpleProtocol).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if tag, err := a.Exec(ctx, "pgpool set client_idle_limit = 350", pgx.QueryExecModeSimpleProtocol); err != nil || tag.String() != "SET" {
		t.Fatalf("PGPOOL SET: %v %v", tag, err)
	}
	if v := show(a, "client_idle_limit"); v != "350s" && v != "350" {
		t.Errorf("client_idle_limit after PGPOOL SET = %q", v)
	}
	if v := show(b, "client_idle_limit"); v == "350s" || v == "350" {
		t.Error("PGPOOL SET in one session changed another")
	}
	if tag, err := a.Exec(ctx, "pgpool reset all", pgx.QueryExecModeSimpleProtocol); err != nil || tag.String() != "RESET" {
		t.Fatalf("PGPOOL RESET ALL: %v %v", tag, err)
	}
	if v := show(a, "client_idle_limit"); v == "350s" || v == "350" {
		t.Error("PGPOOL RESET ALL did not restore client_idle_limit")
	}
	_, err := a.Exec(ctx, "pgpool show no_such_parameter", pgx.QueryExecModeSimpleProtocol)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, `config variable "no_such_parameter" not found`) {
		t.Fatalf("unknown parameter: %v", err)
	}
	if _, err := a.Exec(ctx, "pgpool set port = 1", pgx.QueryExecModeSimpleProtocol); err == nil {
		t.Fatal("PGPOOL SET of a restart-only parameter was accepted")
	}
	var one int
	if err := a.QueryRow(ctx, "select 1").Scan(&one); err != nil {
		t.Fatalf("session unusable after PGPOOL errors: %v", err)
	}
}

func TestShowPoolStatusAndVersion(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	ctx := context.Background()
	c := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	var v string
	if err := c.QueryRow(ctx, "show pool_version", pgx.QueryExecModeSimpleProtocol).Scan(&v); err != nil || !strings.HasPrefix(v, "4.7") {
		t.Fatalf("pool_version = %q, %v", v, err)
	}
	r, err := c.Query(ctx, "show pool_status", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]string{}
	for r.Next() {
		var item, value, desc string
		r.Scan(&item, &value, &desc)
		items[item] = value
	}
	if items["port"] != strconv.Itoa(p.Port()) || items["backend_status0"] != "up" || items["backend_clustering_mode"] == "" {
		t.Errorf("pool_status items: port=%q backend_status0=%q mode=%q", items["port"], items["backend_status0"], items["backend_clustering_mode"])
	}
}

// connection_life_time closes a pooled connection that stayed idle that
// long, and child_life_time replaces a child that waited that long for a
// client, both while no client comes: the idle child wakes up for them.
func TestLifetimesExpireWithoutClients(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{NumInitChildren: 1, MaxPool: 1, Params: map[string]string{
		"connection_life_time": "1", "child_life_time": "3",
	}})
	ctx := context.Background()
	direct := pgcluster.Dial(t, cluster.Node(0).ConnString(pgcluster.Database))
	alive := func(pid int) bool {
		var n int
		if err := direct.QueryRow(ctx, "select count(*) from pg_stat_activity where pid = $1", pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	a := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	backend := backendPid(t, a)
	child := childServing(t, a)
	a.Close(ctx)
	if !alive(backend) {
		t.Fatal("the backend connection was not kept in the pool")
	}
	pgcluster.Eventually(t, 5*time.Second, 100*time.Millisecond, func() error {
		if alive(backend) {
			return fmt.Errorf("backend %d still connected after connection_life_time = 1", backend)
		}
		return nil
	})
	pgcluster.Eventually(t, 8*time.Second, 100*time.Millisecond, func() error {
		if processAlive(child) {
			return fmt.Errorf("child %d still running after child_life_time = 3", child)
		}
		return nil
	})
	b := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if got := childServing(t, b); got == child {
		t.Fatalf("served by child %d again, want a new child", got)
	}
}

// childServing returns the pid of the pgpoold child serving c: with one
// child, the one pid SHOW pool_processes lists.
func childServing(t *testing.T, c *pgx.Conn) int {
	t.Helper()
	rows, err := c.Query(context.Background(), "show pool_processes", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	pids := map[string]bool{}
	for rows.Next() {
		vals, _ := rows.Values()
		for i, f := range rows.FieldDescriptions() {
			if f.Name == "pool_pid" {
				pids[vals[i].(string)] = true
			}
		}
	}
	if len(pids) != 1 {
		t.Fatalf("SHOW pool_processes lists pids %v, want the one child", pids)
	}
	for pid := range pids {
		n, _ := strconv.Atoi(pid)
		return n
	}
	return 0
}

func processAlive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}
