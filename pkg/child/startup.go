package child

import (
	"errors"
	"strconv"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/pool"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/router"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

func itoa(n int) string { return strconv.Itoa(n) }

// startup reads the client's startup packet (answering SSL and GSS
// requests and serving cancel requests), authenticates the client, and
// attaches it to a pool slot. It reports whether the session goes on.
func (s *session) startup() bool {
	cfg := s.c.cfg
	var deadline time.Time
	if cfg.AuthenticationTimeout > 0 {
		deadline = time.Now().Add(time.Duration(cfg.AuthenticationTimeout) * time.Second)
	}
	if !s.startAuth(deadline) {
		return false
	}
	for {
		st, perr, err := s.readStartup(deadline)
		if err != nil {
			if errors.Is(err, relay.ErrTimeout) {
				s.fatal(relay.ErrAuthTimeout())
			} else {
				s.log.Debug().Err(err).Msg("client went away during startup")
			}
			return false
		}
		if perr != nil {
			s.log.Debug().Str("error", perr.Message).Msg("bad startup packet")
			s.fatal(perr)
			return false
		}
		switch st.Code {
		case relay.CodeSSL:
			if !s.negotiateTLS(deadline) {
				return false
			}
			continue
		case relay.CodeGSSENC:
			// GSSAPI encryption is not supported (nor by Pgpool): 'N',
			// and the client goes on in plain text or gives up.
			s.client.Write([]byte{'N'})
			if err := relay.FlushWait(s.client, deadline); err != nil {
				return false
			}
			continue
		case relay.CodeCancel:
			s.c.forwardCancel(st.CancelPid, st.CancelKey)
			return false
		}
		s.st = st
		return s.attach(deadline)
	}
}

// readStartup reads one startup-phase packet (no type byte).
func (s *session) readStartup(deadline time.Time) (*relay.Startup, *relay.PgError, error) {
	hdr, err := relay.ReadBytes(s.client, 4, deadline)
	if err != nil {
		return nil, nil, err
	}
	n, perr := relay.StartupLength(hdr)
	if perr != nil {
		return nil, perr, nil
	}
	s.buf = append(s.buf[:0], hdr...)
	rest, err := relay.ReadBytes(s.client, n-4, deadline)
	if err != nil {
		return nil, nil, err
	}
	s.buf = append(s.buf, rest...)
	st, perr := relay.ParseStartup(s.buf)
	return st, perr, nil
}

// attach picks the session's nodes, takes a pool slot (cached or new),
// and completes the client's startup.
func (s *session) attach(deadline time.Time) bool {
	seg, cfg := s.c.seg, s.c.cfg
	if s.st.Replication != "" && s.st.Replication != "false" && s.st.Replication != "0" && s.st.Replication != "off" {
		s.fatal(&relay.PgError{Severity: relay.SevFatal, Code: "0A000", Message: "replication connections are not supported by pgpool"})
		return false
	}
	s.waitFailover()
	s.primary = seg.PrimaryOrMain()
	if s.primary < 0 {
		s.fatal(relay.ErrAllNodesDown())
		return false
	}
	s.main = s.primary
	s.rs = router.Session{Opts: s.c.ropts, Cache: s.c.rcache, Rand: s.c.random,
		Client: router.Client{AppName: s.st.AppName, Database: s.st.Database, User: s.st.User}}
	s.rs.Start(s.snapshot())
	s.lbNode = s.rs.LBNode
	s.log = s.log.With().Str("user", s.st.User).Str("db", s.st.Database).Logger()
	if cfg.LogConnections {
		s.log.Info().Msg("new connection received")
	} else {
		s.log.Debug().Str("application_name", s.st.AppName).Msg("new session")
	}
	if !s.authenticateClient(deadline) {
		return false
	}
	key := pool.Key{User: s.st.User, Database: s.st.Database, Major: s.st.Major, Startup: s.st.Raw}
	slot, reused := s.c.pool.Get(key)
	s.slot = slot
	s.c.slot.ClientConnected(s.host, s.port)
	if reused {
		s.c.pool.DropDownNodes(func(n int) bool { return seg.Node(n).Valid() })
		if slot.Conns[s.primary] == nil || slot.Main != s.primary {
			// The primary changed since the slot was filled: start over.
			s.c.pool.Discard(slot)
			reused = false
			slot.Key = pool.Key{User: key.User, Database: key.Database, Major: key.Major, Startup: append([]byte(nil), key.Startup...)}
			slot.InUse = true
		}
	}
	if !reused {
		if !s.fill(deadline) {
			return false
		}
	} else if !s.reauthenticate(deadline) {
		return false
	}
	s.c.slot.SetPoolConnected(slot.Index, true)
	s.c.slot.SetCurrentPool(slot.Index, s.lbNode)
	return s.greet(deadline)
}

// fill opens the new slot's connection to the primary (whose answers the
// client sees) and to the load-balance node.
func (s *session) fill(deadline time.Time) bool {
	c, err := s.connect(s.primary)
	if err != nil {
		s.connectFailed(s.primary, err)
		return false
	}
	s.slot.Main = s.primary
	s.slot.Params = append(s.slot.Params[:0], c.Params...)
	s.slot.AuthUser = s.st.User
	s.c.slot.FillPool(s.slot.Index, shm.PoolInfo{Database: s.st.Database, User: s.st.User, Major: s.st.Major, Minor: s.st.Minor})
	s.c.slot.SetConn(s.slot.Index, s.primary, c.Pid, c.Key)
	if s.lbNode != s.primary && s.lbNode >= 0 {
		if _, err := s.connect(s.lbNode); err != nil {
			s.log.Warn().Err(err).Int("node", s.lbNode).Msg("cannot connect to the load-balance node; reads go to the primary")
			s.lbNode = s.primary
		}
	}
	return true
}

// connect opens the slot's connection to node with the client's startup
// packet.
func (s *session) connect(node int) (*backend.Conn, error) {
	cfg := s.c.cfg
	if node < 0 || node >= len(cfg.Backends) || !s.c.seg.Node(node).Valid() {
		return nil, errNoNode
	}
	b := cfg.Backends[node]
	o := backend.Options{User: s.st.User, Password: s.backendPassword, TLS: s.backendTLSConfig()}
	if cfg.ConnectTimeout > 0 {
		o.ConnectTimeout = time.Duration(cfg.ConnectTimeout) * time.Millisecond
	}
	o.Deadline = time.Now().Add(30 * time.Second)
	if cfg.AuthenticationTimeout > 0 {
		o.Deadline = time.Now().Add(time.Duration(cfg.AuthenticationTimeout) * time.Second)
	}
	c, err := backend.Connect(backend.Target{Node: node, Host: b.Host(), Port: b.Port}, s.st.Raw, o)
	if err != nil {
		return nil, err
	}
	c.NoTemp = true
	s.slot.Conns[node] = c
	s.c.slot.SetConn(s.slot.Index, node, c.Pid, c.Key)
	// A node's first successful connection moves it from waiting to up.
	if s.c.seg.CompareAndSetStatus(node, shm.StatusConnectWait, shm.StatusUp) {
		s.c.notifySupervisor()
	}
	s.nodeTx[node] = 'I'
	return c, nil
}

// connectFailed tells the client why its session cannot start. An error
// the node sent (no such database, authentication failed) is forwarded
// as it is, as PostgreSQL would have sent it.
func (s *session) connectFailed(node int, err error) {
	var serr *backend.ServerError
	if errors.As(err, &serr) {
		s.client.Write(serr.Frame)
		relay.FlushWait(s.client, time.Now().Add(time.Second))
		s.closing = true
		s.failed = true
		return
	}
	s.failed = true
	addr := ""
	if node >= 0 && node < len(s.c.cfg.Backends) {
		b := s.c.cfg.Backends[node]
		addr = backend.Target{Host: b.Host(), Port: b.Port}.String()
	}
	s.log.Error().Err(err).Int("node", node).Msg("failed to connect to a backend")
	// A node that refuses connections is failed over when
	// failover_on_backend_error is on (Pgpool §3.3).
	s.c.reportNodeFailure(node)
	s.fatal(relay.ErrBackendConnect(node, addr, err))
}

// greet completes the client's startup: AuthenticationOk, the main node's
// ParameterStatus, BackendKeyData and ReadyForQuery (Pgpool sends the key
// before replaying the parameters on reuse; clients accept either order).
func (s *session) greet(deadline time.Time) bool {
	main := s.slot.Conns[s.slot.Main]
	b := s.client.Wbuf()
	if main.Negotiate != nil {
		b = append(b, main.Negotiate...)
	}
	b = relay.AppendAuthOK(b)
	for _, p := range s.slot.Params {
		b = relay.AppendParameterStatus(b, p.Name, p.Value)
	}
	b = relay.AppendBackendKeyData(b, main.Pid, main.Key)
	b = relay.AppendReadyForQuery(b, 'I')
	s.client.SetWbuf(b)
	if err := relay.FlushWait(s.client, deadline); err != nil {
		s.vanished = true
		return false
	}
	s.c.slot.SetStatus(shm.ProcIdle)
	return true
}

// waitFailover holds a new session while a failover runs (Pgpool's
// wait_for_failover_to_finish: up to 30 s), so it starts on the new
// topology.
func (s *session) waitFailover() {
	for i := 0; i < 300 && s.c.seg.Switching(); i++ {
		time.Sleep(100 * time.Millisecond)
	}
}
