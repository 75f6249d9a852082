"""Conformance scenarios for asyncpg (its own protocol implementation).

Usage: asyncpg_driver.py HOST PORT USER DBNAME SCENARIO...

asyncpg runs every query with arguments, and every fetch, as a named
prepared statement over the extended protocol (cached and reused), and
Connection.execute without arguments as a simple Query; cursors are
portals read with Execute row limits; executemany is one pipeline with
a single Sync. Run it with Debian's python3 and python3-asyncpg.
"""

import asyncio
import io
import sys

from transcript import digest, fmt, out

try:
    import asyncpg
except ImportError as e:  # pragma: no cover - reported to the Go test
    sys.stderr.write("asyncpg is missing (%s): apt-get install python3-asyncpg\n" % e)
    sys.exit(2)

HOST, PORT, USER, DB = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def errline(e):
    if isinstance(e, asyncpg.PostgresError):
        return "error: %s %s" % (e.sqlstate, e.message)
    if isinstance(e, asyncio.TimeoutError):
        return "error: timeout"
    s = str(e).strip()
    return "error: %s %s" % (type(e).__name__, s.splitlines()[0] if s else "")


class C:
    """One connection of a scenario; label prefixes its lines."""

    def __init__(self, label=""):
        self.label = label + " " if label else ""
        self.conn = None
        self.notes = []

    async def open(self):
        self.conn = await asyncpg.connect(host=HOST, port=PORT, user=USER, database=DB, ssl=False, timeout=10)
        self.conn.add_log_listener(lambda conn, msg: self.p("notice: %s %s %s" % (msg.severity, msg.sqlstate, msg.message)))
        return self

    def p(self, line):
        out(self.label + line)

    async def ex(self, sql, *args):
        """Connection.execute: a simple Query without args, else extended."""
        try:
            self.p("tag: %s" % await self.conn.execute(sql, *args))
        except Exception as e:
            self.p(errline(e))

    async def q(self, sql, *args):
        """Connection.fetch: always a prepared statement."""
        try:
            for r in await self.conn.fetch(sql, *args):
                self.p("row: " + "|".join(fmt(v) for v in r))
        except Exception as e:
            self.p(errline(e))

    def tx(self):
        self.p("in transaction: %s" % self.conn.is_in_transaction())

    async def close(self):
        await self.conn.close()


async def connect(label=""):
    return await C(label).open()


async def autocommit():
    c = await connect()
    await c.ex("create table ac (id int primary key, v text)")
    for i, v in enumerate(["one", "two", "three"]):
        await c.ex("insert into ac values ($1, $2)", i + 1, v)
    await c.q("select id, v from ac order by id")
    await c.ex("update ac set v = v || '!' where id >= $1", 2)
    await c.q("select id, v from ac order by id")
    await c.ex("delete from ac where id = $1", 1)
    await c.q("select count(*) from ac")
    await c.q("insert into ac values (4, 'four') returning id, v")
    await c.q("select id, v from ac where id = $1", 4)
    c.p("fetchval: %s" % await c.conn.fetchval("select v from ac where id = $1", 2))
    c.p("fetchrow: %s" % await c.conn.fetchrow("select v from ac where id = 99"))
    c.tx()
    await c.close()


async def tx_read_after_write():
    c = await connect()
    await c.ex("create table tw (id int primary key, v text)")
    async with c.conn.transaction():
        c.tx()
        await c.q("select count(*) from tw")
        await c.ex("insert into tw values ($1, $2)", 1, "a")
        await c.q("select count(*) from tw")
        await c.ex("update tw set v = 'b' where id = $1", 1)
        await c.q("select v from tw where id = $1", 1)
    c.tx()
    await c.q("select v from tw")
    tr = c.conn.transaction()
    await tr.start()
    await c.ex("insert into tw values (2, 'c')")
    await c.q("select id, v from tw order by id")
    await tr.rollback()
    await c.q("select count(*) from tw")
    async with c.conn.transaction(isolation="repeatable_read"):
        await c.q("select count(*) from tw")
        await c.ex("insert into tw values ($1, $2)", 3, "d")
        await c.q("select count(*) from tw")
    async with c.conn.transaction(readonly=True):
        await c.q("select count(*) from tw")
    try:
        async with c.conn.transaction(readonly=True):
            await c.ex("insert into tw values (4, 'e')")
    except Exception as e:
        c.p(errline(e))
    async with c.conn.transaction(isolation="serializable"):
        await c.q("select count(*) from tw")
        await c.ex("insert into tw values ($1, $2)", 5, "f")
    await c.q("select id, v from tw order by id")
    c.tx()
    await c.close()


