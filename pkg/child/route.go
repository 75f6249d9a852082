package child

import (
	"bytes"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/router"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// routing is where one statement goes.
type routing struct {
	nodes   nodeMask
	main    int    // the node whose answer the client gets
	rewrite []byte // the frame the other nodes get instead (BEGIN rewrite), or nil
	count   bool   // count the statement in the per-node statistics now
	kind    shm.StatKind
}

// last is the highest node of r (its ReadyForQuery ends the group).
func (r routing) last() int {
	last := -1
	for n := r.nodes.first(); n >= 0; n = r.nodes.next(n) {
		last = n
	}
	return last
}

// snapshot refreshes the session's view of the nodes when shared memory
// changed, and the replication delays when the router uses them.
func (s *session) snapshot() *router.Cluster {
	seg := s.c.seg
	gen := seg.Generation()
	cl := &s.cl
	n := seg.NumBackends()
	if gen != s.clGen || len(cl.Nodes) != n {
		s.clGen = gen
		if cap(cl.Nodes) < n {
			cl.Nodes = make([]router.Node, n)
		}
		cl.Nodes = cl.Nodes[:n]
		cl.PrimaryID, cl.MainID = seg.Primary(), seg.Main()
		for i := range cl.Nodes {
			st := seg.Node(i)
			cl.Nodes[i] = router.Node{Valid: st.Valid() && !s.localDown.has(i), Weight: seg.Weight(i), Primary: i == cl.PrimaryID}
		}
		if cl.MainID >= 0 && s.localDown.has(cl.MainID) {
			for i := range cl.Nodes {
				if cl.Nodes[i].Valid {
					cl.MainID = i
					break
				}
			}
		}
	}
	if o := s.c.ropts; o.DelayThreshold > 0 || o.DelayThresholdByTime > 0 || o.PreferLowerDelayStandby {
		for i := range cl.Nodes {
			cl.Nodes[i].Delay, cl.Nodes[i].DelayByTime = seg.Delay(i)
		}
	}
	return cl
}

// route classifies and routes the SQL of a Query (extended false) or a
// Parse (extended true, name its statement name).
func (s *session) route(sql []byte, extended bool, name []byte) routing {
	cl := s.snapshot()
	if !cl.Nodes[s.lbNodeOr()].Valid {
		s.lbNode = s.rs.SelectLBNode(cl) // the load-balance node went down
	}
	st := &s.stmt
	router.Classify(sql, s.c.ropts, st)
	env := &s.renv
	*env = router.Env{Cluster: cl, PrimaryTx: s.primaryTx(), ProtoMajor: s.st0Major(), Catalog: s, Query: sql,
		TerminateNode: -1, NamedParse: extended && len(name) > 0, NoTempTables: s.noTempTables()}
	if st.TerminatePID > 0 {
		if node, ok := s.c.seg.FindBackendPid(st.TerminatePID); ok {
			env.TerminateNode = node
		}
	}
	if st.Cmd == router.CmdExecute || st.Cmd == router.CmdDeallocate {
		if n, ok := st.Name(); ok {
			if p, ok := s.sqlPrepared[string(n)]; ok {
				env.Prepared = &p
			}
		}
	}
	dest, err := s.rs.Route(st, env)
	if err != nil {
		s.log.Debug().Err(err).Msg("catalog lookup failed; the statement goes to the primary")
	}
	if dest.PrepareOnPrimary && env.Prepared != nil {
		// EXECUTE of a PREPARE made on a standby, now in a writing
		// transaction: PREPARE on the primary first.
		s.preparePrimary(env.Prepared)
	}
	primary := cl.Primary()
	if s.rs.MultiStatementTx && !dest.Nodes.Has(primary) {
		// The transaction was begun inside a multi-statement query, which
		// only the primary ran: no other node is in it, so a read there
		// would miss the transaction's writes and snapshot.
		dest.Nodes = router.NodeSet{}
		dest.Nodes.Add(primary)
	}
	dest.SkipIdle(st.Tx, primary, func(n int) byte { return s.nodeTx[n] })
	if dest.Nodes.Empty() {
		dest.Nodes.Add(primary)
	}
	s.lbNode = s.rs.LBNode
	eff := st.Effect()
	switch st.Cmd {
	case router.CmdPrepare:
		if n, ok := st.Name(); ok {
			s.sqlPrepared[string(n)] = router.Prepared{Dest: dest, SQL: true, Effect: eff}
			s.sqlPrepText[string(n)] = append([]byte(nil), sql...)
		}
	case router.CmdDeallocate:
		if st.Flags.Has(router.FlagDeallocateAll) {
			clear(s.sqlPrepared)
			clear(s.sqlPrepText)
		} else if n, ok := st.Name(); ok {
			delete(s.sqlPrepared, string(n))
			delete(s.sqlPrepText, string(n))
		}
	case router.CmdDiscard:
		clear(s.sqlPrepared)
		clear(s.sqlPrepText)
	case router.CmdDropDatabase:
		s.c.closeIdleEverywhere()
	}
	r := routing{main: primary, count: !st.Flags.Has(router.FlagParseError), kind: shm.StatKind(eff.Kind)}
	for n := dest.Nodes.First(); n >= 0; n = dest.Nodes.Next(n) {
		r.nodes.set(n)
	}
	if !r.nodes.has(primary) {
		r.main = dest.Nodes.First()
	}
	if dest.RewriteBegin {
		r.rewrite = s.beginRewrite(extended, name)
	}
	if !extended {
		if t, ok := s.cursorPortal(sql); ok {
			r.nodes, r.main = t.nodes, t.main
		}
	}
	if extended {
		s.parseDest, s.parseEff = dest, eff
	} else {
		s.qEff, s.qMulti = eff, st.Flags.Has(router.FlagMulti)
	}
	return r
}

// cursorPortal finds the portal named by a FETCH, MOVE or CLOSE query
// when the client made it with Bind on a node other than the primary:
// asyncpg's Cursor.forward sends "MOVE FORWARD n <portal>" for a portal
// of a read on the standby. Such a statement must go where the portal
// is; the router sends cursor statements to the primary, where DECLAREd
// cursors live. (A portal that its transaction's end destroyed stays
// in s.portals: a later DECLARE of the same name on the primary would be
// looked for on the standby; drivers' generated portal names do not
// collide like that.)
func (s *session) cursorPortal(sql []byte) (target, bool) {
	sql = bytes.TrimRight(bytes.TrimLeft(sql, " \t\r\n"), "; \t\r\n")
	i := bytes.IndexAny(sql, " \t\r\n")
	if i < 0 {
		return target{}, false
	}
	kw := sql[:i]
	if !bytes.EqualFold(kw, []byte("fetch")) && !bytes.EqualFold(kw, []byte("move")) && !bytes.EqualFold(kw, []byte("close")) {
		return target{}, false
	}
	name := sql[bytes.LastIndexAny(sql, " \t\r\n")+1:]
	b := s.buf[:0]
	if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
		b = append(b, bytes.ReplaceAll(name[1:len(name)-1], []byte(`""`), []byte(`"`))...)
	} else {
		for _, ch := range name {
			if 'A' <= ch && ch <= 'Z' {
				ch += 'a' - 'A'
			}
			b = append(b, ch)
		}
	}
	s.buf = b
	if len(b) == 0 {
		return target{}, false
	}
	t, ok := s.portals.get(b)
	if !ok || t.nodes.has(s.cl.Primary()) {
		return target{}, false
	}
	return t, true
}

