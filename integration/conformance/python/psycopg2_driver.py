"""Conformance scenarios for psycopg2 (libpq, simple query protocol).

Usage: psycopg2_driver.py HOST PORT USER DBNAME SCENARIO...

Prints "== SCENARIO", one line per thing the application observes, and
"== end" for each scenario. Run it with Debian's python3 and its
python3-psycopg2 package.
"""

import io
import select
import sys
import threading
import time

from transcript import digest, fmt, out

try:
    import psycopg2
    import psycopg2.extensions
    import psycopg2.extras
except ImportError as e:  # pragma: no cover - reported to the Go test
    sys.stderr.write("psycopg2 is missing (%s): apt-get install python3-psycopg2\n" % e)
    sys.exit(2)

HOST, PORT, USER, DB = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]

TX = {
    psycopg2.extensions.TRANSACTION_STATUS_IDLE: "I",
    psycopg2.extensions.TRANSACTION_STATUS_ACTIVE: "A",
    psycopg2.extensions.TRANSACTION_STATUS_INTRANS: "T",
    psycopg2.extensions.TRANSACTION_STATUS_INERROR: "E",
    psycopg2.extensions.TRANSACTION_STATUS_UNKNOWN: "U",
}


def errline(e):
    if isinstance(e, psycopg2.Error) and e.pgcode:
        return "error: %s %s" % (e.pgcode, e.diag.message_primary)
    return "error: %s %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")


class C:
    """One connection of a scenario; label prefixes its lines."""

    def __init__(self, label="", autocommit=True):
        self.conn = psycopg2.connect(host=HOST, port=PORT, user=USER, dbname=DB, connect_timeout=10)
        self.conn.autocommit = autocommit
        self.label = label + " " if label else ""

    def p(self, line):
        out(self.label + line)

    def notices(self):
        for n in self.conn.notices:
            self.p("notice: " + n.strip())
        del self.conn.notices[:]

    def q(self, sql, args=None):
        """Run a statement; print its rows and status, or its error."""
        cur = self.conn.cursor()
        try:
            cur.execute(sql, args)
            if cur.description is not None:
                for row in cur.fetchall():
                    self.p("row: " + "|".join(fmt(v) for v in row))
            self.p("tag: " + str(cur.statusmessage))
        except psycopg2.Error as e:
            self.p(errline(e))
        finally:
            cur.close()
        self.notices()

    def call(self, what, f, *args):
        try:
            r = f(*args)
            self.p("%s: ok" % what)
            return r
        except psycopg2.Error as e:
            self.p("%s: %s" % (what, errline(e)))
        self.notices()

    def tx(self):
        self.p("tx: " + TX[self.conn.info.transaction_status])

    def close(self):
        self.conn.close()


def autocommit():
    c = C()
    c.q("create table ac (id int primary key, v text)")
    for i, v in enumerate(["one", "two", "three"]):
        c.q("insert into ac values (%s, %s)", (i + 1, v))
    c.q("select id, v from ac order by id")
    c.q("update ac set v = v || '!' where id >= %s", (2,))
    c.q("select id, v from ac order by id")
    c.q("delete from ac where id = %s", (1,))
    c.q("select count(*) from ac")
    c.q("insert into ac values (4, 'four') returning id, v")
    c.q("select id, v from ac where id = %s", (4,))
    c.q("select v from ac where id = 99")
    c.tx()
    c.close()


def tx_read_after_write():
    # psycopg2's default: the first statement opens a transaction, commit()
    # and rollback() end it.
    c = C(autocommit=False)
    c.q("create table tw (id int primary key, v text)")
    c.call("commit", c.conn.commit)
    c.tx()
    c.q("select count(*) from tw")
    c.tx()
    c.q("insert into tw values (1, 'a')")
    c.q("select count(*) from tw")
    c.q("update tw set v = 'b' where id = %s", (1,))
    c.q("select v from tw where id = %s", (1,))
    c.call("commit", c.conn.commit)
    c.tx()
    c.q("select v from tw")
    c.q("insert into tw values (2, 'c')")
    c.q("select id, v from tw order by id")
    c.call("rollback", c.conn.rollback)
    c.q("select count(*) from tw")
    c.q("select v from tw where id = 1")
    c.call("commit", c.conn.commit)
    c.conn.set_session(isolation_level="REPEATABLE READ")
    c.q("select count(*) from tw")
    c.q("insert into tw values (3, 'd')")
    c.q("select count(*) from tw")
    c.call("commit", c.conn.commit)
    c.conn.set_session(isolation_level="READ COMMITTED", readonly=True)
    c.q("select count(*) from tw")
    c.q("insert into tw values (4, 'e')")
    c.call("rollback", c.conn.rollback)
    c.conn.set_session(readonly=False)
    with c.conn:
        with c.conn.cursor() as cur:
            cur.execute("insert into tw values (5, 'f')")
    c.q("select id, v from tw order by id")
    c.call("commit", c.conn.commit)
    c.tx()
    c.close()