async def savepoint():
    c = await connect()
    await c.ex("create table sp (id int primary key)")
    async with c.conn.transaction():
        await c.ex("insert into sp values (1)")
        try:
            async with c.conn.transaction():  # a savepoint
                await c.ex("insert into sp values ($1)", 2)
                await c.q("select count(*) from sp")
                raise RuntimeError("roll back to the savepoint")
        except RuntimeError as e:
            c.p("rolled back: %s" % e)
        await c.q("select count(*) from sp")
        async with c.conn.transaction():
            await c.ex("insert into sp values ($1)", 3)
        await c.q("select array_agg(id order by id) from sp")
        try:
            async with c.conn.transaction():
                await c.conn.execute("insert into sp values ($1)", 1)
        except Exception as e:
            c.p(errline(e))
        c.tx()
        await c.q("select count(*) from sp")
    await c.q("select count(*) from sp")
    async with c.conn.transaction():
        try:
            async with c.conn.transaction():
                await c.conn.fetch("select * from missing_sp")
        except Exception as e:
            c.p(errline(e))
        await c.q("select count(*) from sp")
        await c.ex("insert into sp values (4)")
        try:
            async with c.conn.transaction():
                await c.conn.fetch("select 1/0")
        except Exception as e:
            c.p(errline(e))
        await c.q("select count(*) from sp")
    await c.q("select array_agg(id order by id) from sp")
    await c.ex("begin")
    await c.ex("savepoint a")
    await c.ex("insert into sp values (1)")
    await c.ex("rollback to savepoint a")
    await c.q("select count(*) from sp")
    await c.ex("commit")
    c.tx()
    await c.close()


async def prepared_reuse():
    c = await connect()
    await c.ex("create table pr (id int primary key, v text)")
    ins = await c.conn.prepare("insert into pr values ($1, $2)")
    sel = await c.conn.prepare("select v from pr where id = $1")
    cnt = await c.conn.prepare("select count(*) from pr")
    for i in range(1, 4):
        async with c.conn.transaction():
            c.p("ins: %s" % await ins.fetch(i, "v%d" % i))
            c.p("sel: %s" % await sel.fetchval(i))
            c.p("cnt: %s" % await cnt.fetchval())
    async with c.conn.transaction():
        c.p("cnt: %s" % await cnt.fetchval())
        c.p("sel: %s" % await sel.fetchval(2))
    c.p("sel: %s" % await sel.fetchval(3))
    try:
        async with c.conn.transaction():
            await ins.fetch(1, "dup")
    except Exception as e:
        c.p(errline(e))
    c.p("cnt: %s" % await cnt.fetchval())
    # The statement cache: the same text reuses one server-side statement.
    for i in range(3):
        async with c.conn.transaction():
            await c.q("select count(*) from pr where id > $1", i)
            await c.ex("insert into pr values ($1, $2)", 10 + i, "cached")
            await c.q("select count(*) from pr where id > $1", i)
        await c.q("select count(*) from pr where id > $1", i)
    await c.ex("prepare sq_sel(int) as select v from pr where id = $1")
    await c.q("execute sq_sel(10)")
    async with c.conn.transaction():
        await c.ex("insert into pr values (20, 'twenty')")
        await c.q("execute sq_sel(20)")
    await c.ex("deallocate sq_sel")
    await c.q("execute sq_sel(1)")
    await c.conn.reset()
    await c.q("select count(*) from pr")
    c.tx()
    await c.close()


async def cursor_fetch():
    c = await connect()
    await c.ex("create table cu (id int primary key, v text)")
    await c.ex("insert into cu select g, 'v' || g from generate_series(1, 10) g")
    async with c.conn.transaction():
        ids = [r["id"] async for r in c.conn.cursor("select id from cu order by id", prefetch=3)]
        c.p("iterated: %s" % ids)
        cur = await c.conn.cursor("select id, v from cu where id > $1 order by id", 2)
        c.p("fetch 3: %s" % [tuple(r) for r in await cur.fetch(3)])
        await cur.forward(2)
        c.p("fetchrow: %s" % (tuple(await cur.fetchrow()),))
        c.p("fetch 10: %s" % [r[0] for r in await cur.fetch(10)])
        cur2 = await c.conn.cursor("select id from cu order by id desc")
        c.p("second cursor: %s" % [r[0] for r in await cur2.fetch(2)])
        c.p("first again: %s" % (await cur.fetchrow(),))
        await c.q("select count(*) from cu")
    try:
        await c.conn.cursor("select 1")
    except Exception as e:
        c.p(errline(e))
    async with c.conn.transaction():
        await c.ex("insert into cu values (11, 'new')")
        ids = [r["id"] async for r in c.conn.cursor("select id from cu where id > $1 order by id", 8, prefetch=2)]
        c.p("after write: %s" % ids)
    try:
        async with c.conn.transaction():
            async for r in c.conn.cursor("select 10 / (5 - id) from cu order by id", prefetch=2):
                c.p("row: %s" % r[0])
    except Exception as e:
        c.p(errline(e))
    c.tx()
    await c.close()