func (s *session) lbNodeOr() int {
	if s.lbNode >= 0 && s.lbNode < len(s.cl.Nodes) {
		return s.lbNode
	}
	return max(s.primary, 0)
}

func (s *session) st0Major() int {
	if s.st == nil {
		return 3
	}
	return s.st.Major
}

// primaryTx is the primary's transaction state as the session last saw
// it, except that an idle primary that got extended-protocol messages
// since the last Sync counts as in a transaction ('T'): everything up to
// the Sync runs in one implicit transaction block, so a read after a
// write in it must go to the primary to see the write, as in an explicit
// transaction.
func (s *session) primaryTx() byte {
	p := s.cl.Primary()
	if p < 0 {
		return 'I'
	}
	st := s.nodeTx[p]
	if st == 0 {
		st = 'I'
	}
	if st == 'I' && s.syncMask.has(p) {
		return 'T'
	}
	return st
}

var beginSQL = []byte("BEGIN")

// beginRewrite is the plain BEGIN the standbys get for BEGIN READ WRITE or
// BEGIN ISOLATION LEVEL SERIALIZABLE (§4.3), as a Query or as a Parse of
// the same statement name.
func (s *session) beginRewrite(extended bool, name []byte) []byte {
	b := s.rewriteBuf[:0]
	if !extended {
		b = relay.AppendQuery(b, "BEGIN")
	} else {
		b = relay.AppendParse(b, name, beginSQL)
	}
	s.rewriteBuf = b
	return b
}