def savepoint():
    c = C()
    c.q("create table sp (id int primary key)")
    c.q("begin")
    c.q("insert into sp values (1)")
    c.q("savepoint a")
    c.q("insert into sp values (2)")
    c.q("select count(*) from sp")
    c.q("rollback to savepoint a")
    c.q("select count(*) from sp")
    c.q("savepoint b")
    c.q("insert into sp values (3)")
    c.q("release savepoint b")
    c.q("select array_agg(id order by id) from sp")
    c.q("savepoint c")
    c.q("insert into sp values (1)")
    c.tx()
    c.q("select 1")
    c.q("rollback to savepoint c")
    c.tx()
    c.q("select count(*) from sp")
    c.q("commit")
    c.q("select count(*) from sp")
    c.q("begin")
    c.q("savepoint s")
    c.q("select * from missing_sp")
    c.tx()
    c.q("rollback to savepoint s")
    c.tx()
    c.q("select count(*) from sp")
    c.q("insert into sp values (4)")
    c.q("savepoint t")
    c.q("select 1/0")
    c.q("rollback to t")
    c.q("select count(*) from sp")
    c.q("commit")
    c.q("select array_agg(id order by id) from sp")
    c.tx()
    c.close()


def prepared_reuse():
    c = C()
    c.q("create table pr (id int primary key, v text)")
    c.q("prepare pr_ins(int, text) as insert into pr values ($1, $2)")
    c.q("prepare pr_sel(int) as select v from pr where id = $1")
    c.q("prepare pr_cnt as select count(*) from pr")
    for i in range(1, 4):
        c.q("begin")
        c.q("execute pr_ins(%s, %s)", (i, "v%d" % i))
        c.q("execute pr_sel(%s)", (i,))
        c.q("execute pr_cnt")
        c.q("commit")
    c.q("begin")
    c.q("execute pr_cnt")
    c.q("execute pr_sel(2)")
    c.q("commit")
    c.q("execute pr_sel(3)")
    c.q("begin")
    c.q("execute pr_ins(1, 'dup')")
    c.tx()
    c.q("rollback")
    c.q("execute pr_cnt")
    c.q("deallocate pr_sel")
    c.q("execute pr_sel(1)")
    c.q("select name, statement from pg_prepared_statements order by name")
    c.q("deallocate all")
    c.q("execute pr_cnt")
    c.close()


def cursor_fetch():
    c = C(autocommit=False)
    c.q("create table cu (id int primary key, v text)")
    c.q("insert into cu select g, 'v' || g from generate_series(1, 10) g")
    c.call("commit", c.conn.commit)
    # A named cursor is a server-side DECLARE ... FETCH itersize.
    cur = c.conn.cursor("c1")
    cur.itersize = 3
    cur.execute("select id, v from cu order by id")
    ids = [r[0] for r in cur]
    c.p("named cursor rows: %s" % ids)
    cur.close()
    cur = c.conn.cursor("c2")
    cur.execute("select id from cu where id > %s order by id", (4,))
    c.p("fetchmany: %s" % cur.fetchmany(2))
    c.p("fetchone: %s" % (cur.fetchone(),))
    cur.scroll(1)
    c.p("after scroll: %s" % cur.fetchall())
    cur.close()
    c.call("commit", c.conn.commit)
    cur = c.conn.cursor("h1", withhold=True)
    cur.itersize = 4
    cur.execute("select id from cu order by id desc")
    c.call("commit", c.conn.commit)
    c.p("with hold after commit: %s" % [r[0] for r in cur])
    cur.close()
    cur = c.conn.cursor("bad")
    try:
        cur.execute("select * from missing_cu")
        cur.fetchall()
    except psycopg2.Error as e:
        c.p(errline(e))
    c.tx()
    c.call("rollback", c.conn.rollback)
    c.conn.autocommit = True
    c.q("begin")
    c.q("declare c3 scroll cursor for select id from cu order by id")
    c.q("fetch 3 from c3")
    c.q("fetch prior from c3")
    c.q("fetch last from c3")
    c.q("close c3")
    c.q("commit")
    c.tx()
    c.close()


