'use strict'
// Conformance scenarios for node-postgres (pg), pg-cursor and
// pg-copy-streams.
//
// Usage: node conformance.js HOST PORT USER DBNAME SCENARIO...
//
// pg sends a query without values as a simple Query and one with values
// (or a name) over the extended protocol; pg-cursor binds a named portal
// and reads it with Execute row limits and Flush, without Sync, until it
// is closed; a pipeline client ({pipeline: true}) writes queries without
// waiting for the previous ones. The packages are installed by `npm ci`
// in this directory (the Go test and .ci/run do it).

const crypto = require('crypto')
const net = require('net')
const { pipeline: streamPipeline, Readable, Writable } = require('stream')
let pg, Cursor, copyFrom, copyTo, serialize
try {
  pg = require('pg')
  Cursor = require('pg-cursor')
  copyFrom = require('pg-copy-streams').from
  copyTo = require('pg-copy-streams').to
  serialize = require('pg-protocol').serialize
} catch (e) {
  process.stderr.write(`node packages missing (${e.message}): run \`npm ci\` in ${__dirname}\n`)
  process.exit(2)
}

const [HOST, PORT, USER, DB] = process.argv.slice(2, 6)

function out(line) {
  process.stdout.write(line + '\n')
}

function digest(b) {
  if (typeof b === 'string') b = Buffer.from(b)
  return `<${b.length} bytes md5 ${crypto.createHash('md5').update(b).digest('hex')}>`
}

function fmt(v) {
  if (v === null || v === undefined) return 'NULL'
  let s
  if (Buffer.isBuffer(v)) s = '\\x' + v.toString('hex')
  else if (Array.isArray(v)) s = '{' + v.map(fmt).join(',') + '}'
  else if (v instanceof Date) s = v.toISOString()
  else s = String(v)
  return s.length > 200 ? digest(s) : s
}

function errline(e) {
  if (e && e.code && e.severity) return `error: ${e.code} ${e.message}`
  return `error: ${e && e.message ? e.message.split('\n')[0] : String(e)}`
}

class C {
  constructor(label, opts) {
    this.label = label ? label + ' ' : ''
    this.client = new pg.Client({ host: HOST, port: Number(PORT), user: USER, database: DB, ...(opts || {}) })
    this.client.on('notice', (n) => this.p(`notice: ${n.severity} ${n.code} ${n.message}`))
    this.client.on('error', (e) => this.p(`client error: ${errline(e)}`))
    this.notes = []
    this.waiters = []
    this.client.on('notification', (n) => {
      this.notes.push(n)
      const w = this.waiters.shift()
      if (w) w()
    })
  }

  async open() {
    await this.client.connect()
    return this
  }

  p(line) {
    out(this.label + line)
  }

  // q runs a query (simple without values, extended with) and prints its
  // rows and tag, or its error.
  async q(text, values, name) {
    try {
      const res = await this.client.query({ text, values, name, rowMode: 'array' })
      for (const r of Array.isArray(res) ? res : [res]) {
        for (const row of r.rows) this.p('row: ' + row.map(fmt).join('|'))
        this.p(`tag: ${r.command} ${r.rowCount === null ? '' : r.rowCount}`)
      }
    } catch (e) {
      this.p(errline(e))
      // pg rejects on the ErrorResponse, before its ReadyForQuery: wait
      // for it, so that tx() reports the state the error left.
      if (!this.client.readyForQuery && !this.client.pipeline) {
        await new Promise((resolve) => this.client.connection.once('readyForQuery', resolve))
      }
    }
  }

  tx() {
    const st = this.client._txStatus // ReadyForQuery's status, as pg records it
    this.p(`tx: ${typeof st === 'number' ? String.fromCharCode(st) : st}`)
  }

