package pcp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// conn is one PCP session, the counterpart of a Pgpool PCP worker
// (pcp_worker.c). Its goroutine owns everything but wbuf and the socket's
// write side, which notices from handler goroutines share under mu.
type conn struct {
	srv    *Server
	rwc    net.Conn
	pr     *packetReader
	log    zerolog.Logger
	client string

	salt          [4]byte
	saltIssued    bool
	authenticated bool
	user          string

	mu       sync.Mutex // guards wbuf, writes and minLevel
	wbuf     []byte
	minLevel Level
}

func newConn(srv *Server, rwc net.Conn) *conn {
	client := rwc.RemoteAddr().String()
	if _, unix := rwc.(*net.UnixConn); unix || client == "" || client == "@" {
		client = "[local]"
	}
	minLevel := srv.ClientMinMessages
	if minLevel == 0 {
		minLevel = LevelNotice
	}
	return &conn{
		srv:      srv,
		rwc:      rwc,
		pr:       newPacketReader(rwc),
		client:   client,
		log:      srv.log.With().Str("client", client).Logger(),
		minLevel: minLevel,
	}
}

// errCloseSession ends the request loop after a FATAL, X or a protocol error.
var errCloseSession = errors.New("pcp: session closed")

func (c *conn) serve(ctx context.Context) {
	defer c.srv.removeConn(c)
	defer c.rwc.Close()
	defer func() {
		// The session boundary (STYLE §4): a bug in a handler or in this
		// package ends this session, not the daemon.
		if r := recover(); r != nil {
			c.log.Error().Str("panic", fmt.Sprint(r)).Bytes("stack", debug.Stack()).
				Msg("pcp session panicked; connection closed")
			c.sendError(Fatalf("PCP processing request", "internal error; see the pgpool log"))
		}
	}()
	c.log.Debug().Msg("pcp connection accepted")
	ctx = context.WithValue(ctx, sessionKey{}, c)

	if t := defaultDuration(c.srv.AuthenticationTimeout); t > 0 {
		c.rwc.SetReadDeadline(time.Now().Add(t))
	}
	for {
		if err := c.handleOne(ctx); err != nil {
			if !errors.Is(err, errCloseSession) {
				c.logReadError(err)
			}
			return
		}
	}
}

func defaultDuration(d time.Duration) time.Duration {
	if d == 0 {
		return time.Minute
	}
	return d
}

func (c *conn) logReadError(err error) {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF):
		c.log.Debug().Msg("pcp client disconnected")
	case errors.As(err, &ne) && ne.Timeout() && !c.authenticated:
		c.log.Warn().Msg("pcp client did not authenticate in time; connection closed")
	default:
		c.log.Debug().Err(err).Msg("pcp connection ended")
	}
}

// handleOne reads and answers one request.
func (c *conn) handleOne(ctx context.Context) error {
	typ, payload, err := c.pr.next(MaxRequestLength)
	if err != nil {
		var le *LengthError
		if errors.As(err, &le) {
			c.log.Warn().Int32("length", le.Length).Str("type", string(le.Type)).Msg("invalid PCP packet; connection closed")
			return c.fatal(errInvalidPacket(fmt.Sprintf("incorrect packet length (%d)", le.Length)))
		}
		return err
	}
	if !c.authenticated && typ != 'M' && typ != 'R' {
		c.log.Warn().Str("type", string(typ)).Msg("pcp request before authentication; connection closed")
		return c.fatal(errNotAuthorized())
	}
	if c.wants(LevelDebug1) {
		c.notify(LevelDebug1, "received PCP packet", fmt.Sprintf("PCP packet type of service '%c'", typ))
	}

	req, err := DecodeRequest(typ, payload)
	if err != nil {
		var ue *UnknownPacketError
		if errors.As(err, &ue) {
			c.log.Warn().Str("type", string(typ)).Msg("unknown PCP packet type; connection closed")
			return c.fatal(errUnknownPacket(typ))
		}
		c.log.Warn().Err(err).Msg("malformed PCP packet; connection closed")
		detail := err.Error()
		var me *MalformedError
		if errors.As(err, &me) {
			detail = me.detail()
		}
		return c.fatal(errInvalidPacket(detail))
	}
	return c.dispatch(ctx, req)
}