def copy():
    c = C()
    c.q("create table cp (id int, v text)")
    cur = c.conn.cursor()

    def copy_in(sql, data):
        try:
            cur.copy_expert(sql, io.StringIO(data))
            c.p("copy in: %s" % cur.statusmessage)
        except psycopg2.Error as e:
            c.p(errline(e))
        c.notices()

    def copy_out(sql):
        buf = io.StringIO()
        try:
            cur.copy_expert(sql, buf)
            data = buf.getvalue()
            c.p("copy out: %s lines %d %s" % (cur.statusmessage, data.count("\n"), digest(data)))
        except psycopg2.Error as e:
            c.p(errline(e))

    copy_in("copy cp from stdin (format csv)", "".join("%d,c%d\n" % (i, i) for i in range(1, 1001)))
    cur.copy_from(io.StringIO("1001\tx\n1002\ty\n"), "cp", columns=("id", "v"))
    c.p("copy_from: %s" % cur.statusmessage)
    c.q("select count(*), sum(id) from cp")
    copy_out("copy (select id, v from cp order by id) to stdout")
    copy_out("copy cp to stdout (format csv, header)")
    buf = io.StringIO()
    cur.copy_to(buf, "cp", columns=("id",))
    c.p("copy_to: %s" % digest(buf.getvalue()))
    copy_in("copy cp from stdin", "x\ty\n")
    copy_in("copy cp from stdin", "2000\tok\n2001\n")
    copy_in("copy missing_cp from stdin", "1\n")
    c.q("select count(*) from cp")
    c.q("begin")
    copy_in("copy cp from stdin", "3000\tin tx\n3001\tin tx\n")
    c.q("select count(*) from cp")
    copy_out("copy (select id from cp where id >= 3000 order by id) to stdout")
    c.q("rollback")
    c.q("select count(*) from cp")
    copy_out("copy (select g, md5(g::text) from generate_series(1, 5000) g) to stdout (format csv)")
    c.tx()
    c.close()


def wait_notify(c, n):
    deadline = time.monotonic() + 10
    got = 0
    while got < n:
        c.conn.poll()
        while c.conn.notifies and got < n:
            note = c.conn.notifies.pop(0)
            c.p("notification: %s %s" % (note.channel, note.payload))
            got += 1
        if got >= n:
            return
        left = deadline - time.monotonic()
        if left <= 0:
            c.p("wait: timed out")
            return
        select.select([c.conn], [], [], left)


def listen_notify():
    a, b = C("A"), C("B")
    a.q("listen conf_ch")
    b.q("notify conf_ch, 'one'")
    wait_notify(a, 1)
    b.q("begin")
    b.q("notify conf_ch, 'two'")
    b.q("notify conf_ch, 'three'")
    b.q("select 1")
    b.q("commit")
    wait_notify(a, 2)
    b.q("select pg_notify('conf_ch', %s)", ("four",))
    wait_notify(a, 1)
    a.q("listen conf_ch2")
    a.q("unlisten conf_ch")
    b.q("notify conf_ch, 'lost'")
    b.q("notify conf_ch2, 'five'")
    wait_notify(a, 1)
    b.q("begin")
    b.q("notify conf_ch2, 'rolled back'")
    b.q("rollback")
    b.q("notify conf_ch2, 'six'")
    wait_notify(a, 1)
    a.q("notify conf_ch2, 'self'")
    wait_notify(a, 1)
    a.q("begin")
    a.q("select 1")
    b.q("notify conf_ch2, 'during tx'")
    a.q("select 2")
    a.q("commit")
    wait_notify(a, 1)
    a.q("unlisten *")
    a.tx()
    a.close()
    b.close()


def tx_errors():
    c = C()
    c.q("create table te (id int primary key)")
    c.q("insert into te values (1)")
    c.q("insert into te values (1)")
    c.q("select count(*) from te")
    c.q("select 1/0")
    c.q("select * from missing_te")
    c.q("selec 1")
    c.q("select id from te where id = %s", ("not a number",))
    c.tx()
    c.q("begin")
    c.q("insert into te values (2)")
    c.q("insert into te values (2)")
    c.tx()
    c.q("select 1")
    c.q("rollback")
    c.tx()
    c.q("select count(*) from te")
    c.q("begin")
    c.q("select count(*) from missing_te")
    c.tx()
    c.q("insert into te values (3)")
    c.q("select count(*) from te")
    c.q("commit")
    c.tx()
    c.q("select count(*) from te")
    c.q("begin")
    c.q("insert into te values (5)")
    c.q("select 1/0")
    c.q("commit")
    c.q("select count(*) from te")
    c.q("begin")
    c.q("select count(*) from te")
    c.q("select * from missing_te")
    c.q("rollback to savepoint nope")
    c.q("rollback")
    c.q("commit")
    c.q("insert into te values (7); select 1/0; insert into te values (8)")
    c.q("select count(*) from te")
    c.tx()
    # psycopg2's own transactions: an error leaves the connection in a
    # failed transaction until rollback().
    d = C(autocommit=False)
    d.q("insert into te values (9)")
    d.q("select * from missing_te")
    d.tx()
    d.q("insert into te values (10)")
    d.call("commit", d.conn.commit)
    d.tx()
    d.q("select count(*) from te")
    d.call("rollback", d.conn.rollback)
    c.close()
    d.close()