  async waitNotify(n) {
    for (let i = 0; i < n; i++) {
      if (this.notes.length === 0) {
        let timer
        const ok = await Promise.race([
          new Promise((resolve) => this.waiters.push(() => resolve(true))),
          new Promise((resolve) => {
            timer = setTimeout(() => resolve(false), 10000)
          }),
        ])
        clearTimeout(timer)
        if (!ok) {
          this.p('wait: timed out')
          return
        }
      }
      const note = this.notes.shift()
      this.p(`notification: ${note.channel} ${note.payload}`)
    }
  }

  async close() {
    await this.client.end()
  }
}

async function connect(label, opts) {
  return new C(label, opts).open()
}

const scenarios = {}

scenarios.autocommit = async () => {
  const c = await connect()
  await c.q('create table ac (id int primary key, v text)')
  for (const [i, v] of ['one', 'two', 'three'].entries()) await c.q('insert into ac values ($1, $2)', [i + 1, v])
  await c.q('select id, v from ac order by id')
  await c.q("update ac set v = v || '!' where id >= $1", [2])
  await c.q('select id, v from ac order by id')
  await c.q('delete from ac where id = $1', [1])
  await c.q('select count(*) from ac')
  await c.q("insert into ac values (4, 'four') returning id, v")
  await c.q('select id, v from ac where id = $1', [4])
  await c.q('select v from ac where id = 99')
  c.tx()
  await c.close()
}

scenarios.tx_read_after_write = async () => {
  const c = await connect()
  await c.q('create table tw (id int primary key, v text)')
  await c.q('begin')
  c.tx()
  await c.q('select count(*) from tw', [])
  await c.q("insert into tw values (1, 'a')")
  await c.q('select count(*) from tw', [])
  await c.q("update tw set v = 'b' where id = $1", [1])
  await c.q('select v from tw where id = $1', [1])
  await c.q('commit')
  c.tx()
  await c.q('select v from tw', [])
  await c.q('begin')
  await c.q("insert into tw values ($1, 'c')", [2])
  await c.q('select id, v from tw order by id', [])
  await c.q('rollback')
  await c.q('select count(*) from tw', [])
  await c.q('begin')
  await c.q('select count(*) from tw', [])
  await c.q('select v from tw where id = 1', [])
  await c.q('commit')
  await c.q('start transaction isolation level repeatable read')
  await c.q('select count(*) from tw', [])
  await c.q("insert into tw values ($1, 'd')", [3])
  await c.q('select count(*) from tw', [])
  await c.q('commit')
  await c.q('select id, v from tw order by id', [])
  c.tx()
  await c.close()
}

scenarios.savepoint = async () => {
  const c = await connect()
  await c.q('create table sp (id int primary key)')
  await c.q('begin')
  await c.q('insert into sp values ($1)', [1])
  await c.q('savepoint a')
  await c.q('insert into sp values ($1)', [2])
  await c.q('select count(*) from sp', [])
  await c.q('rollback to savepoint a')
  await c.q('select count(*) from sp', [])
  await c.q('savepoint b')
  await c.q('insert into sp values ($1)', [3])
  await c.q('release savepoint b')
  await c.q('select array_agg(id order by id) from sp', [])
  await c.q('savepoint c')
  await c.q('insert into sp values ($1)', [1])
  c.tx()
  await c.q('select 1', [])
  await c.q('rollback to savepoint c')
  c.tx()
  await c.q('select count(*) from sp', [])
  await c.q('commit')
  await c.q('begin')
  await c.q('savepoint s')
  await c.q('select * from missing_sp', [])
  c.tx()
  await c.q('rollback to savepoint s')
  c.tx()
  await c.q('select count(*) from sp', [])
  await c.q('insert into sp values (4)')
  await c.q('savepoint t')
  await c.q('select 1/0', [])
  await c.q('rollback to t')
  await c.q('select count(*) from sp', [])
  await c.q('commit')
  await c.q('select array_agg(id order by id) from sp', [])
  c.tx()
  await c.close()
}