// primaryOnly sends to the session's primary.
func (s *session) primaryOnly() routing {
	p := s.cl.Primary()
	if p < 0 {
		p = s.primary
	}
	return routing{nodes: maskOf(p), main: p}
}

func (s *session) primaryTarget() target {
	r := s.primaryOnly()
	return target{nodes: r.nodes, main: r.main}
}

// countStatement bumps the per-node statement counters.
func (s *session) countStatement(r routing) {
	if !r.count {
		return
	}
	for n := r.nodes.first(); n >= 0; n = r.nodes.next(n) {
		s.c.seg.CountStatement(n, r.kind)
	}
}

// QueryCounts runs a catalog lookup for the router (router.Catalog) on
// the session's connection to relcache_query_target, when it is idle; in
// the middle of a pipeline it refuses, and the router then sends the
// statement to the primary, the safe choice.
func (s *session) QueryCounts(sql string, out []int64) error {
	node := s.cl.Primary()
	if s.c.cfg.RelcacheQueryTarget == "load_balance_node" && s.lbNode >= 0 {
		node = s.lbNode
	}
	return s.queryCountsOn(node, sql, out)
}

// QueryPrimary runs a lookup on the primary, inside the client's
// transaction (router.TxCatalog): the transaction isolation question.
func (s *session) QueryPrimary(sql string, out []int64) error {
	return s.queryCountsOn(s.cl.Primary(), sql, out)
}

func (s *session) queryCountsOn(node int, sql string, out []int64) error {
	c, err := s.backendConn(node)
	if err != nil {
		return err
	}
	if s.pend.has(int16(node)) || c.Pending() > 0 || c.Buffered() > 0 || s.copyIn >= 0 {
		return errBusyForLookup
	}
	return c.QueryCounts(sql, out, time.Now().Add(30*time.Second))
}

// preparePrimary sends an SQL PREPARE made on a standby to the primary
// before its EXECUTE there (Pgpool's send_prepare); its answer is not the
// client's.
func (s *session) preparePrimary(p *router.Prepared) {
	n, _ := s.stmt.Name()
	text, ok := s.sqlPrepText[string(n)]
	primary := s.cl.Primary()
	if !ok || p.Dest.Nodes.Has(primary) {
		return
	}
	c, err := s.backendConn(primary)
	if err != nil {
		return
	}
	c.SetWbuf(relay.AppendQueryBytes(c.Wbuf(), text))
	s.pend.push(pendEntry{node: int16(primary), kind: 'Q'})
	p.Dest.Nodes.Add(primary)
	s.sqlPrepared[string(n)] = *p
}
