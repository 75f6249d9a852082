package conformance

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The pgx driver plays the scenarios in this process. pgx's default mode
// (QueryExecModeCacheStatement) runs every Query as a named prepared
// statement over the extended protocol and every Exec without arguments
// as a simple Query, so one session alternates between the two;
// "pgx-simple" plays the same scenarios with QueryExecModeSimpleProtocol
// (and batches become multi-statement simple queries).

var pgxScenarios = []string{
	"autocommit", "tx_read_after_write", "savepoint", "prepared_reuse", "cursor_fetch", "copy",
	"listen_notify", "tx_errors", "timeout_cancel", "large_rows", "pipeline", "mixed_protocol",
	"set_temp", "two_phase",
}

var pgxSimpleScenarios = []string{
	"autocommit", "tx_read_after_write", "savepoint", "prepared_reuse", "cursor_fetch", "copy",
	"listen_notify", "tx_errors", "timeout_cancel", "large_rows", "pipeline", "set_temp", "two_phase",
}

func pgxDriver(name string, mode pgx.QueryExecMode, scenarios []string) *driver {
	return &driver{
		name:      name,
		scenarios: scenarios,
		inProcess: func(ctx context.Context, ep endpoint, scenario string, w *transcript) error {
			e := &pgxEnv{ctx: ctx, ep: ep, w: w, mode: mode}
			defer e.closeAll()
			f := pgxScenarioFuncs[scenario]
			if f == nil {
				return fmt.Errorf("pgx has no scenario %q", scenario)
			}
			return f(e)
		},
	}
}

var pgxScenarioFuncs = map[string]func(*pgxEnv) error{
	"autocommit":          pgxAutocommit,
	"tx_read_after_write": pgxTxReadAfterWrite,
	"savepoint":           pgxSavepoint,
	"prepared_reuse":      pgxPreparedReuse,
	"cursor_fetch":        pgxCursorFetch,
	"copy":                pgxCopy,
	"listen_notify":       pgxListenNotify,
	"tx_errors":           pgxTxErrors,
	"timeout_cancel":      pgxTimeoutCancel,
	"large_rows":          pgxLargeRows,
	"pipeline":            pgxPipeline,
	"mixed_protocol":      pgxMixedProtocol,
	"set_temp":            pgxSetTemp,
	"two_phase":           pgxTwoPhase,
}

// pgxEnv is one scenario's context: its connections and its transcript.
type pgxEnv struct {
	ctx   context.Context
	ep    endpoint
	w     *transcript
	mode  pgx.QueryExecMode
	conns []*pgx.Conn
}

func (e *pgxEnv) simple() bool { return e.mode == pgx.QueryExecModeSimpleProtocol }

// px is one connection of a scenario; label prefixes its lines when a
// scenario uses several.
type px struct {
	e     *pgxEnv
	conn  *pgx.Conn
	label string
}

func (e *pgxEnv) connect(label string) (*px, error) {
	cfg, err := pgx.ParseConfig(e.ep.connString())
	if err != nil {
		return nil, err
	}
	cfg.DefaultQueryExecMode = e.mode
	prefix := ""
	if label != "" {
		prefix = label + " "
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		e.w.printf("%snotice: %s %s %s", prefix, n.Severity, n.Code, n.Message)
	}
	conn, err := pgx.ConnectConfig(e.ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", e.ep.Name, err)
	}
	e.conns = append(e.conns, conn)
	return &px{e: e, conn: conn, label: prefix}, nil
}

func (e *pgxEnv) closeAll() {
	for _, c := range e.conns {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.Close(ctx)
		cancel()
	}
}

func (c *px) printf(format string, args ...any) { c.e.w.printf(c.label+format, args...) }

// q runs a query and prints its rows and tag, or its error.
func (c *px) q(sql string, args ...any) {
	rows, err := c.conn.Query(c.e.ctx, sql, args...)
	if err != nil {
		c.printf("%s", errLine(err))
		return
	}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			c.printf("%s", errLine(err))
			rows.Close()
			return
		}
		c.printf("row: %s", joinValues(vals))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		c.printf("%s", errLine(err))
		return
	}
	c.printf("tag: %s", rows.CommandTag())
}

