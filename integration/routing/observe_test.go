package routing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// How a test sees which node executed a statement: every node logs every
// statement of database test (log_statement = all, set by logStatements),
// and a statement carries a marker comment at its end, so the part of a
// node's log written while the statement ran says whether that node ran
// it. The log line is written before the statement executes and the
// client gets its answer only after every node it was sent to answered,
// so the part is complete when the client has its answer.

// logStatements makes every node log every statement of database test,
// for the sessions opened from now on (Reset undoes it).
func logStatements(t *testing.T) {
	t.Helper()
	execOn(t, primary, "alter database test set log_statement = 'all'")
	waitReplay(t)
}

// logMark is where each node's log ends now.
type logMark []int64

func markLogs(t *testing.T) logMark {
	t.Helper()
	m := make(logMark, len(cluster.Nodes()))
	for i, n := range cluster.Nodes() {
		fi, err := os.Stat(n.LogPath())
		if err != nil {
			t.Fatal(err)
		}
		m[i] = fi.Size()
	}
	return m
}

// since returns what each node logged after the mark.
func (m logMark) since(t *testing.T) []string {
	t.Helper()
	out := make([]string, len(m))
	for i, n := range cluster.Nodes() {
		f, err := os.Open(n.LogPath())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Seek(m[i], io.SeekStart); err != nil {
			f.Close()
			t.Fatal(err)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}

// plainBegin matches a node's log line for the plain BEGIN Pgpool sends
// the standbys instead of BEGIN READ WRITE / ISOLATION LEVEL SERIALIZABLE,
// in the simple (statement:) or the extended protocol (execute <name>:).
var plainBegin = regexp.MustCompile(`(?m)LOG:  (?:statement|execute [^:]*): BEGIN$`)

// nodeSet is a set of node ids as a bit mask.
type nodeSet uint8

const (
	P nodeSet = 1 << primary // the primary only
	S nodeSet = 1 << standby // the standby only
	B         = P | S        // both
)

func (s nodeSet) String() string {
	switch s {
	case 0:
		return "no node"
	case P:
		return "primary"
	case S:
		return "standby"
	case B:
		return "primary+standby"
	}
	return fmt.Sprintf("nodes %b", uint8(s))
}

// main is the node whose answer the client gets: the primary when it is
// in the set.
func (s nodeSet) main() int {
	if s&P != 0 {
		return primary
	}
	return standby
}

// reachedByLog returns the nodes whose log part holds marker.
func reachedByLog(logs []string, marker string) nodeSet {
	var s nodeSet
	for i, l := range logs {
		if strings.Contains(l, marker) {
			s |= 1 << i
		}
	}
	return s
}

// reachedByActivity returns the nodes on which a backend other than the
// caller's started the query text sql at or after since: for statements a
// node does not log, such as empty queries.
func reachedByActivity(t *testing.T, sql string, since time.Time) nodeSet {
	t.Helper()
	var s nodeSet
	for i, n := range cluster.Nodes() {
		var count int64
		if err := n.QueryRow(`select count(*) from pg_stat_activity where pid <> pg_backend_pid()
			and datname = 'test' and query = $1 and query_start >= $2`, sql, since).Scan(&count); err != nil {
			t.Fatal(err)
		}
		if count > 0 {
			s |= 1 << i
		}
	}
	return s
}

// result is what a client got for one statement.
type result struct {
	first string // the first column of the first row, as text ("" without rows)
	err   error
}

func (r result) sqlstate() string {
	var pe *pgconn.PgError
	if errors.As(r.err, &pe) {
		return pe.Code
	}
	return ""
}

// protocol is how a test sends a statement.
type protocol struct {
	name string
	// mode is the pgx mode of the extended protocol; simple uses the
	// simple query protocol directly (multi-statement strings work).
	mode   pgx.QueryExecMode
	simple bool
}

var protocols = []protocol{
	{name: "simple", simple: true},
	// Parse/Bind/Describe/Execute/Sync with the unnamed statement.
	{name: "extended", mode: pgx.QueryExecModeExec},
	// A named statement per SQL text, prepared once per connection and
	// reused: what drivers with statement caches do.
	{name: "prepared", mode: pgx.QueryExecModeCacheStatement},
}

// run sends sql on conn with protocol pr.
func (pr protocol) run(ctx context.Context, conn *pgx.Conn, sql string) result {
	if pr.simple {
		res, err := conn.PgConn().Exec(ctx, sql).ReadAll()
		var r result
		r.err = err
		for _, rr := range res {
			if rr.Err != nil && r.err == nil {
				r.err = rr.Err
			}
			if len(rr.Rows) > 0 && r.first == "" {
				r.first = string(rr.Rows[0][0])
			}
		}
		return r
	}
	rows, err := conn.Query(ctx, sql, pr.mode)
	if err != nil {
		return result{err: err}
	}
	var r result
	for rows.Next() {
		if r.first == "" {
			vals, err := rows.Values()
			if err != nil {
				rows.Close()
				return result{err: err}
			}
			if len(vals) > 0 {
				r.first = fmt.Sprint(vals[0])
			}
		}
	}
	rows.Close()
	r.err = rows.Err()
	return r
}