scenarios.prepared_reuse = async () => {
  const c = await connect()
  await c.q('create table pr (id int primary key, v text)')
  // A query config with a name is a server-side prepared statement,
  // parsed once per connection and reused.
  const ins = 'insert into pr values ($1, $2)'
  const sel = 'select v from pr where id = $1'
  const cnt = 'select count(*) from pr'
  for (let i = 1; i <= 3; i++) {
    await c.q('begin')
    await c.q(ins, [i, 'v' + i], 'pr_ins')
    await c.q(sel, [i], 'pr_sel')
    await c.q(cnt, [], 'pr_cnt')
    await c.q('commit')
  }
  await c.q('begin')
  await c.q(cnt, [], 'pr_cnt')
  await c.q(sel, [2], 'pr_sel')
  await c.q('commit')
  await c.q(sel, [3], 'pr_sel')
  await c.q('begin')
  await c.q(ins, [1, 'dup'], 'pr_ins')
  c.tx()
  await c.q('rollback')
  await c.q(cnt, [], 'pr_cnt')
  await c.q('prepare sq_sel(int) as select v from pr where id = $1')
  await c.q('execute sq_sel(2)')
  await c.q('begin')
  await c.q("insert into pr values (20, 'twenty')")
  await c.q('execute sq_sel(20)')
  await c.q('commit')
  await c.q('deallocate sq_sel')
  await c.q('execute sq_sel(1)')
  await c.q(cnt, [], 'pr_cnt')
  c.tx()
  await c.close()
}

async function readCursor(c, text, values, n, label) {
  const cursor = c.client.query(new Cursor(text, values, { rowMode: 'array' }))
  try {
    for (;;) {
      const rows = await cursor.read(n)
      c.p(`${label} read ${n}: ${JSON.stringify(rows)}`)
      if (rows.length < n) break
    }
  } catch (e) {
    c.p(errline(e))
  }
  try {
    await cursor.close()
  } catch (e) {
    c.p('close: ' + errline(e))
  }
}

scenarios.cursor_fetch = async () => {
  const c = await connect()
  await c.q('create table cu (id int primary key, v text)')
  await c.q("insert into cu select g, 'v' || g from generate_series(1, 10) g")
  await readCursor(c, 'select id from cu order by id', [], 4, 'autocommit')
  c.tx()
  await c.q('select count(*) from cu', [])
  // A cursor closed before its end.
  const cur = c.client.query(new Cursor('select id, v from cu where id > $1 order by id', [2], { rowMode: 'array' }))
  c.p('first: ' + JSON.stringify(await cur.read(2)))
  c.p('second: ' + JSON.stringify(await cur.read(2)))
  await cur.close()
  await c.q('select 1', [])
  await c.q('begin')
  await readCursor(c, 'select id from cu where id <= $1 order by id', [7], 3, 'in tx')
  await c.q("insert into cu values (11, 'new')")
  await readCursor(c, 'select id from cu where id > $1 order by id', [8], 2, 'after write')
  await c.q('commit')
  await readCursor(c, 'select 10 / (5 - id) from cu order by id', [], 2, 'error')
  c.tx()
  await c.q('select count(*) from cu', [])
  await readCursor(c, 'select * from missing_cu', [], 2, 'missing')
  await c.q('select 2', [])
  c.tx()
  await c.close()
}

