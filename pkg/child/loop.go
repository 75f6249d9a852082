package child

import (
	"errors"
	"io"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// clientBacklog is how much unsent output for the client the session
// buffers before it stops reading backends (back-pressure: a slow client
// slows the backend down instead of filling our memory).
const clientBacklog = 256 << 10

// loop runs the session until the client leaves or it must end.
func (s *session) loop() {
	for !s.closing {
		if err := s.step(); err != nil {
			s.onError(err)
			return
		}
		if s.closing {
			break
		}
		if err := s.flushAll(); err != nil {
			s.onError(err)
			return
		}
		if err := s.wait(); err != nil {
			s.onError(err)
			return
		}
	}
	s.flushAll()
}

// step processes whatever is buffered: backend responses first (they may
// unblock the client), then client messages, until neither makes progress.
func (s *session) step() error {
	for {
		progB, err := s.processBackends()
		if err != nil {
			return err
		}
		progC, err := s.processClient()
		if err != nil {
			return err
		}
		if s.closing || !progB && !progC {
			return nil
		}
	}
}

// clientReadable says whether the session consumes client input now: not
// while a statement's ReadyForQuery is awaited (the next statement is
// routed on the state it leaves, as Pgpool does), except COPY data.
func (s *session) clientReadable() bool {
	return s.copyIn >= 0 || s.pend.waitZ == 0
}

func (s *session) flushAll() error {
	if s.client.Pending() > 0 {
		if err := s.client.Flush(); err != nil && !errors.Is(err, relay.ErrWouldBlock) {
			s.vanished = true
			return errClientGone
		}
	}
	for n, c := range s.slot.Conns {
		if c != nil && c.Pending() > 0 {
			if err := c.Flush(); err != nil && !errors.Is(err, relay.ErrWouldBlock) {
				return &nodeError{node: n, err: err}
			}
		}
	}
	return nil
}

// wait polls the sockets the session needs and reads what arrived.
func (s *session) wait() error {
	fds := s.pfds[:0]
	fds = append(fds, unix.PollFd{Fd: int32(s.c.flags.wakefd), Events: unix.POLLIN})
	var cev int16
	// Read while the buffer has room, and always while a large message
	// (a Bind or Query of megabytes) is only partly buffered: it cannot
	// be processed before the rest arrives.
	if s.clientReadable() && (s.client.Buffered() < relay.DefaultBufSize || s.client.Partial()) {
		cev |= unix.POLLIN
	}
	if s.client.Pending() > 0 {
		cev |= unix.POLLOUT
	}
	fds = append(fds, unix.PollFd{Fd: int32(s.client.FD), Events: cev | unix.POLLRDHUP})
	head := -1
	if !s.pend.empty() {
		head = int(s.pend.front().node)
	}
	for n, c := range s.slot.Conns {
		if c == nil {
			continue
		}
		var ev int16
		// Read the node we wait on; read ahead from the others while
		// their buffer has room; when idle, read async messages.
		if s.client.Pending() < clientBacklog && (n == head || head < 0 || c.Buffered() < relay.DefaultBufSize/2) {
			ev |= unix.POLLIN
		}
		if c.Pending() > 0 {
			ev |= unix.POLLOUT
		}
		fds = append(fds, unix.PollFd{Fd: int32(c.FD), Events: ev})
	}
	timeout := -1
	if s.idleLimit() > 0 && s.pend.empty() {
		timeout = 1000
	}
	// A TLS connection may hold readable bytes the socket will not
	// signal (what did not fit the read buffer): read them now.
	hidden := s.hiddenReadable(fds)
	if hidden {
		timeout = 0
	}
	n, err := relay.Poll(fds, timeout)
	if err != nil {
		return err
	}
	if n == 0 && !hidden {
		return s.checkIdle()
	}
	if fds[0].Revents != 0 {
		s.c.flags.drain()
		if s.c.flags.fast.Load() {
			s.fatal(relay.ErrAdminShutdown())
			return nil
		}
		if node, ok := s.c.slot.TerminateRequested(); ok {
			// A failover cut this session: the client hears which node
			// failed; the child exits and is respawned clean.
			s.fatal(relay.ErrNodeFailed(node))
			s.failed = true
			return nil
		}
	}
	if fds[1].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR|unix.POLLRDHUP) != 0 || readHidden(fds[1], s.client) {
		if err := s.client.Fill(); err != nil && !errors.Is(err, relay.ErrWouldBlock) {
			if s.client.Buffered() == 0 || !s.clientReadable() {
				s.vanished = true
				return errClientGone
			}
		}
		s.idle = time.Now()
	}
	i := 2
	for node, c := range s.slot.Conns {
		if c == nil {
			continue
		}
		if fds[i].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0 || readHidden(fds[i], c.Conn) {
			if err := c.Fill(); err != nil && !errors.Is(err, relay.ErrWouldBlock) {
				if c.Buffered() == 0 {
					return &nodeError{node: node, err: err}
				}
			}
		}
		i++
	}
	return nil
}