def cancel_running(c, watcher, sql):
    result = {}

    def run():
        cur = c.conn.cursor()
        try:
            cur.execute(sql)
            result["line"] = "not cancelled"
        except psycopg2.Error as e:
            result["line"] = errline(e)

    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 10
    wcur = watcher.conn.cursor()
    while time.monotonic() < deadline:
        wcur.execute("select count(*) from pg_stat_activity where query = %s and state = 'active'", (sql,))
        if wcur.fetchone()[0] > 0:
            break
        time.sleep(0.01)
    c.conn.cancel()
    t.join(20)
    c.p(result.get("line", "still running"))


def timeout_cancel():
    c = C()
    c.q("set statement_timeout = '200ms'")
    c.q("select pg_sleep(5)")
    c.q("select count(*) from generate_series(1, 500000000)")
    c.q("reset statement_timeout")
    c.q("show statement_timeout")
    c.q("begin")
    c.q("set local statement_timeout = '200ms'")
    c.q("select pg_sleep(5)")
    c.tx()
    c.q("rollback")
    c.q("show statement_timeout")
    w = C("W")
    cancel_running(c, w, "select pg_sleep(20)")
    c.q("select 1")
    c.q("begin")
    c.q("create table tc (id int)")
    cancel_running(c, w, "select pg_sleep(21)")
    c.tx()
    c.q("rollback")
    c.q("select count(*) from pg_class where relname = 'tc'")
    c.tx()
    c.close()
    w.close()


def large_rows():
    c = C()
    c.q("select length(repeat('x', 10000000)), md5(repeat('x', 10000000))")
    c.q("select repeat('ab', 4000000)")
    c.q("create table lr (id int, t text, b bytea)")
    big = "0123456789abcdef" * (6 << 16)
    binv = b"\x00\x01\xfe\xff" * (3 << 18)
    c.q("insert into lr values (%s, %s, %s)", (1, big, psycopg2.Binary(binv)))
    c.q("select length(t), md5(t), length(b), md5(b) from lr")
    c.q("select t, b from lr")
    c.q("insert into lr select 2, repeat(t, 3), b || b from lr where id = 1")
    c.q("select id, length(t), md5(t), length(b) from lr order by id")
    cur = c.conn.cursor()
    cur.execute("select g, repeat(md5(g::text), 20) from generate_series(1, 20000) g")
    rows = cur.fetchall()
    c.p("rows %d %s" % (len(rows), digest("".join("%d %s\n" % r for r in rows))))
    c.tx()
    c.close()


def pipeline():
    # psycopg2 batches by joining statements into one multi-statement
    # query (execute_batch) or one multi-row VALUES (execute_values).
    c = C(autocommit=False)
    c.q("create table pl (id int primary key, v text)")
    c.call("commit", c.conn.commit)
    cur = c.conn.cursor()
    psycopg2.extras.execute_batch(cur, "insert into pl values (%s, %s)", [(i, "b%d" % i) for i in range(1, 21)], page_size=7)
    c.p("execute_batch: %s" % cur.statusmessage)
    c.q("select count(*), sum(id) from pl")
    c.call("commit", c.conn.commit)
    try:
        psycopg2.extras.execute_batch(cur, "insert into pl values (%s, %s)", [(100, "x"), (1, "dup"), (101, "y")])
    except psycopg2.Error as e:
        c.p(errline(e))
    c.tx()
    c.call("rollback", c.conn.rollback)
    c.q("select count(*) from pl")
    psycopg2.extras.execute_values(cur, "insert into pl values %s returning id", [(i, "v%d" % i) for i in range(200, 230)], page_size=10)
    c.p("execute_values: %s" % cur.statusmessage)
    c.q("select count(*) from pl")
    c.call("commit", c.conn.commit)
    c.q("select count(*) from pl")
    c.call("commit", c.conn.commit)
    c.conn.autocommit = True
    c.q("insert into pl values (300, 'm'); select count(*) from pl; update pl set v = 'u' where id = 300; select v from pl where id = 300")
    c.q("select count(*) from pl")
    c.tx()
    c.close()


