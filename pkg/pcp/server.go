package pcp

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Server is the PCP listener of pgpoold: one goroutine per PCP client (Pgpool
// forks one PCP worker per connection; §1.1).
type Server struct {
	// Handler performs the requests. Required.
	Handler Handler
	// Authenticate looks up pcp.conf users. Required.
	Authenticate Authenticator
	// Logger receives the server's events (component=pcp is added).
	Logger zerolog.Logger
	// Layout is the node info and process info field list sent to clients
	// (§1.9). The zero value means Layout47. Use Layout43 when the pcp_*
	// tools and pgpool_adm that talk to this daemon are Pgpool-II 4.3 ones
	// (e.g. Debian 12's): 4.3 clients misread the 4.4+ node info row.
	Layout Layout
	// ClientMinMessages is the initial client_min_messages of a session (a
	// client may change it with an A request). Zero means LevelNotice.
	ClientMinMessages Level
	// AuthenticationTimeout bounds the time from accept to a successful login.
	// Zero means one minute; negative means no limit. Pgpool has none, but a
	// client that connects and says nothing should not hold a goroutine
	// forever.
	AuthenticationTimeout time.Duration
	// WriteTimeout bounds each reply write, so that a client that stops
	// reading cannot block its goroutine forever. Zero means one minute;
	// negative means no limit.
	WriteTimeout time.Duration

	mu        sync.Mutex
	listeners map[*net.Listener]struct{}
	conns     map[*conn]struct{}
	closed    bool
	ctx       context.Context
	cancel    context.CancelFunc
	connWG    sync.WaitGroup
	log       zerolog.Logger
}

// Serve runs a PCP server with default options on listeners until they fail
// or the process ends. See [Server.Serve].
func Serve(listeners []net.Listener, h Handler, auth Authenticator) error {
	srv := &Server{Handler: h, Authenticate: auth}
	return srv.Serve(listeners)
}

func (srv *Server) init() {
	if srv.listeners == nil {
		srv.listeners = make(map[*net.Listener]struct{})
		srv.conns = make(map[*conn]struct{})
		srv.ctx, srv.cancel = context.WithCancel(context.Background())
		srv.log = srv.Logger.With().Str("component", "pcp").Logger()
	}
}

// Serve accepts PCP clients on every listener (TCP on pcp_listen_addresses,
// Unix sockets in pcp_socket_dir) and serves each in its own goroutine. It
// returns ErrServerClosed after Close or Shutdown, or the first accept error
// that is not temporary (after closing the other listeners).
func (srv *Server) Serve(listeners []net.Listener) error {
	if srv.Handler == nil || srv.Authenticate == nil {
		return errors.New("pcp: Server needs a Handler and an Authenticate function")
	}
	srv.mu.Lock()
	srv.init()
	if srv.closed {
		srv.mu.Unlock()
		return ErrServerClosed
	}
	for i := range listeners {
		srv.listeners[&listeners[i]] = struct{}{}
	}
	srv.mu.Unlock()

	errc := make(chan error, len(listeners))
	for i := range listeners {
		ln := &listeners[i]
		go func() { errc <- srv.acceptLoop(*ln) }()
	}
	var first error
	for range listeners {
		err := <-errc
		if first == nil {
			first = err
			if !srv.isClosed() {
				srv.closeListeners()
			}
		}
	}
	if srv.isClosed() || first == nil {
		return ErrServerClosed
	}
	return first
}

func (srv *Server) acceptLoop(ln net.Listener) error {
	srv.log.Info().Str("listen", ln.Addr().String()).Msg("pcp server listening")
	var delay time.Duration
	for {
		rwc, err := ln.Accept()
		if err != nil {
			if srv.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				delay = backoff(delay)
				srv.log.Warn().Err(err).Dur("retry_in", delay).Msg("pcp accept failed")
				t := time.NewTimer(delay)
				select {
				case <-t.C:
				case <-srv.ctx.Done():
					t.Stop()
				}
				continue
			}
			return err
		}
		delay = 0
		c := srv.newConn(rwc)
		if c == nil {
			rwc.Close()
			return ErrServerClosed
		}
		go c.serve(srv.ctx)
	}
}

// backoff follows net/http: 5 ms doubling up to 1 s.
func backoff(d time.Duration) time.Duration {
	if d == 0 {
		return 5 * time.Millisecond
	}
	if d *= 2; d > time.Second {
		d = time.Second
	}
	return d
}

// isTemporary recognises accept errors worth retrying: out of file
// descriptors or memory, aborted connections.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (srv *Server) isClosed() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.closed
}

func (srv *Server) newConn(rwc net.Conn) *conn {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return nil
	}
	c := newConn(srv, rwc)
	srv.conns[c] = struct{}{}
	srv.connWG.Add(1)
	return c
}

func (srv *Server) removeConn(c *conn) {
	srv.mu.Lock()
	delete(srv.conns, c)
	srv.mu.Unlock()
	srv.connWG.Done()
}

func (srv *Server) closeListeners() {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for ln := range srv.listeners {
		(*ln).Close()
		delete(srv.listeners, ln)
	}
}

// Close stops accepting, cancels running handlers and closes every PCP
// connection at once.
func (srv *Server) Close() error {
	srv.mu.Lock()
	srv.init()
	srv.closed = true
	for ln := range srv.listeners {
		(*ln).Close()
		delete(srv.listeners, ln)
	}
	// Close the sockets before cancelling, so that a handler that returns
	// on cancellation finds its client gone instead of answering it.
	for c := range srv.conns {
		c.rwc.Close()
	}
	srv.cancel()
	srv.mu.Unlock()
	srv.connWG.Wait()
	return nil
}

// Shutdown stops accepting and waits for the open sessions to end (clients
// send X after one command) until ctx is done, then closes what remains.
func (srv *Server) Shutdown(ctx context.Context) error {
	srv.mu.Lock()
	srv.init()
	srv.closed = true
	srv.mu.Unlock()
	srv.closeListeners()
	done := make(chan struct{})
	go func() { srv.connWG.Wait(); close(done) }()
	select {
	case <-done:
		srv.cancel()
		return nil
	case <-ctx.Done():
		srv.Close()
		return ctx.Err()
	}
}