scenarios.copy = async () => {
  const c = await connect()
  await c.q('create table cp (id int, v text)')
  const copyIn = async (sql, data) => {
    try {
      const stream = c.client.query(copyFrom(sql))
      await new Promise((resolve, reject) => streamPipeline(Readable.from([Buffer.from(data)]), stream, (e) => (e ? reject(e) : resolve())))
      c.p(`copy in: ${stream.rowCount}`)
    } catch (e) {
      c.p(errline(e))
    }
  }
  const copyOut = async (sql) => {
    const chunks = []
    try {
      const stream = c.client.query(copyTo(sql))
      await new Promise((resolve, reject) =>
        streamPipeline(
          stream,
          new Writable({
            write(chunk, enc, cb) {
              chunks.push(chunk)
              cb()
            },
          }),
          (e) => (e ? reject(e) : resolve())
        )
      )
      const data = Buffer.concat(chunks)
      c.p(`copy out: ${stream.rowCount} lines ${data.toString().split('\n').length - 1} ${digest(data)}`)
    } catch (e) {
      c.p(errline(e))
    }
  }
  let data = ''
  for (let i = 1; i <= 1000; i++) data += `${i},c${i}\n`
  await copyIn('copy cp from stdin (format csv)', data)
  await copyIn('copy cp (id, v) from stdin', '1001\tx\n1002\ty\n')
  await c.q('select count(*), sum(id) from cp', [])
  await copyOut('copy (select id, v from cp order by id) to stdout')
  await copyOut('copy cp to stdout (format csv, header)')
  await copyIn('copy cp from stdin', 'x\ty\n')
  await copyIn('copy missing_cp from stdin', '1\n')
  await c.q('select count(*) from cp')
  await c.q('begin')
  await copyIn('copy cp from stdin', '3000\tin tx\n3001\tin tx\n')
  await c.q('select count(*) from cp', [])
  await copyOut('copy (select id from cp where id >= 3000 order by id) to stdout')
  await c.q('rollback')
  await c.q('select count(*) from cp', [])
  await copyOut('copy (select g, md5(g::text) from generate_series(1, 5000) g) to stdout (format csv)')
  c.tx()
  await c.close()
}

scenarios.listen_notify = async () => {
  const a = await connect('A')
  const b = await connect('B')
  await a.q('listen conf_ch')
  await b.q("notify conf_ch, 'one'")
  await a.waitNotify(1)
  await b.q('begin')
  await b.q("notify conf_ch, 'two'")
  await b.q("notify conf_ch, 'three'")
  await b.q('select 1', [])
  await b.q('commit')
  await a.waitNotify(2)
  await b.q("select pg_notify('conf_ch', $1)", ['four'])
  await a.waitNotify(1)
  await a.q('listen conf_ch2')
  await a.q('unlisten conf_ch')
  await b.q("notify conf_ch, 'lost'")
  await b.q("notify conf_ch2, 'five'")
  await a.waitNotify(1)
  await a.q("notify conf_ch2, 'self'")
  await a.waitNotify(1)
  await a.q('begin')
  await a.q('select 1', [])
  await b.q("notify conf_ch2, 'during tx'")
  await a.q('select 2', [])
  await a.q('commit')
  await a.waitNotify(1)
  await a.q('unlisten *')
  a.tx()
  await a.close()
  await b.close()
}

scenarios.tx_errors = async () => {
  const c = await connect()
  await c.q('create table te (id int primary key)')
  await c.q('insert into te values (1)')
  await c.q('insert into te values ($1)', [1])
  await c.q('select count(*) from te', [])
  await c.q('select 1/0', [])
  await c.q('select * from missing_te')
  await c.q('selec 1')
  await c.q('selec 1', [])
  await c.q('select id from te where id = $1', ['not a number'])
  c.tx()
  await c.q('begin')
  await c.q('insert into te values ($1)', [2])
  await c.q('insert into te values ($1)', [2])
  c.tx()
  await c.q('select 1', [])
  await c.q('rollback')
  await c.q('select count(*) from te', [])
  await c.q('begin')
  await c.q('select count(*) from missing_te', [])
  c.tx()
  await c.q('insert into te values ($1)', [3])
  await c.q('select count(*) from te', [])
  await c.q('commit')
  c.tx()
  await c.q('select count(*) from te', [])
  await c.q('begin')
  await c.q('insert into te values (5)')
  await c.q('select 1/0', [])
  await c.q('commit')
  await c.q('insert into te values (7); select 1/0; insert into te values (8)')
  await c.q('select count(*) from te', [])
  c.tx()
  await c.close()
}

function cancelRequest(client) {
  return new Promise((resolve) => {
    const s = net.connect(Number(PORT), HOST, () => {
      s.end(serialize.cancel(client.processID, client.secretKey))
    })
    s.on('close', resolve)
    s.on('error', resolve)
  })
}

