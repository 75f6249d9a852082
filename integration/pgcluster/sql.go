package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Dial opens a pgx connection with connString (pgpoold's or a node's),
// closed when the test ends; a failure ends the test.
func Dial(t testing.TB, connString string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), connString)
	if err != nil {
		t.Fatalf("connect %s: %v", connString, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Conn opens a pgx connection to db on the node's unix socket as the
// superuser. The caller closes it.
func (n *Node) Conn(ctx context.Context, db string) (*pgx.Conn, error) {
	return n.connect(ctx, db, false)
}

// connect opens a superuser connection on the unix socket. The harness's
// own changes (admin) use synchronous_commit = local: with
// Options.ExtraConf naming synchronous standbys, creating the cluster or
// resetting it must not wait for a standby that does not stream yet.
func (n *Node) connect(ctx context.Context, db string, admin bool) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(n.SocketConnString(db))
	if err != nil {
		return nil, fmt.Errorf("connection string of %s: %w", n.name, err)
	}
	if admin {
		cfg.RuntimeParams["synchronous_commit"] = "local"
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s (port %d) db %s: %w", n.name, n.port, db, err)
	}
	return conn, nil
}

// Exec runs sql in database test on a new superuser connection. Without
// args it uses the simple query protocol, so sql may hold several
// statements.
func (n *Node) Exec(sql string, args ...any) error { return n.ExecIn(Database, sql, args...) }

// ExecIn is Exec in database db.
func (n *Node) ExecIn(db, sql string, args ...any) error { return n.exec(false, db, sql, args...) }

// adminExec is ExecIn for the harness's own changes (see connect).
func (n *Node) adminExec(db, sql string, args ...any) error { return n.exec(true, db, sql, args...) }

func (n *Node) exec(admin bool, db, sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), n.c.opts.Timeout)
	defer cancel()
	conn, err := n.connect(ctx, db, admin)
	if err != nil {
		return err
	}
	defer closeConn(conn)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("%s: %s: %w", n.name, abbrev(sql), err)
	}
	return nil
}

// Row is the result of QueryRow; the query runs when Scan is called.
type Row struct {
	n    *Node
	db   string
	sql  string
	args []any
}

// QueryRow prepares a one-row query in database test on a new superuser
// connection; Scan runs it.
func (n *Node) QueryRow(sql string, args ...any) Row { return n.QueryRowIn(Database, sql, args...) }

// QueryRowIn is QueryRow in database db.
func (n *Node) QueryRowIn(db, sql string, args ...any) Row {
	return Row{n: n, db: db, sql: sql, args: args}
}

// Scan runs the query and scans its only row into dest (pgx.ErrNoRows when
// there is none).
func (r Row) Scan(dest ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), r.n.c.opts.Timeout)
	defer cancel()
	conn, err := r.n.Conn(ctx, r.db)
	if err != nil {
		return err
	}
	defer closeConn(conn)
	if err := conn.QueryRow(ctx, r.sql, r.args...).Scan(dest...); err != nil {
		return fmt.Errorf("%s: %s: %w", r.n.name, abbrev(r.sql), err)
	}
	return nil
}

// queryStrings returns the first column of every row.
func (n *Node) queryStrings(db, sql string, args ...any) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), n.c.opts.Timeout)
	defer cancel()
	conn, err := n.Conn(ctx, db)
	if err != nil {
		return nil, err
	}
	defer closeConn(conn)
	rows, _ := conn.Query(ctx, sql, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", n.name, abbrev(sql), err)
	}
	return out, nil
}

// closeConn closes a harness connection and waits (briefly) until its
// backend process has exited, so that the harness's own sessions never show
// up in a test's count of pg_stat_activity or of a node's processes.
func closeConn(conn *pgx.Conn) {
	pid := int(conn.PgConn().PID())
	conn.Close(context.Background())
	WaitFor(5*time.Second, time.Millisecond, func() error {
		if PidAlive(pid) {
			return errBackendAlive
		}
		return nil
	})
}

var errBackendAlive = errors.New("backend still running")

// abbrev shortens a statement for an error message.
func abbrev(sql string) string {
	const max = 80
	if len(sql) <= max {
		return sql
	}
	return sql[:max] + "…"
}
