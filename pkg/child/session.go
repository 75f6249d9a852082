package child

import (
	"errors"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/pool"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/router"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// session is one client's session. One value per child is reused for
// every session, so its buffers and tables are allocated once.
type session struct {
	c      *Child
	cfg    *config.Config // the child's configuration with this session's PGPOOL SET values
	log    zerolog.Logger
	client *relay.Conn
	host   string
	port   int
	st     *relay.Startup
	slot   *pool.Slot

	primary int // the session's primary (PRIMARY_NODE_ID at start)
	lbNode  int // the session's load-balance node
	main    int // node whose answers the client sees for multi-node statements

	tx       byte // transaction status the client last saw (I, T, E)
	nodeTx   [shm.MaxBackends]byte
	pend     pending
	syncMask nodeMask // nodes that got extended-protocol messages since the last Sync
	batchErr bool     // an error was forwarded in this extended batch
	// batchErrNodes: the nodes that failed in this extended batch.
	batchErrNodes nodeMask
	// discard: an extended-protocol message failed and the client has not
	// sent its Sync yet. PostgreSQL ignores every message but Sync then
	// (ignore_till_sync) and so do we: forwarded, they would wait for
	// answers the failed node never sends.
	discard bool
	// implicitTx: the Sync in flight ends an implicit transaction block
	// on the primary (see primaryTx), whose write tracking its
	// ReadyForQuery must end as a COMMIT would.
	implicitTx bool
	moves      []move // statements moved to the primary since the last Sync
	zStatus    byte   // merged status of the ReadyForQuery being collected
	copyIn     int    // node in COPY IN (client data goes there), -1 none
	streamFwd  bool   // the frame being streamed from a backend goes to the client
	stmts      names  // prepared statement name → nodes
	portals    names  // portal name → nodes

	idle     time.Time // client idle since (client_idle_limit)
	vanished bool      // the client went away without Terminate
	closing  bool      // the session is over (Terminate, FATAL)
	failed   bool      // a backend failed: do not cache the slot

	// Routing (package router): the session's state, the statement being
	// classified, the node snapshot and the statement effects awaiting
	// their outcome.
	rs        router.Session
	stmt      router.Statement
	renv      router.Env
	cl        router.Cluster
	clGen     uint64
	localDown nodeMask // nodes this session could not reach (failover_on_backend_error off)
	// touched: the nodes this session sent anything to. The others are as
	// the last reset left them and need no reset at its end.
	touched     nodeMask
	sqlPrepared map[string]router.Prepared
	sqlPrepText map[string][]byte
	qEff        router.Effect // the simple query in flight
	qMulti      bool
	groupErr    bool // the group in flight got an ErrorResponse
	parseDest   router.Destination
	parseEff    router.Effect
	rewriteBuf  []byte

	pfds [2 + shm.MaxBackends]unix.PollFd
	buf  []byte // scratch for messages we build

	auth authState // client authentication and TLS (auth.go)
}

func newSession(c *Child) *session {
	return &session{c: c, client: relay.NewConn(-1), copyIn: -1, stmts: newNames(), portals: newNames(),
		sqlPrepared: map[string]router.Prepared{}, sqlPrepText: map[string][]byte{}}
}

// serve runs one client session on fd.
func (c *Child) serve(fd int, host string, port int) {
	s := c.sess
	s.begin(fd, host, port)
	defer s.finish()
	c.slot.SetStatus(shm.ProcConnecting)
	n := c.seg.ConnCountUp()
	defer c.seg.ConnCountDown()
	if r := c.cfg.ReservedConnections; r > 0 && n > c.cfg.NumInitChildren-r {
		// Pgpool answers at once, without reading the startup packet.
		s.fatal(relay.ErrTooManyClients())
		return
	}
	if !s.startup() {
		return
	}
	spawn.SetTitle("pgpool: " + s.st.User + " " + s.st.Database + " " + hostPort(host, port) + " idle")
	s.loop()
}

func hostPort(host string, port int) string {
	if port == 0 {
		return host
	}
	return host + "(" + itoa(port) + ")"
}

func (s *session) begin(fd int, host string, port int) {
	s.client.Reset(fd)
	s.host, s.port = host, port
	s.st, s.slot = nil, nil
	s.primary, s.lbNode, s.main = -1, -1, -1
	s.tx, s.zStatus = 'I', 'I'
	s.pend.reset()
	s.syncMask, s.batchErr, s.copyIn, s.implicitTx = nodeMask{}, false, -1, false
	s.discard = false
	s.batchErrNodes.clear()
	s.stmts.reset()
	s.moves = s.moves[:0]
	s.portals.reset()
	clear(s.sqlPrepared)
	clear(s.sqlPrepText)
	s.localDown, s.clGen, s.groupErr = nodeMask{}, 0, false
	s.touched = nodeMask{}
	// Every connection a session starts with is idle: new, or reset at
	// the end of the previous session (or discarded then).
	for i := range s.nodeTx {
		s.nodeTx[i] = 'I'
	}
	s.cl.Nodes = s.cl.Nodes[:0]
	s.vanished, s.closing, s.failed = false, false, false
	s.idle = time.Now()
	s.cfg = s.c.cfg
	s.log = s.c.log.With().Str("client", hostPort(host, port)).Logger()
}

// finish releases the slot (resetting it for the next client when it can
// be cached) and closes the client.
func (s *session) finish() {
	keep := false
	if s.slot != nil {
		keep = s.cacheable() && s.resetBackends()
		s.c.slot.SetPoolConnected(s.slot.Index, false)
		s.c.slot.SetCurrentPool(-1, -1)
		s.c.pool.Release(s.slot, keep)
		s.slot = nil
	}
	if s.client.FD >= 0 {
		s.client.Flush()
		s.client.Close()
		s.client.FD = -1
	}
	s.client.Shrink()
	if s.c.cfg.LogDisconnections && s.st != nil {
		s.log.Info().Msg("frontend disconnected")
	} else {
		s.log.Debug().Bool("cached", keep).Msg("session ended")
	}
}

// cacheable says whether the slot may be kept for the next client
// (Pgpool §3.4): connection_cache on, the client said goodbye properly, no
// backend failed, and not one of the databases Pgpool never caches.
func (s *session) cacheable() bool {
	if !s.c.cfg.ConnectionCache || s.vanished || s.failed || s.st == nil {
		return false
	}
	switch s.st.Database {
	case "template0", "template1", "postgres", "regression":
		return false
	}
	return s.pend.empty() && s.copyIn < 0
}

// fatal sends a FATAL (or ERROR) error to the client, best effort, and
// ends the session.
func (s *session) fatal(e *relay.PgError) {
	s.client.SetWbuf(relay.AppendError(s.client.Wbuf(), e))
	relay.FlushWait(s.client, time.Now().Add(time.Second))
	s.closing = true
}

// sendError sends an ERROR and, when idle, the ReadyForQuery after it.
func (s *session) sendError(e *relay.PgError) {
	s.client.SetWbuf(relay.AppendError(s.client.Wbuf(), e))
}

// sentTo records that a client's statement went to node: on the primary
// it may create a temporary table (see router.Env.NoTempTables).
func (s *session) sentTo(node int, c *backend.Conn) {
	if node == s.primary {
		c.NoTemp = false
	}
}

// noTempTables says whether the session's primary connection cannot hold
// a temporary table (backend.Conn.NoTemp).
func (s *session) noTempTables() bool {
	c := s.slot.Conns[s.primary]
	return c != nil && c.NoTemp
}

// backendConn returns the session's connection to node, opening it when
// needed. A failure is reported to the client by the caller.
func (s *session) backendConn(node int) (*backend.Conn, error) {
	s.touched.set(node)
	if c := s.slot.Conns[node]; c != nil {
		return c, nil
	}
	return s.connect(node)
}

var (
	errNoNode        = errors.New("no valid node")
	errBusyForLookup = errors.New("the connection is busy with the client's pipeline")
)