// ex runs a statement and prints its tag or its error.
func (c *px) ex(sql string, args ...any) {
	tag, err := c.conn.Exec(c.e.ctx, sql, args...)
	if err != nil {
		c.printf("%s", errLine(err))
		return
	}
	c.printf("tag: %s", tag)
}

func (c *px) tx() { c.printf("tx: %c", c.conn.PgConn().TxStatus()) }

func pgxAutocommit(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("create table ac (id int primary key, v text)")
	for i, v := range []string{"one", "two", "three"} {
		c.ex("insert into ac values ($1, $2)", i+1, v)
	}
	c.q("select id, v from ac order by id")
	c.ex("update ac set v = v || '!' where id >= $1", 2)
	c.q("select id, v from ac order by id")
	c.ex("delete from ac where id = $1", 1)
	c.q("select count(*) from ac")
	c.q("insert into ac values (4, 'four') returning id, v")
	c.q("select id, v from ac where id = $1", 4)
	c.q("select v from ac where id = 99")
	c.tx()
	return nil
}

func pgxTxReadAfterWrite(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("create table tw (id int primary key, v text)")
	c.ex("begin")
	c.tx()
	c.q("select count(*) from tw")
	c.ex("insert into tw values (1, 'a')")
	c.q("select count(*) from tw")
	c.ex("update tw set v = 'b' where id = $1", 1)
	c.q("select v from tw where id = $1", 1)
	c.ex("commit")
	c.tx()
	c.q("select v from tw")
	c.ex("begin")
	c.ex("insert into tw values (2, 'c')")
	c.q("select id, v from tw order by id")
	c.ex("rollback")
	c.q("select count(*) from tw")
	c.ex("begin")
	c.q("select count(*) from tw")
	c.q("select v from tw where id = 1")
	c.ex("commit")
	c.ex("start transaction isolation level repeatable read")
	c.q("select count(*) from tw")
	c.ex("insert into tw values (3, 'd')")
	c.q("select count(*) from tw")
	c.ex("commit")
	c.q("select id, v from tw order by id")
	// pgx's own transaction object
	tx, err := c.conn.Begin(e.ctx)
	if err != nil {
		c.printf("%s", errLine(err))
	} else {
		if _, err := tx.Exec(e.ctx, "insert into tw values ($1, $2)", 4, "e"); err != nil {
			c.printf("%s", errLine(err))
		}
		var n int
		if err := tx.QueryRow(e.ctx, "select count(*) from tw").Scan(&n); err != nil {
			c.printf("%s", errLine(err))
		}
		c.printf("count in tx: %d", n)
		if err := tx.Commit(e.ctx); err != nil {
			c.printf("%s", errLine(err))
		}
	}
	c.q("select count(*) from tw")
	c.tx()
	return nil
}

func pgxSavepoint(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("create table sp (id int primary key)")
	c.ex("begin")
	c.ex("insert into sp values (1)")
	c.ex("savepoint a")
	c.ex("insert into sp values (2)")
	c.q("select count(*) from sp")
	c.ex("rollback to savepoint a")
	c.q("select count(*) from sp")
	c.ex("savepoint b")
	c.ex("insert into sp values (3)")
	c.ex("release savepoint b")
	c.q("select array_agg(id order by id) from sp")
	c.ex("savepoint c")
	c.ex("insert into sp values (1)")
	c.tx()
	c.q("select 1")
	c.ex("rollback to savepoint c")
	c.tx()
	c.q("select count(*) from sp")
	c.ex("commit")
	c.q("select count(*) from sp")
	// An error in a read before any write, undone by a savepoint.
	c.ex("begin")
	c.ex("savepoint s")
	c.q("select * from missing_sp")
	c.tx()
	c.ex("rollback to savepoint s")
	c.tx()
	c.q("select count(*) from sp")
	c.ex("insert into sp values (4)")
	c.ex("savepoint t")
	c.q("select 1/0")
	c.ex("rollback to t")
	c.q("select count(*) from sp")
	c.ex("commit")
	c.q("select array_agg(id order by id) from sp")
	// pgx's nested transactions are savepoints.
	tx, err := c.conn.Begin(e.ctx)
	if err == nil {
		tx.Exec(e.ctx, "insert into sp values (5)")
		nested, err := tx.Begin(e.ctx)
		if err == nil {
			if _, err := nested.Exec(e.ctx, "insert into sp values (5)"); err != nil {
				c.printf("%s", errLine(err))
			}
			nested.Rollback(e.ctx)
		}
		if err := tx.Commit(e.ctx); err != nil {
			c.printf("%s", errLine(err))
		}
	}
	c.q("select array_agg(id order by id) from sp")
	c.tx()
	return nil
}

