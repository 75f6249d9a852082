package child

import (
	"strings"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/router"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

func (s *session) now() time.Time { return time.Now() }

// processClient handles buffered client messages while the session may
// consume them. It reports progress.
func (s *session) processClient() (bool, error) {
	progress := false
	for s.clientReadable() && !s.closing {
		if s.client.Streaming() > 0 {
			// The rest of a large CopyData goes straight to its node.
			p := s.client.More()
			if len(p) == 0 {
				return progress, nil
			}
			s.copyTarget().Write(p)
			progress = true
			continue
		}
		typ, length, ok := s.client.Header()
		if !ok {
			return progress, nil
		}
		if err := relay.CheckLength(typ, length, largeFrontend(typ)); err != nil {
			return progress, err
		}
		if typ == 'd' && s.copyIn >= 0 && length+1 > relay.DefaultBufSize {
			s.copyTarget().Write(s.client.Stream())
			progress = true
			continue
		}
		f, ok, err := s.client.Frame(relay.MaxLargeMessage)
		if err != nil {
			return progress, &relay.ProtocolError{Msg: err.Error()}
		}
		if !ok {
			return progress, nil
		}
		progress = true
		if err := s.frontend(f); err != nil {
			return progress, err
		}
	}
	return progress, nil
}

// largeFrontend says which client message types may exceed PostgreSQL's
// small-message limit (postgres.c's choice of PQ_LARGE_MESSAGE_LIMIT).
func largeFrontend(typ byte) bool {
	switch typ {
	case 'Q', 'P', 'B', 'F', 'd', 'p':
		return true
	}
	return false
}

func (s *session) copyTarget() *relay.Conn { return s.slot.Conns[s.copyIn].Conn }

// frontend handles one client message.
func (s *session) frontend(f []byte) error {
	if s.copyIn >= 0 {
		switch f[0] {
		case 'd', 'c', 'f', 'H', 'S':
			s.copyTarget().Write(f)
			if f[0] == 'c' || f[0] == 'f' {
				s.copyIn = -1
			}
			return nil
		}
	}
	if s.discard {
		switch f[0] {
		case 'S':
			s.discard = false
		case 'X':
			s.closing = true
			return nil
		default:
			return nil // ignored until Sync, as PostgreSQL does
		}
	}
	switch f[0] {
	case 'Q':
		return s.simpleQuery(f)
	case 'P':
		return s.parse(f)
	case 'B':
		return s.bind(f)
	case 'E':
		return s.execute(f)
	case 'D':
		return s.describe(f)
	case 'C':
		return s.closeStatement(f)
	case 'S':
		return s.sync(f)
	case 'H':
		return s.flush(f)
	case 'F':
		return s.functionCall(f)
	case 'X':
		s.closing = true
		return nil
	case 'd', 'c', 'f':
		// COPY messages outside COPY: PostgreSQL accepts and ignores
		// them (the client is finishing a COPY that failed).
		return nil
	}
	return &relay.ProtocolError{Msg: "invalid frontend message type " + itoa(int(f[0]))}
}

// body returns the message body without the header, checking that a
// string-carrying message ends with its NUL.
func body(f []byte) []byte { return f[5:] }

// simpleQuery routes and sends a Query.
func (s *session) simpleQuery(f []byte) error {
	b := body(f)
	if len(b) == 0 || b[len(b)-1] != 0 {
		return &relay.ProtocolError{Msg: "invalid string in message"}
	}
	sql := b[:len(b)-1]
	if s.pend.empty() && s.intercept(sql) {
		return nil
	}
	r := s.route(sql, false, nil)
	s.groupErr = false
	return s.sendGroup(f, r, 'Q', sql)
}

// functionCall sends a FunctionCall to the primary (Pgpool treats it as a
// write).
func (s *session) functionCall(f []byte) error {
	s.qEff, s.qMulti, s.groupErr = router.Effect{Kind: router.KindOther}, false, false
	return s.sendGroup(f, s.primaryOnly(), 'F', nil)
}

// sendGroup sends a Query or FunctionCall to the nodes of r and queues
// their responses: the main node's go to the client, the others' are
// read and dropped, and one ReadyForQuery ends the group.
func (s *session) sendGroup(f []byte, r routing, kind byte, sql []byte) error {
	last := r.last()
	for n := r.nodes.first(); n >= 0; n = r.nodes.next(n) {
		c, err := s.backendConn(n)
		if err != nil {
			return s.routeFailed(n, err)
		}
		s.sentTo(n, c)
		if n != r.main && r.rewrite != nil {
			c.Write(r.rewrite)
		} else {
			c.Write(f)
		}
		s.pend.push(pendEntry{node: int16(n), kind: kind, fwd: n == r.main, main: n == r.main, last: n == last})
	}
	s.pend.waitZ++
	s.c.slot.SetStatus(shm.ProcExecuteCommand)
	if sql != nil {
		s.c.slot.SetStatement(sql, r.nodes)
	}
	s.countStatement(r)
	return nil
}

// parse routes a Parse and remembers where the statement lives.
func (s *session) parse(f []byte) error {
	name, rest, ok := relay.CString(body(f))
	if !ok {
		return &relay.ProtocolError{Msg: "invalid string in message"}
	}
	sql, _, ok := relay.CString(rest)
	if !ok {
		return &relay.ProtocolError{Msg: "invalid string in message"}
	}
	r := s.route(sql, true, name)
	t := target{nodes: r.nodes, main: r.main, dest: s.parseDest, eff: s.parseEff}
	if !r.nodes.has(s.cl.Primary()) {
		t.parse = f
	}
	if s.parseDest.RerouteAtBind {
		t.parse, t.parsed, t.reroute = f, r.nodes, true
	}
	s.stmts.set(name, t)
	if err := s.sendExtendedRewrite(f, t, 'P', r.rewrite); err != nil {
		return err
	}
	s.c.slot.SetStatement(sql, r.nodes)
	return nil
}

// rerouteAtBind routes a dml_adaptive named statement again before its
// Bind, by its SQL: the tables written in the transaction since it was
// parsed decide where it runs now (Pgpool-II's pool_where_to_send in Bind;
// see router.Destination.RerouteAtBind). A node that does not hold the
// statement gets its Parse first.
func (s *session) rerouteAtBind(stmt []byte, t target) (target, error) {
	_, rest, _ := relay.CString(body(t.parse))
	sql, _, _ := relay.CString(rest)
	r := s.route(sql, true, stmt)
	moved := target{nodes: r.nodes, main: r.main, dest: s.parseDest, eff: s.parseEff,
		parse: t.parse, parsed: t.parsed, reroute: true}
	for n := r.nodes.first(); n >= 0; n = r.nodes.next(n) {
		if moved.parsed.has(n) {
			continue
		}
		if err := s.sendExtended(t.parse, target{nodes: maskOf(n), main: n}, 'P', false); err != nil {
			return t, err
		}
		s.pend.ring[(s.pend.head+s.pend.n-1)%len(s.pend.ring)].fwd = false // the client did not send this Parse
		moved.parsed.set(n)
	}
	s.stmts.set(stmt, moved)
	return moved, nil
}

// bind sends a Bind to its statement's nodes and remembers the portal's.
func (s *session) bind(f []byte) error {
	portal, rest, ok := relay.CString(body(f))
	if !ok {
		return &relay.ProtocolError{Msg: "invalid string in message"}
	}
	stmt, _, ok := relay.CString(rest)
	if !ok {
		return &relay.ProtocolError{Msg: "invalid string in message"}
	}
	t, known := s.stmts.get(stmt)
	if !known {
		// PostgreSQL answers "prepared statement does not exist" in
		// order with everything else; let the primary say it.
		t = s.primaryTarget()
	} else if t.reroute {
		var err error
		if t, err = s.rerouteAtBind(stmt, t); err != nil {
			return err
		}
	} else if t.parse != nil && (s.rs.MultiStatementTx && !t.nodes.has(s.cl.Primary()) ||
		s.rs.NeedsParseOnPrimary(&t.dest, &router.Env{Cluster: s.snapshot(), PrimaryTx: s.primaryTx()})) {
		// The transaction became a writing one since the statement was
		// parsed on a standby (or is one that only the primary is in,
		// see route): parse it on the primary and run it there (Pgpool's
		// parse before bind), so it sees the transaction's writes.
		// The nodes that had it keep their copy (also), for Close.
		p := s.cl.Primary()
		moved := target{nodes: maskOf(p), also: t.nodes.union(t.also), main: p, dest: t.dest, eff: t.eff}
		moved.dest.Nodes = router.NodeSet{}
		moved.dest.Nodes.Add(p)
		if err := s.sendExtended(t.parse, moved, 'P', false); err != nil {
			return err
		}
		e := &s.pend.ring[(s.pend.head+s.pend.n-1)%len(s.pend.ring)]
		e.fwd = false // the client did not send this Parse
		// Rare: the allocations keep the old target safe from reuse of
		// the unnamed statement's buffer.
		orig := t
		orig.parse = append([]byte(nil), t.parse...)
		s.moves = append(s.moves, move{name: string(stmt), orig: orig})
		e.move = int16(len(s.moves))
		s.stmts.set(stmt, moved)
		t = moved
	}
	s.portals.set(portal, t)
	return s.sendExtended(f, t, 'B', false)
}

// execute sends an Execute to its portal's nodes, counting the statement
// and tracking writes as Pgpool does at Execute.
func (s *session) execute(f []byte) error {
	portal, _, ok := relay.CString(body(f))
	if !ok {
		return &relay.ProtocolError{Msg: "invalid string in message"}
	}
	t, known := s.portals.get(portal)
	if !known {
		t = s.primaryTarget() // a cursor from DECLARE lives on the primary
		t.eff = router.Effect{Kind: router.KindOther}
	}
	s.c.slot.SetStatus(shm.ProcExecuteCommand)
	s.rs.Executed(&t.eff, s.primaryTx())
	for n := t.nodes.first(); n >= 0; n = t.nodes.next(n) {
		s.c.seg.CountStatement(n, shm.StatKind(t.eff.Kind))
	}
	if err := s.sendExtended(f, t, 'E', false); err != nil {
		return err
	}
	// The main node's entry carries the effect for its CommandComplete.
	for i := s.pend.n - 1; i >= 0; i-- {
		e := &s.pend.ring[(s.pend.head+i)%len(s.pend.ring)]
		if e.kind != 'E' {
			break
		}
		if int(e.node) == t.main {
			e.eff, e.track = t.eff, true
		}
	}
	return nil
}

// describe sends a Describe to the statement's or portal's nodes.
func (s *session) describe(f []byte) error {
	kind, name, err := subject(f, "Describe")
	if err != nil {
		return err
	}
	var t target
	var known bool
	if kind == 'S' {
		t, known = s.stmts.get(name)
	} else {
		t, known = s.portals.get(name)
	}
	if !known {
		t = s.primaryTarget()
	}
	return s.sendExtended(f, t, 'D', kind == 'S')
}

// closeStatement sends a Close to the statement's or portal's nodes and
// forgets the name.
func (s *session) closeStatement(f []byte) error {
	kind, name, err := subject(f, "Close")
	if err != nil {
		return err
	}
	var t target
	var known bool
	if kind == 'S' {
		t, known = s.stmts.get(name)
		t.nodes = t.nodes.union(t.also)
		s.stmts.del(name)
		t.nodes = t.nodes.union(t.parsed) // every node that holds it
	} else {
		t, known = s.portals.get(name)
		s.portals.del(name)
	}
	if !known {
		t = s.primaryTarget()
	}
	return s.sendExtended(f, t, 'C', false)
}

// subject reads what a Describe or Close (msg) names: 'S' and a
// statement, or 'P' and a portal. The errors are PostgreSQL's.
func subject(f []byte, msg string) (kind byte, name []byte, err error) {
	b := body(f)
	if len(b) < 2 {
		return 0, nil, &relay.ProtocolError{Msg: "invalid " + msg + " message"}
	}
	name, _, ok := relay.CString(b[1:])
	if !ok {
		return 0, nil, &relay.ProtocolError{Msg: "invalid string in message"}
	}
	if b[0] != 'S' && b[0] != 'P' {
		return 0, nil, &relay.ProtocolError{Msg: "invalid " + strings.ToUpper(msg) + " message subtype " + itoa(int(b[0]))}
	}
	return b[0], name, nil
}

// sendExtended forwards an extended-protocol message to t's nodes and
// queues its responses.
func (s *session) sendExtended(f []byte, t target, kind byte, stmt bool) error {
	return s.send(f, t, kind, stmt, nil)
}

// sendExtendedRewrite is sendExtended for a Parse whose other nodes get
// rewrite (BEGIN rewrite) instead of f.
func (s *session) sendExtendedRewrite(f []byte, t target, kind byte, rewrite []byte) error {
	return s.send(f, t, kind, false, rewrite)
}

func (s *session) send(f []byte, t target, kind byte, stmt bool, rewrite []byte) error {
	for n := t.nodes.first(); n >= 0; n = t.nodes.next(n) {
		c, err := s.backendConn(n)
		if err != nil {
			return s.routeFailed(n, err)
		}
		s.sentTo(n, c)
		if rewrite != nil && n != t.main {
			c.Write(rewrite)
		} else {
			c.Write(f)
		}
		s.pend.push(pendEntry{node: int16(n), kind: kind, fwd: n == t.main, stmt: stmt, main: n == t.main})
		s.syncMask.set(n)
	}
	return nil
}

// sync sends Sync to every node used since the last one and queues one
// ReadyForQuery group.
func (s *session) sync(f []byte) error {
	nodes := s.syncMask
	if nodes.empty() {
		nodes = maskOf(s.main)
	}
	main := s.main
	if !nodes.has(main) {
		main = nodes.first()
	}
	// An implicit transaction on the primary that other nodes took part
	// in: its Sync (which commits it) waits until they answered, because
	// an error there must roll back what the primary did (releaseSync).
	p := s.cl.Primary()
	deferred := -1
	if p >= 0 && nodes.has(p) && nodes != maskOf(p) && s.nodeTx[p] != 'T' && s.nodeTx[p] != 'E' {
		deferred = p
	}
	last := -1
	for n := nodes.first(); n >= 0; n = nodes.next(n) {
		if n != deferred {
			last = n
		}
	}
	if deferred >= 0 {
		last = deferred
	}
	for n := nodes.first(); n >= 0; n = nodes.next(n) {
		c, err := s.backendConn(n)
		if err != nil {
			return s.routeFailed(n, err)
		}
		if n == deferred {
			// Flush, so that it answers what came before the Sync.
			c.SetWbuf(append(c.Wbuf(), 'H', 0, 0, 0, 4))
			continue
		}
		c.Write(f)
		s.pend.push(pendEntry{node: int16(n), kind: 'S', fwd: n == main, main: n == main, last: n == last})
	}
	if deferred >= 0 {
		s.pend.push(pendEntry{node: int16(deferred), kind: 'S', fwd: deferred == main, main: deferred == main, last: true, deferred: true})
	}
	s.implicitTx = s.primaryTx() == 'T' && s.nodeTx[s.cl.Primary()] != 'T'
	s.syncMask.clear()
	s.pend.waitZ++
	return nil
}

// flush forwards Flush to the nodes used since the last Sync.
func (s *session) flush(f []byte) error {
	nodes := s.syncMask
	if nodes.empty() {
		nodes = maskOf(s.main)
	}
	for n := nodes.first(); n >= 0; n = nodes.next(n) {
		if c := s.slot.Conns[n]; c != nil {
			c.Write(f)
		}
	}
	return nil
}

// routeFailed handles a node a statement must go to but that cannot be
// reached.
func (s *session) routeFailed(node int, err error) error {
	return &nodeError{node: node, err: err}
}