async def copy():
    c = await connect()
    await c.ex("create table cp (id int, v text)")
    try:
        c.p("copy records: %s" % await c.conn.copy_records_to_table("cp", records=[(i, "r%d" % i) for i in range(1, 501)]))
    except Exception as e:
        c.p(errline(e))
    data = "".join("%d,c%d\n" % (i, i) for i in range(501, 1001)).encode()
    try:
        c.p("copy to table: %s" % await c.conn.copy_to_table("cp", source=io.BytesIO(data), format="csv"))
    except Exception as e:
        c.p(errline(e))
    await c.q("select count(*), sum(id) from cp")
    buf = io.BytesIO()
    c.p("copy from query: %s" % await c.conn.copy_from_query("select id, v from cp order by id", output=buf))
    c.p("data: %s" % digest(buf.getvalue()))
    buf = io.BytesIO()
    c.p("copy from table: %s" % await c.conn.copy_from_table("cp", output=buf, format="csv", header=True))
    c.p("data: %s" % digest(buf.getvalue()))
    try:
        await c.conn.copy_to_table("cp", source=io.BytesIO(b"x\ty\n"))
    except Exception as e:
        c.p(errline(e))
    try:
        await c.conn.copy_to_table("missing_cp", source=io.BytesIO(b"1\n"))
    except Exception as e:
        c.p(errline(e))
    await c.q("select count(*) from cp")
    tr = c.conn.transaction()
    await tr.start()
    c.p("copy in tx: %s" % await c.conn.copy_records_to_table("cp", records=[(3000, "in tx"), (3001, "in tx")]))
    await c.q("select count(*) from cp")
    buf = io.BytesIO()
    await c.conn.copy_from_query("select id from cp where id >= 3000 order by id", output=buf)
    c.p("data: %s" % buf.getvalue())
    await tr.rollback()
    await c.q("select count(*) from cp")
    buf = io.BytesIO()
    await c.conn.copy_from_query("select g, md5(g::text) from generate_series(1, 5000) g", output=buf, format="csv")
    c.p("data: %s" % digest(buf.getvalue()))
    c.tx()
    await c.close()


async def listen_notify():
    a, b = await connect("A"), await connect("B")
    queue = asyncio.Queue()
    a.conn_cb = lambda conn, pid, channel, payload: queue.put_nowait((channel, payload))

    async def wait(n):
        for _ in range(n):
            try:
                ch, payload = await asyncio.wait_for(queue.get(), 10)
                a.p("notification: %s %s" % (ch, payload))
            except asyncio.TimeoutError:
                a.p("wait: timed out")
                return

    await a.conn.add_listener("conf_ch", a.conn_cb)
    await b.ex("notify conf_ch, 'one'")
    await wait(1)
    async with b.conn.transaction():
        await b.ex("notify conf_ch, 'two'")
        await b.ex("notify conf_ch, 'three'")
        await b.q("select 1")
    await wait(2)
    await b.q("select pg_notify('conf_ch', $1)", "four")
    await wait(1)
    await a.conn.add_listener("conf_ch2", a.conn_cb)
    await a.conn.remove_listener("conf_ch", a.conn_cb)
    await b.ex("notify conf_ch, 'lost'")
    await b.ex("notify conf_ch2, 'five'")
    await wait(1)
    await a.ex("notify conf_ch2, 'self'")
    await wait(1)
    async with a.conn.transaction():
        await a.q("select 1")
        await b.ex("notify conf_ch2, 'during tx'")
        await a.q("select 2")
    await wait(1)
    a.tx()
    await a.close()
    await b.close()