func pgxPreparedReuse(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("create table pr (id int primary key, v text)")
	if !e.simple() {
		for _, s := range [][2]string{
			{"pr_ins", "insert into pr values ($1, $2)"},
			{"pr_sel", "select v from pr where id = $1"},
			{"pr_cnt", "select count(*) from pr"},
		} {
			if _, err := c.conn.Prepare(e.ctx, s[0], s[1]); err != nil {
				c.printf("%s", errLine(err))
			}
		}
		for i := 1; i <= 3; i++ {
			c.ex("begin")
			c.ex("pr_ins", i, "v"+strconv.Itoa(i))
			c.q("pr_sel", i)
			c.q("pr_cnt")
			c.ex("commit")
		}
		c.ex("begin")
		c.q("pr_cnt")
		c.q("pr_sel", 2)
		c.ex("commit")
		c.q("pr_sel", 3)
		c.ex("begin")
		c.ex("pr_ins", 1, "dup")
		c.tx()
		c.ex("rollback")
		c.q("pr_cnt")
		if err := c.conn.Deallocate(e.ctx, "pr_sel"); err != nil {
			c.printf("%s", errLine(err))
		}
		c.q("pr_cnt")
	}
	// The same statement text again and again: pgx's statement cache
	// reuses one server-side statement across transactions.
	for i := 0; i < 3; i++ {
		c.ex("begin")
		c.q("select count(*) from pr where id > $1", i)
		c.ex("insert into pr values ($1, $2)", 10+i, "cached")
		c.q("select count(*) from pr where id > $1", i)
		c.ex("commit")
		c.q("select count(*) from pr where id > $1", i)
	}
	c.ex("prepare sq_sel(int) as select v from pr where id = $1")
	c.q("execute sq_sel(10)")
	c.ex("begin")
	c.ex("insert into pr values (20, 'twenty')")
	c.q("execute sq_sel(20)")
	c.ex("commit")
	c.q("execute sq_sel(20)")
	c.ex("prepare sq_ins(int, text) as insert into pr values ($1, $2)")
	c.ex("execute sq_ins(21, 'x')")
	c.ex("begin")
	c.ex("execute sq_ins(22, 'y')")
	c.q("execute sq_sel(22)")
	c.ex("rollback")
	c.ex("deallocate sq_sel")
	c.q("execute sq_sel(1)")
	c.ex("deallocate all")
	c.q("select count(*) from pr")
	return nil
}