async function cancelRunning(c, w, sql) {
  const running = c.q(sql)
  const deadline = Date.now() + 10000
  while (Date.now() < deadline) {
    const r = await w.client.query("select count(*)::int as n from pg_stat_activity where query = $1 and state = 'active'", [sql])
    if (r.rows[0].n > 0) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await cancelRequest(c.client)
  await running
}

scenarios.timeout_cancel = async () => {
  const c = await connect()
  await c.q("set statement_timeout = '200ms'")
  await c.q('select pg_sleep(5)', [])
  await c.q('select count(*) from generate_series(1, 500000000)')
  await c.q('reset statement_timeout')
  await c.q('show statement_timeout')
  await c.q('begin')
  await c.q("set local statement_timeout = '200ms'")
  await c.q('select pg_sleep(5)', [])
  c.tx()
  await c.q('rollback')
  const w = await connect('W')
  await cancelRunning(c, w, 'select pg_sleep(20)')
  await c.q('select 1', [])
  await c.q('begin')
  await c.q('create table tc (id int)')
  await cancelRunning(c, w, 'select pg_sleep(21)')
  c.tx()
  await c.q('rollback')
  await c.q("select count(*) from pg_class where relname = 'tc'", [])
  c.tx()
  await c.close()
  await w.close()
}

scenarios.large_rows = async () => {
  const c = await connect()
  await c.q("select length(repeat('x', 10000000)), md5(repeat('x', 10000000))")
  await c.q("select repeat('ab', 4000000)", [])
  await c.q('create table lr (id int, t text, b bytea)')
  const big = '0123456789abcdef'.repeat(6 << 16)
  const bin = Buffer.alloc(3 << 20)
  for (let i = 0; i < bin.length; i += 4) bin.set([0, 1, 0xfe, 0xff], i)
  await c.q('insert into lr values ($1, $2, $3)', [1, big, bin])
  await c.q('select length(t), md5(t), length(b), md5(b) from lr', [])
  await c.q('select t, b from lr', [])
  await c.q('insert into lr select 2, repeat(t, 3), b || b from lr where id = 1')
  await c.q('select id, length(t), md5(t), length(b) from lr order by id', [])
  const res = await c.client.query({ text: 'select g, repeat(md5(g::text), 20) from generate_series(1, 20000) g', rowMode: 'array' })
  c.p(`rows ${res.rows.length} ${digest(res.rows.map((r) => `${r[0]} ${r[1]}\n`).join(''))}`)
  c.tx()
  await c.close()
}

scenarios.pipeline = async () => {
  const c = await connect('', { pipeline: true })
  await c.q('create table pl (id int primary key, v text)')
  // All written at once; each query still ends with its own Sync.
  const qs = []
  for (let i = 1; i <= 20; i++) qs.push(c.client.query('insert into pl values ($1, $2)', [i, 'b' + i]))
  qs.push(c.client.query({ text: 'select count(*), sum(id) from pl', rowMode: 'array' }))
  qs.push(c.client.query('insert into pl values ($1, $2)', [1, 'dup']))
  qs.push(c.client.query({ text: 'select count(*) from pl where id <= $1', values: [10], rowMode: 'array' }))
  qs.push(c.client.query('begin'))
  qs.push(c.client.query('insert into pl values ($1, $2)', [100, 'tx']))
  qs.push(c.client.query({ text: 'select count(*) from pl', values: [], rowMode: 'array' }))
  qs.push(c.client.query('select 1/0'))
  qs.push(c.client.query({ text: 'select count(*) from pl', values: [], rowMode: 'array' }))
  qs.push(c.client.query('rollback'))
  qs.push(c.client.query({ text: 'select count(*) from pl', values: [], rowMode: 'array' }))
  const results = await Promise.allSettled(qs)
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') c.p(`${i}: ${r.value.command} ${r.value.rowCount} ${JSON.stringify(r.value.rows)}`)
    else c.p(`${i}: ${errline(r.reason)}`)
  })
  c.tx()
  await c.close()
}