async def tx_errors():
    c = await connect()
    await c.ex("create table te (id int primary key)")
    await c.ex("insert into te values (1)")
    await c.ex("insert into te values ($1)", 1)
    await c.q("select count(*) from te")
    await c.q("select 1/0")
    await c.q("select * from missing_te")
    await c.ex("selec 1")
    await c.q("selec 1")
    await c.q("select id from te where id = $1::text::int", "not a number")
    await c.ex("begin")
    await c.ex("insert into te values ($1)", 2)
    await c.ex("insert into te values ($1)", 2)
    await c.q("select 1")
    await c.ex("rollback")
    await c.q("select count(*) from te")
    await c.ex("begin")
    await c.q("select count(*) from missing_te")
    await c.ex("insert into te values ($1)", 3)
    await c.q("select count(*) from te")
    await c.ex("commit")
    c.tx()
    await c.q("select count(*) from te")
    try:
        async with c.conn.transaction():
            await c.ex("insert into te values (5)")
            await c.conn.fetch("select 1/0")
    except Exception as e:
        c.p(errline(e))
    try:
        async with c.conn.transaction():
            await c.conn.fetch("select count(*) from te")
            await c.conn.fetch("select * from missing_te")
    except Exception as e:
        c.p(errline(e))
    await c.ex("insert into te values (7); select 1/0; insert into te values (8)")
    await c.q("select count(*) from te")
    c.tx()
    await c.close()


async def timeout_cancel():
    c = await connect()
    await c.ex("set statement_timeout = '200ms'")
    await c.q("select pg_sleep(5)")
    await c.q("select count(*) from generate_series(1, 500000000)")
    await c.ex("reset statement_timeout")
    await c.q("show statement_timeout")
    try:
        async with c.conn.transaction():
            await c.ex("set local statement_timeout = '200ms'")
            await c.q("select pg_sleep(5)")
            c.tx()
    except Exception as e:
        c.p(errline(e))
    await c.q("show statement_timeout")
    # asyncpg's timeout: it sends a CancelRequest and waits for the error.
    try:
        await c.conn.fetch("select pg_sleep(20)", timeout=0.5)
        c.p("not cancelled")
    except Exception as e:
        c.p(errline(e))
    await c.q("select 1")
    try:
        await c.conn.execute("select pg_sleep(20)", timeout=0.5)
        c.p("not cancelled")
    except Exception as e:
        c.p(errline(e))
    await c.q("select 2")
    await c.ex("begin")
    await c.ex("create table tc (id int)")
    try:
        await c.conn.fetch("select pg_sleep(20)", timeout=0.5)
    except Exception as e:
        c.p(errline(e))
    c.tx()
    await c.ex("rollback")
    await c.q("select count(*) from pg_class where relname = 'tc'")
    c.tx()
    await c.close()


async def large_rows():
    c = await connect()
    await c.q("select length(repeat('x', 10000000)), md5(repeat('x', 10000000))")
    await c.q("select repeat('ab', 4000000)")
    await c.ex("create table lr (id int, t text, b bytea)")
    big = "0123456789abcdef" * (6 << 16)
    binv = b"\x00\x01\xfe\xff" * (3 << 18)
    await c.ex("insert into lr values ($1, $2, $3)", 1, big, binv)
    await c.q("select length(t), md5(t), length(b), md5(b) from lr")
    await c.q("select t, b from lr")
    await c.ex("insert into lr select 2, repeat(t, 3), b || b from lr where id = 1")
    await c.q("select id, length(t), md5(t), length(b) from lr order by id")
    rows = await c.conn.fetch("select g, repeat(md5(g::text), 20) from generate_series(1, 20000) g")
    c.p("rows %d %s" % (len(rows), digest("".join("%d %s\n" % (r[0], r[1]) for r in rows))))
    c.tx()
    await c.close()


async def pipeline():
    c = await connect()
    await c.ex("create table pl (id int primary key, v text)")
    # executemany: Bind/Execute per row, one Sync at the end (an implicit
    # transaction: all or nothing).
    try:
        c.p("executemany: %s" % await c.conn.executemany("insert into pl values ($1, $2)", [(i, "b%d" % i) for i in range(1, 21)]))
    except Exception as e:
        c.p(errline(e))
    await c.q("select count(*), sum(id) from pl")
    try:
        await c.conn.executemany("insert into pl values ($1, $2)", [(100, "x"), (1, "dup"), (101, "y")])
    except Exception as e:
        c.p(errline(e))
    await c.q("select count(*) from pl")
    async with c.conn.transaction():
        await c.q("select count(*) from pl")
        await c.conn.executemany("insert into pl values ($1, $2)", [(i, "t") for i in range(200, 210)])
        await c.q("select count(*) from pl")
    await c.q("select count(*) from pl")
    try:
        await c.conn.executemany("update pl set v = $2 where id = $1 and 1 / ($1 - 205) > -100", [(i, "u") for i in range(200, 210)])
    except Exception as e:
        c.p(errline(e))
    await c.q("select count(*) from pl where v = 'u'")
    c.tx()
    await c.close()