func pgxCursorFetch(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("create table cu (id int primary key, v text)")
	c.ex("insert into cu select g, 'v' || g from generate_series(1, 10) g")
	c.ex("begin")
	c.ex("declare c1 cursor for select id, v from cu order by id")
	c.q("fetch 3 from c1")
	c.q("fetch 3 from c1")
	c.ex("move 2 in c1")
	c.q("fetch all from c1")
	c.ex("close c1")
	c.ex("commit")
	c.ex("declare h1 cursor with hold for select id from cu where id > 5 order by id")
	c.q("fetch 2 from h1")
	c.q("fetch all from h1")
	c.ex("close h1")
	c.ex("declare c2 cursor for select 1")
	c.tx()
	if e.simple() {
		return nil
	}
	// Portals with a row limit, driven at the protocol level as
	// pg-cursor, asyncpg and PgJDBC do.
	c.tx()
	hc, err := c.conn.PgConn().Hijack()
	if err != nil {
		return err
	}
	e.conns = e.conns[:len(e.conns)-1]
	defer hc.Conn.Close()
	if d, ok := e.ctx.Deadline(); ok {
		hc.Conn.SetDeadline(d)
	}
	r := &raw{w: c, fe: hc.Frontend}
	// Execute with a limit, then Flush without Sync (pg-cursor), then
	// close the portal and Sync.
	r.parse("", "select id from cu order by id")
	r.bind("p1", "")
	r.describePortal("p1")
	r.execute("p1", 4)
	r.flush()
	r.until('s')
	r.execute("p1", 4)
	r.flush()
	r.until('s')
	r.closePortal("p1")
	r.sync()
	r.until('Z')
	// A named statement and a portal inside a transaction, with a Sync
	// between the Executes (PgJDBC fetchSize): the portal survives it.
	r.query("begin")
	r.until('Z')
	r.parse("s1", "select id, v from cu where id <= $1 order by id")
	r.describeStatement("s1")
	r.sync()
	r.until('Z')
	r.bind("p2", "s1", "7")
	r.execute("p2", 3)
	r.sync()
	r.until('Z')
	r.execute("p2", 3)
	r.sync()
	r.until('Z')
	r.execute("p2", 3)
	r.sync()
	r.until('Z')
	r.closePortal("p2")
	r.sync()
	r.until('Z')
	r.closeStatement("s1")
	r.sync()
	r.until('Z')
	r.query("commit")
	r.until('Z')
	// The unnamed portal is gone after the implicit transaction ends.
	r.parse("", "select id from cu order by id")
	r.bind("", "")
	r.execute("", 2)
	r.sync()
	r.until('Z')
	r.execute("", 2)
	r.sync()
	r.until('Z')
	r.terminate()
	return r.err
}

func pgxCopy(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("create table cp (id int, v text)")
	rows := make([][]any, 500)
	for i := range rows {
		rows[i] = []any{i + 1, "r" + strconv.Itoa(i+1)}
	}
	if !e.simple() {
		n, err := c.conn.CopyFrom(e.ctx, pgx.Identifier{"cp"}, []string{"id", "v"}, pgx.CopyFromRows(rows))
		if err != nil {
			c.printf("%s", errLine(err))
		}
		c.printf("copied: %d", n)
	}
	copyIn := func(sql, data string) {
		tag, err := c.conn.PgConn().CopyFrom(e.ctx, strings.NewReader(data), sql)
		if err != nil {
			c.printf("%s", errLine(err))
			return
		}
		c.printf("tag: %s", tag)
	}
	copyOut := func(sql string) {
		var b strings.Builder
		tag, err := c.conn.PgConn().CopyTo(e.ctx, &b, sql)
		if err != nil {
			c.printf("%s", errLine(err))
			return
		}
		c.printf("tag: %s lines %d %s", tag, strings.Count(b.String(), "\n"), digest(b.String()))
	}
	var b strings.Builder
	for i := 501; i <= 1000; i++ {
		fmt.Fprintf(&b, "%d,c%d\n", i, i)
	}
	copyIn("copy cp from stdin (format csv)", b.String())
	copyIn("copy cp (id, v) from stdin", "1001\tx\n1002\ty\n")
	c.q("select count(*), sum(id) from cp")
	copyOut("copy (select id, v from cp order by id) to stdout")
	copyOut("copy cp to stdout (format csv, header)")
	copyIn("copy cp from stdin", "x\ty\n")
	copyIn("copy cp from stdin", "2000\tok\n2001\n")
	copyIn("copy missing_cp from stdin", "1\n")
	c.q("select count(*) from cp")
	c.ex("begin")
	copyIn("copy cp from stdin", "3000\tin tx\n3001\tin tx\n")
	c.q("select count(*) from cp")
	copyOut("copy (select id from cp where id >= 3000 order by id) to stdout")
	c.ex("rollback")
	c.q("select count(*) from cp")
	copyOut("copy (select g, md5(g::text) from generate_series(1, 5000) g) to stdout (format csv)")
	c.tx()
	return nil
}