// dispatch runs one decoded request and writes its reply.
func (c *conn) dispatch(ctx context.Context, req Request) error {
	h := c.srv.Handler
	layout := c.srv.Layout.orDefault()
	switch r := req.(type) {
	case *SaltRequest:
		if _, err := rand.Read(c.salt[:]); err != nil {
			return fmt.Errorf("generate PCP salt: %w", err)
		}
		c.saltIssued = true
		return c.reply((&Salt{Salt: c.salt}).Encode)

	case *Authenticate:
		return c.authenticate(r)

	case *NodeCountRequest:
		n, err := h.NodeCount(ctx)
		if err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&NodeCount{Count: n}).Encode)

	case *NodeInfoRequest:
		rows, err := h.NodeInfo(ctx, r.NodeID)
		if err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply(func(dst []byte) []byte {
			dst = (&ArraySize{Type: 'i', Size: len(rows)}).Encode(dst)
			for i := range rows {
				dst = rows[i].Encode(dst, layout)
			}
			return (&CommandComplete{Type: 'i'}).Encode(dst)
		})

	case *HealthCheckStatsRequest:
		stats, err := h.HealthCheckStats(ctx, r.NodeID)
		if err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply(stats.Encode)

	case *ProcessCountRequest:
		pids, err := h.ProcessCount(ctx)
		if err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&ProcessCount{PIDs: pids}).Encode)

	case *ProcessInfoRequest:
		rows, err := h.ProcessInfo(ctx, r.PID)
		if err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply(func(dst []byte) []byte {
			dst = (&ArraySize{Type: 'p', Size: len(rows)}).Encode(dst)
			for i := range rows {
				dst = rows[i].Encode(dst, layout)
			}
			return (&CommandComplete{Type: 'p'}).Encode(dst)
		})

	case *PoolStatusRequest:
		rows, err := h.PoolStatus(ctx)
		if err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply(func(dst []byte) []byte {
			dst = (&ArraySize{Type: 'b', Size: len(rows)}).Encode(dst)
			for i := range rows {
				dst = rows[i].Encode(dst)
			}
			return (&CommandComplete{Type: 'b'}).Encode(dst)
		})

	case *DetachNode:
		c.log.Info().Str("user", c.user).Int("node", r.NodeID).Bool("graceful", r.Graceful).Msg("pcp detach node requested")
		if err := h.DetachNode(ctx, r.NodeID, r.Graceful); err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&CommandComplete{Type: 'd'}).Encode)

	case *AttachNode:
		c.log.Info().Str("user", c.user).Int("node", r.NodeID).Msg("pcp attach node requested")
		if err := h.AttachNode(ctx, r.NodeID); err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&CommandComplete{Type: 'c'}).Encode)

	case *PromoteNode:
		c.log.Info().Str("user", c.user).Int("node", r.NodeID).Bool("switchover", r.Switchover).
			Bool("graceful", r.Graceful).Msg("pcp promote node requested")
		if err := h.PromoteNode(ctx, r.NodeID, r.Switchover, r.Graceful); err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&CommandComplete{Type: 'd'}).Encode)

	case *RecoverNode:
		c.log.Info().Str("user", c.user).Int("node", r.NodeID).Msg("pcp online recovery requested")
		if err := h.RecoverNode(ctx, r.NodeID); err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&CommandComplete{Type: 'c'}).Encode)

	case *StopPgpool:
		if !r.Mode.Valid() {
			return c.sendError(errInvalidShutdownMode(byte(r.Mode)))
		}
		c.log.Info().Str("user", c.user).Stringer("mode", r.Mode).Stringer("scope", r.Scope).Msg("pcp stop pgpool requested")
		after, err := h.StopPgpool(ctx, r.Mode, r.Scope)
		if err != nil {
			return c.requestFailed(r, err)
		}
		err = c.reply((&CommandComplete{Type: 't'}).Encode)
		if after != nil {
			after()
		}
		return err

	case *ReloadConfig:
		c.log.Info().Str("user", c.user).Stringer("scope", r.Scope).Msg("pcp reload config requested")
		if err := h.ReloadConfig(ctx, r.Scope); err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&CommandComplete{Type: 'z'}).Encode)

	case *LogRotate:
		if err := h.LogRotate(ctx, r.Scope); err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&CommandComplete{Type: 'v'}).Encode)

	case *InvalidateQueryCache:
		if err := h.InvalidateQueryCache(ctx); err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&CommandComplete{Type: 'g'}).Encode)

	case *WatchdogInfoRequest:
		info, err := h.WatchdogInfo(ctx, r.WatchdogID)
		if err != nil {
			return c.requestFailed(r, err)
		}
		var encErr error
		werr := c.reply(func(dst []byte) []byte {
			dst, encErr = info.Encode(dst)
			return dst
		})
		if encErr != nil {
			return c.requestFailed(r, encErr)
		}
		return werr

	case *SetParameter:
		return c.setParameter(ctx, r)

	case *Terminate:
		c.log.Debug().Msg("pcp client sent terminate")
		return errCloseSession

	case *StopRecovery:
		// Pgpool only logs it and sends nothing (§1.4).
		c.log.Debug().Msg("pcp stop online recovery request ignored")
		return nil
	}
	return c.fatal(errUnknownPacket(req.Type()))
}

func (c *conn) authenticate(r *Authenticate) error {
	if !c.saltIssued {
		c.log.Warn().Str("user", r.User).Msg("pcp login without salt request; connection closed")
		return c.fatal(errNoSalt())
	}
	c.saltIssued = false // single use
	stored, ok, err := c.srv.Authenticate(r.User)
	if err != nil {
		c.log.Error().Err(err).Str("user", r.User).Str("hint", "check that pcp.conf is readable").
			Msg("failed to authenticate PCP user")
		return c.fatal(errAuthLookup(err))
	}
	want := AuthHash(r.User, stored, c.salt)
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(r.Hash)) != 1 {
		c.log.Warn().Str("user", r.User).Msg("pcp authentication failed")
		return c.fatal(errAuthFailed(r.User))
	}
	c.authenticated = true
	c.user = r.User
	c.rwc.SetReadDeadline(time.Time{})
	c.log = c.log.With().Str("user", r.User).Logger()
	c.log.Debug().Msg("pcp client authenticated")
	return c.reply((&AuthenticationOK{}).Encode)
}

