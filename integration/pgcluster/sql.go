package pgcluster

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Conn opens a pgx connection to db on the node's unix socket as the
// superuser. The caller closes it.
func (n *Node) Conn(ctx context.Context, db string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, n.SocketConnString(db))
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
func (n *Node) ExecIn(db, sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), n.c.opts.Timeout)
	defer cancel()
	conn, err := n.Conn(ctx, db)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
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
	defer conn.Close(context.Background())
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
	defer conn.Close(context.Background())
	rows, _ := conn.Query(ctx, sql, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", n.name, abbrev(sql), err)
	}
	return out, nil
}

// abbrev shortens a statement for an error message.
func abbrev(sql string) string {
	const max = 80
	if len(sql) <= max {
		return sql
	}
	return sql[:max] + "…"
}