func pgxListenNotify(e *pgxEnv) error {
	a, err := e.connect("A")
	if err != nil {
		return err
	}
	b, err := e.connect("B")
	if err != nil {
		return err
	}
	wait := func(n int) {
		for i := 0; i < n; i++ {
			ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
			note, err := a.conn.WaitForNotification(ctx)
			cancel()
			if err != nil {
				a.printf("wait: %v", err)
				return
			}
			a.printf("notification: %s %s", note.Channel, note.Payload)
		}
	}
	a.ex("listen conf_ch")
	b.ex("notify conf_ch, 'one'")
	wait(1)
	b.ex("begin")
	b.ex("notify conf_ch, 'two'")
	b.ex("notify conf_ch, 'three'")
	b.q("select 1")
	b.ex("commit")
	wait(2)
	b.q("select pg_notify('conf_ch', $1)", "four")
	wait(1)
	a.ex("listen conf_ch2")
	a.ex("unlisten conf_ch")
	b.ex("notify conf_ch, 'lost'")
	b.ex("notify conf_ch2, 'five'")
	wait(1)
	b.ex("begin")
	b.ex("notify conf_ch2, 'rolled back'")
	b.ex("rollback")
	b.ex("notify conf_ch2, 'six'")
	wait(1)
	// A session notifies itself: delivered after its own command.
	a.ex("notify conf_ch2, 'self'")
	wait(1)
	a.ex("begin")
	a.q("select 1")
	b.ex("notify conf_ch2, 'during tx'")
	a.q("select 2")
	a.ex("commit")
	wait(1)
	a.ex("unlisten *")
	a.tx()
	return nil
}

func pgxTxErrors(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("create table te (id int primary key)")
	c.ex("insert into te values (1)")
	c.ex("insert into te values (1)")
	c.q("select count(*) from te")
	c.q("select 1/0")
	c.q("select * from missing_te")
	c.ex("selec 1")
	c.q("select id from te where id = $1", "not a number")
	c.tx()
	// An error after a write.
	c.ex("begin")
	c.ex("insert into te values (2)")
	c.ex("insert into te values (2)")
	c.tx()
	c.q("select 1")
	c.ex("rollback")
	c.tx()
	c.q("select count(*) from te")
	// An error in a read before any write: the transaction is failed for
	// every statement after it, reads and writes alike.
	c.ex("begin")
	c.q("select count(*) from missing_te")
	c.tx()
	c.ex("insert into te values (3)")
	c.q("select count(*) from te")
	c.ex("commit")
	c.tx()
	c.q("select count(*) from te")
	c.ex("begin")
	c.q("select count(*) from te")
	c.q("select 1/0")
	c.ex("rollback")
	c.tx()
	c.ex("begin")
	c.ex("insert into te values (5)")
	c.q("select 1/0")
	c.ex("commit")
	c.q("select count(*) from te")
	c.ex("begin")
	c.q("select count(*) from te")
	c.q("select * from missing_te")
	c.ex("rollback to savepoint nope")
	c.ex("rollback")
	c.ex("commit")
	c.ex("rollback")
	c.q("select count(*) from te")
	c.tx()
	return nil
}