// setParameter handles A. client_min_messages belongs to the session, so it
// is handled here (pcp_worker.c process_set_configuration_parameter).
func (c *conn) setParameter(ctx context.Context, r *SetParameter) error {
	if !strings.EqualFold(r.Name, "client_min_messages") {
		if err := c.srv.Handler.SetParameter(ctx, r.Name, r.Value); err != nil {
			return c.requestFailed(r, err)
		}
		return c.reply((&CommandComplete{Type: 'a'}).Encode)
	}
	level, ok := ParseLevel(r.Value)
	if !ok {
		return c.sendError(errInvalidParameterValue(r.Name, r.Value))
	}
	c.mu.Lock()
	c.minLevel = level
	c.mu.Unlock()
	c.notify(LevelDebug1, fmt.Sprintf("PCP setting parameter \"%s\" to \"%s\"", r.Name, r.Value), "")
	return c.reply((&CommandComplete{Type: 'a'}).Encode)
}

// genericFailure is the message of the ERROR sent when a Handler returns a
// plain error, per request type; the error text becomes the detail.
var genericFailure = [256]string{
	'L': "PCP: informing node count failed",
	'I': "informing node info failed",
	'H': "informing health check stats info failed",
	'N': "PCP: informing process count failed",
	'P': "informing process info failed",
	'B': "PCP: informing pool status failed",
	'D': "PCP: detaching node failed",
	'd': "PCP: detaching node failed",
	'C': "PCP: attaching node failed",
	'J': "could not process promote request",
	'j': "could not process promote request",
	'O': "process recovery request failed",
	'T': "PCP: error while processing shutdown request",
	't': "PCP: error while processing shutdown request",
	'Z': "PCP: error while processing reload config request",
	'V': "process log rotation request failed",
	'G': "PCP: invalidating query cache failed",
	'W': "PCP: informing watchdog info failed",
	'A': "PCP: set configuration parameter failed",
}

// requestFailed sends a Handler's error: a *Error as is, anything else as an
// ERROR with the request's message.
func (c *conn) requestFailed(req Request, err error) error {
	var pe *Error
	if !errors.As(err, &pe) {
		msg := genericFailure[req.Type()]
		if msg == "" {
			msg = "PCP processing request"
		}
		pe = &Error{Severity: SeverityError, Code: DefaultCode, Message: msg, Detail: err.Error(), File: "pcp"}
	}
	ev := c.log.Info()
	if pe.Fatal() {
		ev = c.log.Warn()
	}
	ev.Str("request", string(req.Type())).Str("severity", pe.Severity).Str("error", pe.Message).
		Str("detail", pe.Detail).Msg("pcp request failed")
	return c.sendError(pe)
}

// sendError writes an E packet; a FATAL one also ends the session.
func (c *conn) sendError(e *Error) error {
	if err := c.reply(func(dst []byte) []byte { return e.Encode(dst, false) }); err != nil {
		return err
	}
	if e.Fatal() {
		return errCloseSession
	}
	return nil
}

// fatal sends a FATAL error and ends the session.
func (c *conn) fatal(e *Error) error {
	c.sendError(e)
	return errCloseSession
}

// reply encodes into the session buffer and writes it in one go.
func (c *conn) reply(encode func([]byte) []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wbuf = encode(c.wbuf[:0])
	err := c.writeLocked()
	if cap(c.wbuf) > 64<<10 {
		c.wbuf = nil // do not keep an outlier (a big process list) per session
	}
	return err
}

func (c *conn) writeLocked() error {
	if t := defaultDuration(c.srv.WriteTimeout); t > 0 {
		c.rwc.SetWriteDeadline(time.Now().Add(t))
	}
	if _, err := c.rwc.Write(c.wbuf); err != nil {
		return fmt.Errorf("write PCP reply to %s: %w", c.client, err)
	}
	return nil
}

// wants reports whether the session's client_min_messages lets a notice of
// level through (INFO always passes, as in Pgpool).
func (c *conn) wants(level Level) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wantsLocked(level)
}

func (c *conn) wantsLocked(level Level) bool {
	return level >= c.minLevel || level == LevelInfo
}

// notify sends an N packet if the session's client_min_messages lets it
// through. Write errors are left to the reply that follows.
func (c *conn) notify(level Level, message, detail string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.wantsLocked(level) {
		return
	}
	n := &Error{Severity: level.Severity(), Code: DefaultCode, Message: message, Detail: detail, File: "pcp"}
	c.wbuf = n.Encode(c.wbuf[:0], true)
	c.writeLocked()
}