// hiddenReadable reports whether a connection polled for input holds
// bytes in its transport (fds[1] is the client, then the nodes' in order).
func (s *session) hiddenReadable(fds []unix.PollFd) bool {
	if readHidden(fds[1], s.client) {
		return true
	}
	i := 2
	for _, c := range s.slot.Conns {
		if c == nil {
			continue
		}
		if readHidden(fds[i], c.Conn) {
			return true
		}
		i++
	}
	return false
}

// readHidden: c is polled for input and its transport holds some.
func readHidden(fd unix.PollFd, c *relay.Conn) bool {
	return fd.Events&unix.POLLIN != 0 && c.Hidden() > 0
}

// idleLimit is client_idle_limit in seconds (client_idle_limit_in_recovery
// while an online recovery runs).
func (s *session) idleLimit() int {
	if s.c.seg.Recovery() == shm.RecoveryOnline && s.cfg.ClientIdleLimitInRecovery != 0 {
		return s.cfg.ClientIdleLimitInRecovery
	}
	return s.cfg.ClientIdleLimit
}

func (s *session) checkIdle() error {
	limit := s.idleLimit()
	if limit == 0 {
		return nil
	}
	idle := int(time.Since(s.idle) / time.Second)
	s.c.slot.SetIdleSeconds(s.slot.Index, idle)
	if limit < 0 || idle >= limit {
		s.log.Info().Int("client_idle_limit", limit).Msg("closing an idle client connection")
		s.fatal(relay.ErrIdleLimit(limit))
		s.failed = s.tx != 'I' // an open transaction must not be cached
	}
	return nil
}

var errClientGone = errors.New("client connection closed")

// nodeError is a failure of the connection to one node.
type nodeError struct {
	node int
	err  error
}

func (e *nodeError) Error() string { return "node " + itoa(e.node) + ": " + e.err.Error() }

func (e *nodeError) Unwrap() error { return e.err }

// onError ends the session after err.
func (s *session) onError(err error) {
	s.closing = true
	var ne *nodeError
	var pe *relay.ProtocolError
	switch {
	case errors.Is(err, errClientGone):
		s.vanished = true
		s.log.Debug().Msg("client disconnected without Terminate")
	case errors.As(err, &pe):
		s.log.Warn().Err(err).Msg("protocol violation; ending the session")
		s.fatal(pe.PgError())
		s.failed = true
	case errors.As(err, &ne):
		s.failed = true
		s.nodeFailed(ne.node, ne.err)
	default:
		s.failed = true
		s.log.Error().Err(err).Msg("session failed")
		s.fatal(relay.ErrInternal(err.Error()))
	}
}

// nodeFailed handles a broken connection to a node: the client is told,
// and with failover_on_backend_error the supervisor is asked to detach it
// (Pgpool §5.2).
func (s *session) nodeFailed(node int, err error) {
	lg := s.log.Warn()
	if errors.Is(err, io.EOF) {
		lg = lg.Str("detail", "the backend closed the connection")
	}
	lg.Err(err).Int("node", node).Msg("lost the connection to a backend node")
	s.c.reportNodeFailure(node)
	s.fatal(relay.ErrNodeFailed(node))
}