func pgxTimeoutCancel(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("set statement_timeout = '200ms'")
	c.q("select pg_sleep(5)")
	c.q("select count(*) from generate_series(1, 500000000)")
	c.ex("reset statement_timeout")
	c.q("show statement_timeout")
	c.ex("begin")
	c.ex("set local statement_timeout = '200ms'")
	c.q("select pg_sleep(5)")
	c.tx()
	c.ex("rollback")
	c.q("show statement_timeout")
	// Cancel from another connection while the statement runs.
	watcher, err := e.connect("W")
	if err != nil {
		return err
	}
	cancelRunning := func(sql string) {
		done := make(chan error, 1)
		go func() {
			_, err := c.conn.Exec(e.ctx, sql)
			done <- err
		}()
		deadline := time.Now().Add(10 * time.Second)
		for {
			var n int
			err := watcher.conn.QueryRow(e.ctx, "select count(*) from pg_stat_activity where query = $1 and state = 'active'", sql).Scan(&n)
			if err != nil {
				c.printf("watch: %s", errLine(err))
				break
			}
			if n > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := c.conn.PgConn().CancelRequest(e.ctx); err != nil {
			c.printf("cancel request: %v", err)
		}
		if err := <-done; err != nil {
			c.printf("%s", errLine(err))
		} else {
			c.printf("not cancelled")
		}
	}
	cancelRunning("select pg_sleep(20)")
	c.q("select 1")
	c.ex("begin")
	c.ex("create table tc (id int)")
	cancelRunning("select pg_sleep(21)")
	c.tx()
	c.ex("rollback")
	c.q("select count(*) from pg_class where relname = 'tc'")
	c.tx()
	return nil
}

func pgxLargeRows(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.q("select length(repeat('x', 10000000)), md5(repeat('x', 10000000))")
	c.q("select repeat('ab', 4000000)")
	c.ex("create table lr (id int, t text, b bytea)")
	big := strings.Repeat("0123456789abcdef", 6<<16) // 6 MiB
	bin := []byte(strings.Repeat("\x00\x01\xfe\xff", 3<<18))
	c.ex("insert into lr values ($1, $2, $3)", 1, big, bin)
	c.q("select length(t), md5(t), length(b), md5(b) from lr")
	c.q("select t, b from lr")
	c.ex("insert into lr select 2, repeat(t, 3), b || b from lr where id = 1")
	c.q("select id, length(t), md5(t), length(b) from lr order by id")
	rows, err := c.conn.Query(e.ctx, "select g, repeat(md5(g::text), 20) from generate_series(1, 20000) g")
	if err != nil {
		c.printf("%s", errLine(err))
	} else {
		var all strings.Builder
		n := 0
		for rows.Next() {
			var g int
			var s string
			if err := rows.Scan(&g, &s); err != nil {
				c.printf("%s", errLine(err))
				break
			}
			fmt.Fprintf(&all, "%d %s\n", g, s)
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			c.printf("%s", errLine(err))
		}
		c.printf("rows %d %s", n, digest(all.String()))
	}
	c.tx()
	return nil
}

func pgxPipeline(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("create table pl (id int primary key, v text)")
	runBatch := func(b *pgx.Batch) {
		br := c.conn.SendBatch(e.ctx, b)
		for i := 0; i < b.Len(); i++ {
			rows, err := br.Query()
			if err != nil {
				c.printf("batch %d: %s", i, errLine(err))
				continue
			}
			for rows.Next() {
				vals, _ := rows.Values()
				c.printf("batch %d row: %s", i, joinValues(vals))
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				c.printf("batch %d: %s", i, errLine(err))
			} else {
				c.printf("batch %d tag: %s", i, rows.CommandTag())
			}
		}
		if err := br.Close(); err != nil {
			c.printf("batch close: %s", errLine(err))
		}
		c.tx()
	}
	// One batch, one Sync: an implicit transaction whose reads see its
	// own writes.
	b := &pgx.Batch{}
	for i := 1; i <= 20; i++ {
		b.Queue("insert into pl values ($1, $2)", i, "b"+strconv.Itoa(i))
	}
	b.Queue("select count(*), sum(id) from pl")
	b.Queue("update pl set v = v || '!' where id <= $1", 5)
	b.Queue("select v from pl where id = $1", 5)
	runBatch(b)
	c.q("select count(*) from pl")
	// An error in the middle rolls the whole batch back.
	b = &pgx.Batch{}
	b.Queue("insert into pl values ($1, $2)", 100, "x")
	b.Queue("insert into pl values ($1, $2)", 1, "dup")
	b.Queue("insert into pl values ($1, $2)", 101, "y")
	b.Queue("select count(*) from pl")
	runBatch(b)
	c.q("select count(*) from pl")
	// A batch of reads only.
	b = &pgx.Batch{}
	b.Queue("select v from pl where id = $1", 1)
	b.Queue("select count(*) from pl where id > $1", 10)
	b.Queue("select 1/0")
	b.Queue("select 2")
	runBatch(b)
	// A read that fails before a write in the same batch: the error
	// aborts the batch's implicit transaction, so the write, already
	// executed, must not be committed at the Sync.
	b = &pgx.Batch{}
	b.Queue("select count(*) from pl")
	b.Queue("select 1/0")
	b.Queue("insert into pl values ($1, $2)", 150, "after error")
	runBatch(b)
	c.q("select count(*) from pl where id = 150")
	// A batch inside an explicit transaction.
	c.ex("begin")
	b = &pgx.Batch{}
	b.Queue("select count(*) from pl")
	b.Queue("insert into pl values ($1, $2)", 200, "tx")
	b.Queue("select count(*) from pl")
	runBatch(b)
	c.ex("commit")
	c.q("select count(*) from pl")
	if e.simple() {
		return nil
	}
	// pgconn's pipeline: several Syncs in flight, a Prepare among them.
	p := c.conn.PgConn().StartPipeline(e.ctx)
	p.SendPrepare("pl_sel", "select v from pl where id = $1", nil)
	p.SendQueryPrepared("pl_sel", [][]byte{[]byte("1")}, nil, nil)
	p.SendQueryParams("insert into pl values ($1, $2)", [][]byte{[]byte("300"), []byte("p")}, nil, nil, nil)
	p.SendQueryParams("select count(*) from pl", nil, nil, nil, nil)
	p.SendPipelineSync()
	p.SendQueryParams("select v from pl where id = $1", [][]byte{[]byte("300")}, nil, nil, nil)
	p.SendQueryParams("select 1/0", nil, nil, nil, nil)
	p.SendQueryParams("select 3", nil, nil, nil, nil)
	p.SendPipelineSync()
	p.SendQueryPrepared("pl_sel", [][]byte{[]byte("300")}, nil, nil)
	p.SendDeallocate("pl_sel")
	p.SendPipelineSync()
	if err := p.Flush(); err != nil {
		c.printf("pipeline flush: %v", err)
	}
	for syncs := 0; syncs < 3; {
		res, err := p.GetResults()
		if err != nil {
			c.printf("pipeline: %s", errLine(err))
			continue
		}
		switch r := res.(type) {
		case nil:
			c.printf("pipeline: no result")
			syncs = 3
		case *pgconn.StatementDescription:
			c.printf("pipeline: prepared %s (%d params)", r.Name, len(r.ParamOIDs))
		case *pgconn.ResultReader:
			out := r.Read()
			for _, row := range out.Rows {
				parts := make([]string, len(row))
				for i, v := range row {
					parts[i] = string(v)
				}
				c.printf("pipeline row: %s", strings.Join(parts, "|"))
			}
			if out.Err != nil {
				c.printf("pipeline: %s", errLine(out.Err))
			} else {
				c.printf("pipeline tag: %s", out.CommandTag)
			}
		case *pgconn.PipelineSync:
			c.printf("pipeline: sync")
			syncs++
		case *pgconn.CloseComplete:
			c.printf("pipeline: close complete")
		default:
			c.printf("pipeline: %T", r)
		}
	}
	if err := p.Close(); err != nil {
		c.printf("pipeline close: %s", errLine(err))
	}
	c.q("select count(*) from pl")
	c.tx()
	return nil
}

func pgxMixedProtocol(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	s := pgx.QueryExecModeSimpleProtocol
	x := pgx.QueryExecModeExec
	c.ex("create table mx (id int primary key, v text)")
	c.ex("insert into mx values ($1, $2)", x, 1, "ext")
	c.ex("insert into mx values ($1, $2)", s, 2, "simple")
	c.q("select id, v from mx order by id", s)
	c.q("select id, v from mx where id > $1 order by id", 0)
	c.ex("begin")
	c.q("select count(*) from mx", x)
	c.ex("insert into mx values ($1, $2)", x, 3, "ext in tx")
	c.q("select count(*) from mx", s)
	c.ex("insert into mx values ($1, $2)", s, 4, "simple in tx")
	c.q("select count(*) from mx where id > $1", 0)
	c.ex("commit")
	c.q("select count(*) from mx", s)
	c.ex("insert into mx values (5, 'multi'); select count(*) from mx; update mx set v = 'u' where id = 5")
	c.q("select v from mx where id = $1", x, 5)
	c.ex("begin; insert into mx values (6, 'multi tx')")
	c.tx()
	c.q("select count(*) from mx", x)
	c.ex("commit")
	c.q("select id from mx order by id", s)
	c.q("select $1::int + 1", 41)
	c.q("select 42", s)
	c.tx()
	return nil
}

func pgxSetTemp(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("set application_name = 'conformance'")
	c.q("show application_name")
	c.q("select current_setting('application_name')")
	c.ex("set datestyle = 'German'")
	c.q("select '2024-01-02'::date::text")
	c.ex("set search_path = nosuch, public")
	c.q("show search_path")
	c.ex("reset search_path")
	c.q("show search_path")
	c.ex("set intervalstyle = 'iso_8601'")
	c.q("select interval '1 day 2 hours'::text")
	c.ex("create temp table tt (id int, v text)")
	c.ex("insert into tt values (1, 'temp')")
	c.q("select id, v from tt")
	c.q("select count(*) from tt where id = $1", 1)
	c.ex("begin")
	c.ex("set local datestyle = 'ISO'")
	c.q("select '2024-01-02'::date::text")
	c.ex("create temp table tt2 (id int) on commit drop")
	c.ex("insert into tt2 values (1), (2)")
	c.q("select count(*) from tt2")
	c.ex("commit")
	c.q("select '2024-01-02'::date::text")
	c.q("select count(*) from tt2")
	c.ex("begin read only")
	c.q("select count(*) from tt")
	c.ex("create table ro (id int)")
	c.ex("rollback")
	c.ex("set transaction_read_only = on")
	c.ex("set default_transaction_read_only = on")
	c.ex("create table ro (id int)")
	c.ex("reset default_transaction_read_only")
	c.ex("create table ro (id int)")
	c.ex("drop table tt")
	c.q("select * from tt")
	c.ex("reset all")
	c.q("show datestyle")
	c.q("show application_name")
	c.ex("discard temp")
	c.tx()
	return nil
}

func pgxTwoPhase(e *pgxEnv) error {
	c, err := e.connect("")
	if err != nil {
		return err
	}
	c.ex("create table tp (id int primary key)")
	c.ex("begin")
	c.ex("insert into tp values (1)")
	c.ex("prepare transaction 'conf_g1'")
	c.tx()
	c.q("select count(*) from tp")
	c.q("select gid from pg_prepared_xacts where gid like 'conf%' order by gid")
	c.ex("commit prepared 'conf_g1'")
	c.q("select count(*) from tp")
	c.ex("begin")
	c.ex("insert into tp values (2)")
	c.ex("prepare transaction 'conf_g2'")
	c.ex("rollback prepared 'conf_g2'")
	c.q("select count(*) from tp")
	c.ex("begin")
	c.q("select count(*) from tp")
	c.ex("insert into tp values (3)")
	c.q("select count(*) from tp")
	c.ex("prepare transaction 'conf_g3'")
	c.q("select count(*) from tp")
	c.ex("commit prepared 'conf_g3'")
	c.q("select count(*) from tp")
	c.ex("begin")
	c.q("select count(*) from tp")
	c.ex("prepare transaction 'conf_g4'")
	c.tx()
	c.ex("commit prepared 'conf_g4'")
	c.ex("commit prepared 'conf_nonexistent'")
	c.ex("begin")
	c.ex("insert into tp values (1)")
	c.ex("prepare transaction 'conf_g5'")
	c.tx()
	c.q("select gid from pg_prepared_xacts where gid like 'conf%' order by gid")
	c.ex("begin")
	c.ex("commit prepared 'conf_g1'")
	c.ex("rollback")
	c.ex("begin")
	c.ex("insert into tp values (6)")
	c.ex("prepare transaction 'conf_g6'")
	c.ex("begin")
	c.ex("insert into tp values (7)")
	c.ex("prepare transaction 'conf_g6'")
	c.tx()
	c.ex("rollback prepared 'conf_g6'")
	c.q("select array_agg(id order by id) from tp")
	c.tx()
	return nil
}
