package child

import (
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/router"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// processBackends handles the backend messages that are buffered: the
// responses of the pending entry at the head of the queue, in order, and
// asynchronous messages of idle connections. It reports progress.
func (s *session) processBackends() (bool, error) {
	progress := false
	for !s.pend.empty() {
		if s.client.Pending() >= clientBacklog {
			return progress, nil // let the client drain first
		}
		e := s.pend.front()
		c := s.slot.Conns[e.node]
		if c == nil {
			return progress, &nodeError{node: int(e.node), err: errNoNode}
		}
		if e.deferred {
			s.releaseSync(c, e)
			progress = true
		}
		moved, err := s.drain(c, int(e.node))
		if err != nil {
			return progress, err
		}
		if !moved {
			break
		}
		progress = true
	}
	if s.pend.empty() {
		for n, c := range s.slot.Conns {
			if c != nil && (c.Buffered() > 0 || c.EOF()) {
				p, err := s.idleMessages(c, n)
				if err != nil {
					return progress, err
				}
				progress = progress || p
			}
		}
	}
	return progress, nil
}

// drain handles the buffered messages of node while it is at the head of
// the queue. It reports whether it consumed anything.
func (s *session) drain(c *backend.Conn, node int) (bool, error) {
	progress := false
	for !s.pend.empty() && int(s.pend.front().node) == node {
		if c.Streaming() > 0 {
			p := c.More()
			if len(p) == 0 {
				return progress, nil // the rest of the frame is still on its way
			}
			s.passOn(p)
			progress = true
			continue
		}
		typ, length, ok := c.Header()
		if !ok {
			return progress, nil
		}
		if (typ == 'D' || typ == 'd') && length+1 > relay.DefaultBufSize {
			if err := relay.CheckLength(typ, length, true); err != nil {
				return progress, &nodeError{node: node, err: err}
			}
			s.setFwd(s.pend.front().fwd && !s.batchErr)
			s.passOn(c.Stream())
			progress = true
			continue
		}
		f, ok, err := c.Frame(relay.MaxLargeMessage)
		if err != nil {
			return progress, &nodeError{node: node, err: err}
		}
		if !ok {
			return progress, nil
		}
		progress = true
		if err := s.response(c, node, f); err != nil {
			return progress, err
		}
		if s.closing {
			return progress, nil
		}
	}
	return progress, nil
}

// streamFwd says whether pieces of the frame being streamed go to the
// client.
func (s *session) setFwd(fwd bool) { s.streamFwd = fwd }

func (s *session) passOn(p []byte) {
	if s.streamFwd {
		s.client.Write(p)
	}
}

// response handles one whole backend frame for the head entry.
func (s *session) response(c *backend.Conn, node int, f []byte) error {
	e := s.pend.front()
	fwd := e.fwd && !s.batchErr
	typ := f[0]
	switch typ {
	case 'A': // NotificationResponse: always the client's
		s.client.Write(f)
		return nil
	case 'N':
		if fwd {
			s.client.Write(f)
		}
		return nil
	case 'S':
		if e.fwd {
			s.client.Write(f)
			s.rememberParameter(f)
		}
		return nil
	case 'Z':
		return s.readyForQuery(node, f)
	case 'E':
		return s.errorResponse(node, f)
	case 'G': // CopyInResponse: the client's data goes to this node now
		s.copyIn = node
	}
	if fwd {
		s.client.Write(f)
	}
	if typ == 'C' && e.main {
		s.commandComplete(e, f)
	}
	if completes(e, typ) {
		s.pend.pop()
	} else if e.kind == 'D' && e.stmt && typ == 't' {
		e.stmt = false // ParameterDescription seen; RowDescription/NoData ends it
	}
	return nil
}

// completes says whether a response of type typ ends entry e.
func completes(e *pendEntry, typ byte) bool {
	switch e.kind {
	case 'P':
		return typ == '1'
	case 'B':
		return typ == '2'
	case 'D':
		return !e.stmt && (typ == 'T' || typ == 'n')
	case 'E':
		return typ == 'C' || typ == 's' || typ == 'I'
	case 'C':
		return typ == '3'
	}
	return false // 'Q', 'F' and 'S' end at ReadyForQuery
}

// readyForQuery ends a Query, FunctionCall or Sync entry. The client gets
// one ReadyForQuery per group, with the group's main node's status, or E
// when any node of the group is in a failed transaction (Pgpool §4.8).
func (s *session) readyForQuery(node int, f []byte) error {
	e := *s.pend.front()
	if e.kind != 'Q' && e.kind != 'F' && e.kind != 'S' {
		return &nodeError{node: node, err: &relay.ProtocolError{Msg: "unexpected ReadyForQuery from backend (waiting for " + s.pend.describe() + ")"}}
	}
	s.pend.pop()
	st := f[5]
	s.nodeTx[node] = st
	s.slot.Conns[node].TxStatus = st
	if st == 'E' {
		s.zStatus = 'E'
	} else if e.main && s.zStatus != 'E' {
		s.zStatus = st
	}
	if !e.last {
		return nil
	}
	if s.zStatus == 'E' && !e.abort && s.abortPrimary() {
		return nil // the client's ReadyForQuery follows the primary's
	}
	if e.kind == 'S' && s.implicitTx {
		s.implicitTx = false
		if p := s.cl.Primary(); p >= 0 && s.nodeTx[p] == 'I' {
			// The implicit transaction ended: forget its writes and
			// errors as a COMMIT or ROLLBACK would.
			s.rs.CommandSucceeded(&router.Effect{Cmd: router.CmdTransaction, Tx: router.TxCommit}, 'I')
		}
	}
	if e.kind == 'Q' && !s.groupErr && !e.abort {
		s.rs.CommandSucceeded(&s.qEff, s.primaryTx())
		if s.qEff.TwoPhase() {
			s.closeStandbyTransactions()
		}
	}
	for _, m := range s.moves {
		if m.failed {
			s.stmts.set([]byte(m.name), m.orig)
		}
	}
	s.moves = s.moves[:0]
	s.tx = s.zStatus
	s.zStatus = 'I'
	s.batchErr = false
	s.batchErrNodes.clear()
	s.copyIn = -1
	s.pend.waitZ--
	s.client.SetWbuf(relay.AppendReadyForQuery(s.client.Wbuf(), s.tx))
	s.afterReady()
	return nil
}

// releaseSync sends the primary the Sync that ends its implicit
// transaction, once the other nodes of the batch answered theirs (see
// session.sync). When one of them failed, the primary first gets a Parse
// that fails: the error rolls its implicit transaction back, as
// PostgreSQL rolls back a batch with an error anywhere in it, instead of
// committing the writes it ran before (their answers were not forwarded).
func (s *session) releaseSync(c *backend.Conn, e *pendEntry) {
	e.deferred = false
	node := e.node
	if !s.batchErrNodes.empty() && !s.batchErrNodes.has(int(node)) {
		c.SetWbuf(append(c.Wbuf(), abortParse...))
		s.pend.pushFront(pendEntry{node: node, kind: 'P'}) // e is stale from here
	}
	c.SetWbuf(append(c.Wbuf(), 'S', 0, 0, 0, 4))
}

// abortParse is a Parse of abortQuery as a named statement (a failed
// Parse creates nothing, and the client's unnamed statement stays).
var abortParse = relay.AppendParse(nil, []byte("pgpool abort"), abortQuery)

// abortPrimary fails the primary's transaction when another node's
// failed and the primary's did not: a read balanced to the standby got
// an error inside a transaction. PostgreSQL fails the whole transaction
// then, so the primary must too, or the client's next writes would
// succeed there and its COMMIT would commit them. As Pgpool-II does
// (do_error_command, POOL_ERROR_QUERY), the primary gets a statement that
// fails, whose answer nobody sees. It reports whether it sent one.
func (s *session) abortPrimary() bool {
	p := s.cl.Primary()
	if p < 0 || s.nodeTx[p] != 'T' || s.slot.Conns[p] == nil || s.pend.has(int16(p)) {
		return false
	}
	c := s.slot.Conns[p]
	c.SetWbuf(relay.AppendQueryBytes(c.Wbuf(), abortQuery))
	s.pend.push(pendEntry{node: int16(p), kind: 'Q', last: true, abort: true})
	return true
}

// abortQuery is Pgpool-II's POOL_ERROR_QUERY: a syntax error, so it
// fails on any server and in any transaction. Its text shows in the
// primary's log.
var abortQuery = []byte("send invalid query from pgpool to abort transaction")

// afterReady records the session's state once a statement completed.
func (s *session) afterReady() {
	st := shm.ProcIdle
	if s.tx != 'I' {
		st = shm.ProcIdleInTransaction
	}
	s.c.slot.SetStatus(st)
	s.idle = s.now()
}

// errorResponse handles an ErrorResponse for the head entry.
func (s *session) errorResponse(node int, f []byte) error {
	e := s.pend.front()
	sev, code, _ := relay.ErrorFields(f[5:])
	s.countError(node, sev)
	if string(sev) == relay.SevFatal || string(sev) == "PANIC" {
		// The node ends our connection (admin shutdown, crash): the
		// client hears it and the session ends.
		s.client.Write(f)
		s.slot.Conns[node].Close()
		s.slot.Conns[node] = nil
		s.c.pool.DropNode(s.slot, node)
		s.failed = true
		s.closing = true
		if s.c.cfg.FailoverOnBackendShutdown && (string(code) == "57P01" || string(code) == "57P02") && (node == s.primary || node == s.lbNode) {
			s.c.reportNodeFailure(node)
		}
		return nil
	}
	if !e.fwd && !s.batchErr {
		// A node that only mirrors the main node's statement (BEGIN,
		// SET, ... on the load-balance node) failed where the main one
		// did not: the nodes no longer agree on the session's state.
		if s.groupMainSucceeded() {
			s.fatal(relay.ErrKindMismatch("node " + itoa(node) + " reported an error the main node did not"))
			s.failed = true
			return nil
		}
	}
	if e.fwd && !s.batchErr {
		s.client.Write(f)
	}
	if e.main {
		s.groupErr = true
		s.rs.ErrorReceived(s.primaryTx())
	}
	switch e.kind {
	case 'Q', 'F', 'S':
		// The query ends with its ReadyForQuery.
	default:
		s.batchErr = true
		s.batchErrNodes.set(node)
		s.pend.pop()
		groups, synced := s.pend.dropUntilSync(int16(node), s.moves)
		s.pend.waitZ -= groups
		s.discard = s.discard || !synced
	}
	return nil
}

// countError counts an ErrorResponse of node in SHOW pool_backend_stats
// by its severity, as Pgpool-II's read_kind_from_backend does for every
// node it reads an ErrorResponse from (error_stat_count_up).
func (s *session) countError(node int, sev []byte) {
	switch string(sev) {
	case relay.SevError:
		s.c.seg.CountStatement(node, shm.StatError)
	case relay.SevFatal:
		s.c.seg.CountStatement(node, shm.StatFatal)
	case "PANIC":
		s.c.seg.CountStatement(node, shm.StatPanic)
	}
}

// groupMainSucceeded reports that the main node of the current group got
// no error (its entry completed before this one).
func (s *session) groupMainSucceeded() bool { return s.zStatus != 'E' && !s.batchErr }

// rememberParameter keeps the main node's ParameterStatus for replay to
// the next client of the slot.
func (s *session) rememberParameter(f []byte) {
	name, rest, ok := relay.CString(f[5:])
	if !ok {
		return
	}
	val, _, _ := relay.CString(rest)
	for i := range s.slot.Params {
		if s.slot.Params[i].Name == string(name) {
			if s.slot.Params[i].Value != string(val) {
				s.slot.Params[i].Value = string(val)
			}
			return
		}
	}
	s.slot.Params = append(s.slot.Params, relay.Param{Name: string(name), Value: string(val)})
}

// idleMessages handles what a node sends while nothing is pending:
// notifications, notices, parameter changes, and its death.
func (s *session) idleMessages(c *backend.Conn, node int) (bool, error) {
	progress := false
	for {
		f, ok, err := c.Frame(relay.MaxLargeMessage)
		if err != nil {
			return progress, &nodeError{node: node, err: err}
		}
		if !ok {
			if c.EOF() {
				return progress, &nodeError{node: node, err: errNodeClosed}
			}
			return progress, nil
		}
		progress = true
		switch f[0] {
		case 'A', 'N':
			s.client.Write(f)
		case 'S':
			if node == s.main {
				s.client.Write(f)
				s.rememberParameter(f)
			}
		case 'E':
			s.pend.push(pendEntry{node: int16(node), kind: 'Q', fwd: true})
			err := s.errorResponse(node, f)
			if !s.pend.empty() {
				s.pend.pop()
			}
			return progress, err
		default:
			return progress, &nodeError{node: node, err: &relay.ProtocolError{Msg: "unexpected message " + string(f[0]) + " from an idle backend"}}
		}
	}
}

// commandComplete follows a statement's success for write tracking: the
// command tags of a simple query (BEGIN inside a multi-statement query),
// and an Execute's CommandComplete.
func (s *session) commandComplete(e *pendEntry, f []byte) {
	tag, _, _ := relay.CString(f[5:])
	switch e.kind {
	case 'Q':
		s.rs.CommandTag(tag, s.qMulti)
	case 'E':
		if e.track {
			s.rs.CommandSucceeded(&e.eff, s.primaryTx())
			if e.eff.TwoPhase() {
				s.closeStandbyTransactions()
			}
		}
	}
}

// closeStandbyTransactions commits the transactions still open on nodes
// other than the primary after PREPARE TRANSACTION or COMMIT/ROLLBACK
// PREPARED: they only ever saw the transaction's reads (Pgpool does the
// same). It runs on connections that have nothing pending.
func (s *session) closeStandbyTransactions() {
	primary := s.cl.Primary()
	for n, c := range s.slot.Conns {
		if c == nil || n == primary || s.nodeTx[n] == 'I' || s.pend.has(int16(n)) {
			continue
		}
		if _, err := c.Query("COMMIT", time.Now().Add(resetTimeout)); err != nil {
			s.log.Warn().Err(err).Int("node", n).Msg("could not close the transaction of a standby after a two-phase command")
			s.failed = true
		}
		s.nodeTx[n] = c.TxStatus
	}
}
