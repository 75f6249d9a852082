package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// scenario runs statements on a connection and returns what the client
// saw: rows as text, or the error's SQLSTATE and message.
type scenario func(ctx context.Context, c *pgx.Conn) []string

func rows(ctx context.Context, c *pgx.Conn, mode pgx.QueryExecMode, sql string, args ...any) []string {
	r, err := c.Query(ctx, sql, append([]any{mode}, args...)...)
	if err != nil {
		return []string{errText(err)}
	}
	var out []string
	for r.Next() {
		vals, err := r.Values()
		if err != nil {
			return append(out, errText(err))
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := r.Err(); err != nil {
		out = append(out, errText(err))
	}
	out = append(out, r.CommandTag().String())
	return out
}

func errText(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return "ERROR " + pe.Code + " " + pe.Message
	}
	return "error " + err.Error()
}

var modes = map[string]pgx.QueryExecMode{
	"simple":   pgx.QueryExecModeSimpleProtocol,
	"extended": pgx.QueryExecModeExec,
	"prepared": pgx.QueryExecModeCacheStatement,
	"describe": pgx.QueryExecModeDescribeExec,
}

func TestPgxSeesTheSameThroughPgpooldAsDirectly(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	ctx := context.Background()
	for name, mode := range modes {
		t.Run(name, func(t *testing.T) {
			table := "relay_" + name
			script := func(ctx context.Context, c *pgx.Conn) []string {
				var out []string
				out = append(out, rows(ctx, c, mode, "select $1::int + 1, $2::text, null::int, now() = now()", 41, "x")...)
				out = append(out, rows(ctx, c, mode, "select repeat('ab', 200000)")...) // a 400 kB value
				out = append(out, rows(ctx, c, mode, "select g, md5(g::text) from generate_series(1, 2000) g")...)
				out = append(out, rows(ctx, c, mode, "select 1/0")...)
				out = append(out, rows(ctx, c, mode, "select * from no_such_table")...)
				out = append(out, rows(ctx, c, mode, "create temp table "+table+" (id int primary key, v text)")...)
				out = append(out, rows(ctx, c, mode, "insert into "+table+" values ($1, $2)", 1, "one")...)
				out = append(out, rows(ctx, c, mode, "insert into "+table+" values ($1, $2)", 1, "dup")...)
				out = append(out, rows(ctx, c, mode, "select * from "+table)...)
				return out
			}
			sameAsDirect(t, ctx, p, script)
		})
	}
}

func TestTransactionsAndErrorsKeepTheirState(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	ctx := context.Background()
	script := func(ctx context.Context, c *pgx.Conn) []string {
		var out []string
		run := func(sql string) {
			_, err := c.Exec(ctx, sql)
			if err != nil {
				out = append(out, errText(err))
			} else {
				out = append(out, "ok")
			}
			out = append(out, string(c.PgConn().TxStatus()))
		}
		run("begin")
		run("create temp table tx_state (id int)")
		run("savepoint a")
		run("insert into tx_state values ('x')")
		run("select 1")
		run("rollback to savepoint a")
		run("insert into tx_state values (1)")
		run("commit")
		run("select count(*) from tx_state")
		run("rollback")
		return out
	}
	sameAsDirect(t, ctx, p, script)
}

func TestBatchAndPipeline(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	ctx := context.Background()
	script := func(ctx context.Context, c *pgx.Conn) []string {
		b := &pgx.Batch{}
		for i := 0; i < 200; i++ {
			b.Queue("select $1::int * 2", i)
		}
		b.Queue("select 1/0")
		b.Queue("select 'after the error'")
		res := c.SendBatch(ctx, b)
		var out []string
		for i := 0; i < 202; i++ {
			var v any
			if err := res.QueryRow().Scan(&v); err != nil {
				out = append(out, errText(err))
			} else {
				out = append(out, fmt.Sprint(v))
			}
		}
		res.Close()
		var one int
		c.QueryRow(ctx, "select 1").Scan(&one)
		out = append(out, fmt.Sprint(one))
		return out
	}
	sameAsDirect(t, ctx, p, script)
}

func TestCopyInAndOut(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	ctx := context.Background()
	via := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if _, err := via.Exec(ctx, "create table copy_t (id int, v text)"); err != nil {
		t.Fatal(err)
	}
	var data strings.Builder
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&data, "%d\t%s\n", i, strings.Repeat("v", i%100))
	}
	tag, err := via.PgConn().CopyFrom(ctx, strings.NewReader(data.String()), "copy copy_t from stdin")
	if err != nil || tag.RowsAffected() != 50000 {
		t.Fatalf("copy in: %v, %v", tag, err)
	}
	var out strings.Builder
	tag, err = via.PgConn().CopyTo(ctx, &out, "copy (select * from copy_t order by id) to stdout")
	if err != nil || tag.RowsAffected() != 50000 {
		t.Fatalf("copy out: %v, %v", tag, err)
	}
	if out.String() != data.String() {
		t.Fatal("copied out data differs from what was copied in")
	}
	// A failing COPY leaves the session usable.
	_, err = via.PgConn().CopyFrom(ctx, strings.NewReader("not a number\tx\n"), "copy copy_t from stdin")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22P02" {
		t.Fatalf("bad copy data: %v, want 22P02", err)
	}
	var n int
	if err := via.QueryRow(ctx, "select count(*) from copy_t").Scan(&n); err != nil || n != 50000 {
		t.Fatalf("after a failed copy: %d, %v", n, err)
	}
}

func TestListenNotify(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	ctx := context.Background()
	listener := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if _, err := listener.Exec(ctx, "listen chan"); err != nil {
		t.Fatal(err)
	}
	notifier := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	if _, err := notifier.Exec(ctx, "select pg_notify('chan', 'hello')"); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// The notification arrives while the listener is idle (pgpoold must
	// pass it on without a query from the client).
	n, err := listener.WaitForNotification(wctx)
	if err != nil || n.Channel != "chan" || n.Payload != "hello" {
		t.Fatalf("notification = %+v, %v", n, err)
	}
}

func TestCancelThroughContext(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	ctx := context.Background()
	via := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	qctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := via.Exec(qctx, "select pg_sleep(30)")
	if err == nil {
		t.Fatal("pg_sleep(30) was not cancelled")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancel took %v", d)
	}
	// pgx closes the connection after a context cancel; a new session
	// works and the backend query is gone.
	pgcluster.Eventually(t, 5*time.Second, 50*time.Millisecond, func() error {
		var n int
		if err := cluster.Node(0).QueryRowIn("postgres", "select count(*) from pg_stat_activity where query = 'select pg_sleep(30)' and state = 'active'").Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			return errors.New("pg_sleep still running on the backend")
		}
		return nil
	})
}