def set_temp():
    c = C()
    c.q("set application_name = 'conformance'")
    c.q("show application_name")
    c.q("select current_setting('application_name')")
    c.q("set datestyle = 'German'")
    c.q("select '2024-01-02'::date::text")
    c.q("set search_path = nosuch, public")
    c.q("show search_path")
    c.q("reset search_path")
    c.q("show search_path")
    c.q("set intervalstyle = 'iso_8601'")
    c.q("select interval '1 day 2 hours'::text")
    c.q("create temp table tt (id int, v text)")
    c.q("insert into tt values (1, 'temp')")
    c.q("select id, v from tt")
    c.q("select count(*) from tt where id = %s", (1,))
    c.q("begin")
    c.q("set local datestyle = 'ISO'")
    c.q("select '2024-01-02'::date::text")
    c.q("create temp table tt2 (id int) on commit drop")
    c.q("insert into tt2 values (1), (2)")
    c.q("select count(*) from tt2")
    c.q("commit")
    c.q("select '2024-01-02'::date::text")
    c.q("select count(*) from tt2")
    c.q("begin read only")
    c.q("select count(*) from tt")
    c.q("create table ro (id int)")
    c.q("rollback")
    c.q("set default_transaction_read_only = on")
    c.q("create table ro (id int)")
    c.q("reset default_transaction_read_only")
    c.q("create table ro (id int)")
    c.q("drop table tt")
    c.q("select * from tt")
    c.q("reset all")
    c.q("show datestyle")
    c.q("show application_name")
    c.q("discard temp")
    c.tx()
    c.close()


def two_phase():
    c = C()
    c.q("create table tp (id int primary key)")
    c.q("begin")
    c.q("insert into tp values (1)")
    c.q("prepare transaction 'conf_g1'")
    c.tx()
    c.q("select count(*) from tp")
    c.q("select gid from pg_prepared_xacts where gid like 'conf%' order by gid")
    c.q("commit prepared 'conf_g1'")
    c.q("select count(*) from tp")
    c.q("begin")
    c.q("select count(*) from tp")
    c.q("insert into tp values (3)")
    c.q("prepare transaction 'conf_g3'")
    c.q("select count(*) from tp")
    c.q("rollback prepared 'conf_g3'")
    c.q("begin")
    c.q("select count(*) from tp")
    c.q("prepare transaction 'conf_g4'")
    c.q("commit prepared 'conf_g4'")
    c.q("commit prepared 'conf_nonexistent'")
    c.q("begin")
    c.q("insert into tp values (1)")
    c.q("prepare transaction 'conf_g5'")
    c.tx()
    c.q("begin")
    c.q("commit prepared 'conf_g1'")
    c.q("rollback")
    c.close()
    # psycopg2's two-phase commit API (DB-API tpc_*).
    d = C(autocommit=False)
    xid = d.conn.xid(42, "conf_tpc", "branch")
    d.call("tpc_begin", d.conn.tpc_begin, xid)
    d.q("insert into tp values (10)")
    d.q("select count(*) from tp")
    d.call("tpc_prepare", d.conn.tpc_prepare)
    d.tx()
    d.call("tpc_commit", d.conn.tpc_commit)
    d.tx()
    xid = d.conn.xid(42, "conf_tpc2", "branch")
    d.call("tpc_begin", d.conn.tpc_begin, xid)
    d.q("insert into tp values (11)")
    d.call("tpc_prepare", d.conn.tpc_prepare)
    d.close()
    e = C(autocommit=False)
    found = [x for x in e.call("tpc_recover", e.conn.tpc_recover) or [] if x.gtrid and x.gtrid.startswith("conf_")]
    e.p("recovered: %s" % sorted((x.format_id, x.gtrid, x.bqual) for x in found))
    for x in found:
        e.call("tpc_rollback", e.conn.tpc_rollback, x)
    e.q("select array_agg(id order by id) from tp")
    e.call("commit", e.conn.commit)
    e.close()


SCENARIOS = {f.__name__: f for f in [
    autocommit, tx_read_after_write, savepoint, prepared_reuse, cursor_fetch, copy, listen_notify,
    tx_errors, timeout_cancel, large_rows, pipeline, set_temp, two_phase,
]}


def main():
    for name in sys.argv[5:]:
        out("== " + name)
        try:
            SCENARIOS[name]()
        except Exception as e:  # the transcript shows it; the scenario goes on
            out("!! %s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else ""))
        out("== end")


if __name__ == "__main__":
    main()