async def mixed_protocol():
    c = await connect()
    await c.ex("create table mx (id int primary key, v text)")
    await c.ex("insert into mx values ($1, $2)", 1, "ext")
    await c.ex("insert into mx values (2, 'simple')")
    await c.q("select id, v from mx order by id")
    await c.ex("begin")
    await c.q("select count(*) from mx")
    await c.ex("insert into mx values ($1, $2)", 3, "ext in tx")
    await c.ex("insert into mx values (4, 'simple in tx')")
    await c.q("select count(*) from mx where id > $1", 0)
    await c.ex("commit")
    await c.ex("insert into mx values (5, 'multi'); update mx set v = 'u' where id = 5")
    await c.q("select v from mx where id = $1", 5)
    await c.ex("begin; insert into mx values (6, 'multi tx')")
    await c.q("select count(*) from mx")
    await c.ex("commit")
    await c.q("select id from mx order by id")
    await c.q("select $1::int + 1", 41)
    c.tx()
    await c.close()


async def set_temp():
    c = await connect()
    await c.ex("set application_name = 'conformance'")
    await c.q("show application_name")
    await c.q("select current_setting('application_name')")
    await c.ex("set datestyle = 'German'")
    await c.q("select '2024-01-02'::date::text")
    await c.ex("set search_path = nosuch, public")
    await c.q("show search_path")
    await c.ex("reset search_path")
    await c.ex("create temp table tt (id int, v text)")
    await c.ex("insert into tt values ($1, $2)", 1, "temp")
    await c.q("select id, v from tt")
    await c.q("select count(*) from tt where id = $1", 1)
    async with c.conn.transaction():
        await c.ex("set local datestyle = 'ISO'")
        await c.q("select '2024-01-02'::date::text")
        await c.ex("create temp table tt2 (id int) on commit drop")
        await c.ex("insert into tt2 values (1), (2)")
        await c.q("select count(*) from tt2")
    await c.q("select '2024-01-02'::date::text")
    await c.q("select count(*) from tt2")
    await c.ex("set default_transaction_read_only = on")
    await c.ex("create table ro (id int)")
    await c.ex("reset default_transaction_read_only")
    await c.ex("create table ro (id int)")
    await c.ex("drop table tt")
    await c.q("select * from tt")
    await c.ex("reset all")
    await c.q("show datestyle")
    await c.ex("discard temp")
    c.tx()
    await c.close()


async def two_phase():
    c = await connect()
    await c.ex("create table tp (id int primary key)")
    await c.ex("begin")
    await c.ex("insert into tp values ($1)", 1)
    await c.ex("prepare transaction 'conf_g1'")
    c.tx()
    await c.q("select count(*) from tp")
    await c.q("select gid from pg_prepared_xacts where gid like 'conf%' order by gid")
    await c.ex("commit prepared 'conf_g1'")
    await c.q("select count(*) from tp")
    await c.ex("begin")
    await c.q("select count(*) from tp")
    await c.ex("insert into tp values ($1)", 3)
    await c.ex("prepare transaction 'conf_g3'")
    await c.ex("rollback prepared 'conf_g3'")
    await c.ex("begin")
    await c.q("select count(*) from tp")
    await c.ex("prepare transaction 'conf_g4'")
    await c.ex("commit prepared 'conf_g4'")
    await c.ex("commit prepared 'conf_nonexistent'")
    await c.ex("begin")
    await c.ex("commit prepared 'conf_g1'")
    await c.ex("rollback")
    await c.q("select array_agg(id order by id) from tp")
    c.tx()
    await c.close()


SCENARIOS = {f.__name__: f for f in [
    autocommit, tx_read_after_write, savepoint, prepared_reuse, cursor_fetch, copy, listen_notify,
    tx_errors, timeout_cancel, large_rows, pipeline, mixed_protocol, set_temp, two_phase,
]}


async def main():
    for name in sys.argv[5:]:
        out("== " + name)
        try:
            await SCENARIOS[name]()
        except Exception as e:  # the transcript shows it; the scenario goes on
            s = str(e).strip()
            out("!! %s: %s" % (type(e).__name__, s.splitlines()[0] if s else ""))
        out("== end")


if __name__ == "__main__":
    asyncio.run(main())