scenarios.mixed_protocol = async () => {
  const c = await connect()
  await c.q('create table mx (id int primary key, v text)')
  await c.q('insert into mx values ($1, $2)', [1, 'ext'])
  await c.q("insert into mx values (2, 'simple')")
  await c.q('select id, v from mx order by id')
  await c.q('select id, v from mx where id > $1 order by id', [0])
  await c.q('begin')
  await c.q('select count(*) from mx', [])
  await c.q('insert into mx values ($1, $2)', [3, 'ext in tx'])
  await c.q('select count(*) from mx')
  await c.q("insert into mx values (4, 'simple in tx')")
  await c.q('select count(*) from mx where id > $1', [0])
  await c.q('commit')
  await c.q("insert into mx values (5, 'multi'); select count(*) from mx; update mx set v = 'u' where id = 5")
  await c.q('select v from mx where id = $1', [5])
  await c.q("begin; insert into mx values (6, 'multi tx')")
  c.tx()
  await c.q('select count(*) from mx', [])
  await c.q('commit')
  await c.q('select id from mx order by id')
  await c.q('select $1::int + 1', [41])
  c.tx()
  await c.close()
}

scenarios.set_temp = async () => {
  const c = await connect()
  await c.q("set application_name = 'conformance'")
  await c.q('show application_name')
  await c.q("select current_setting('application_name')", [])
  await c.q("set datestyle = 'German'")
  await c.q("select '2024-01-02'::date::text", [])
  await c.q('set search_path = nosuch, public')
  await c.q('show search_path')
  await c.q('reset search_path')
  await c.q('create temp table tt (id int, v text)')
  await c.q('insert into tt values ($1, $2)', [1, 'temp'])
  await c.q('select id, v from tt')
  await c.q('select count(*) from tt where id = $1', [1])
  await c.q('begin')
  await c.q("set local datestyle = 'ISO'")
  await c.q("select '2024-01-02'::date::text", [])
  await c.q('create temp table tt2 (id int) on commit drop')
  await c.q('insert into tt2 values (1), (2)')
  await c.q('select count(*) from tt2', [])
  await c.q('commit')
  await c.q("select '2024-01-02'::date::text", [])
  await c.q('select count(*) from tt2', [])
  await c.q('set default_transaction_read_only = on')
  await c.q('create table ro (id int)')
  await c.q('reset default_transaction_read_only')
  await c.q('create table ro (id int)')
  await c.q('drop table tt')
  await c.q('select * from tt', [])
  await c.q('reset all')
  await c.q('show datestyle')
  await c.q('discard temp')
  c.tx()
  await c.close()
}

scenarios.two_phase = async () => {
  const c = await connect()
  await c.q('create table tp (id int primary key)')
  await c.q('begin')
  await c.q('insert into tp values ($1)', [1])
  await c.q("prepare transaction 'conf_g1'")
  c.tx()
  await c.q('select count(*) from tp', [])
  await c.q("select gid from pg_prepared_xacts where gid like 'conf%' order by gid", [])
  await c.q("commit prepared 'conf_g1'")
  await c.q('select count(*) from tp', [])
  await c.q('begin')
  await c.q('select count(*) from tp', [])
  await c.q('insert into tp values ($1)', [3])
  await c.q("prepare transaction 'conf_g3'")
  await c.q("rollback prepared 'conf_g3'")
  await c.q('begin')
  await c.q('select count(*) from tp', [])
  await c.q("prepare transaction 'conf_g4'")
  await c.q("commit prepared 'conf_g4'")
  await c.q("commit prepared 'conf_nonexistent'")
  await c.q('begin')
  await c.q("commit prepared 'conf_g1'")
  await c.q('rollback')
  await c.q('select array_agg(id order by id) from tp', [])
  c.tx()
  await c.close()
}

async function main() {
  for (const name of process.argv.slice(6)) {
    out('== ' + name)
    try {
      await scenarios[name]()
    } catch (e) {
      out(`!! ${e && e.message ? e.message.split('\n')[0] : e}`)
    }
    out('== end')
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(String(e && e.stack ? e.stack : e) + '\n')
    process.exit(1)
  }
)
