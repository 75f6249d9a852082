package pcp

import (
	"context"
	"strings"
)

// Level is a message level in Pgpool's order (utils/elog.h), used to decide
// which notices a PCP session receives: those at or above the session's
// client_min_messages, and INFO always.
type Level int

const (
	LevelDebug5 Level = iota + 10
	LevelDebug4
	LevelDebug3
	LevelDebug2
	LevelDebug1
	LevelLog
	_ // COMMERROR
	LevelInfo
	LevelNotice
	LevelWarning
	LevelError
)

var levelNames = map[string]Level{
	"debug5": LevelDebug5, "debug4": LevelDebug4, "debug3": LevelDebug3,
	"debug2": LevelDebug2, "debug1": LevelDebug1, "log": LevelLog,
	"info": LevelInfo, "notice": LevelNotice, "warning": LevelWarning,
	"error": LevelError,
}

// ParseLevel reads a client_min_messages value, case-insensitively, as
// Pgpool accepts it for the A request (debug5 … debug1, log, info, notice,
// warning, error).
func ParseLevel(s string) (Level, bool) {
	l, ok := levelNames[strings.ToLower(s)]
	return l, ok
}

// Severity is the word sent in the 'S' field for a notice of this level.
func (l Level) Severity() string {
	switch {
	case l <= LevelDebug1:
		return SeverityDebug
	case l == LevelLog:
		return SeverityLog
	case l == LevelInfo:
		return SeverityInfo
	case l == LevelNotice:
		return SeverityNotice
	case l == LevelWarning:
		return SeverityWarning
	}
	return SeverityError
}

// Session describes the PCP connection a request came from.
type Session struct {
	User   string // authenticated PCP user
	Client string // client address, "[local]" for a Unix socket
}

type sessionKey struct{}

// SessionFromContext returns the session of a Handler call.
func SessionFromContext(ctx context.Context) (Session, bool) {
	c, ok := ctx.Value(sessionKey{}).(*conn)
	if !ok {
		return Session{}, false
	}
	return Session{User: c.user, Client: c.client}, true
}

// Notify sends a notice (N packet) to the client of a Handler call, before
// the reply, as Pgpool forwards ereport(NOTICE …) raised while it handles a
// request (e.g. "…But cluster is not in stable state"). It is dropped when
// level is below the session's client_min_messages. Safe for concurrent use.
func Notify(ctx context.Context, level Level, message, detail string) {
	if c, ok := ctx.Value(sessionKey{}).(*conn); ok {
		c.notify(level, message, detail)
	}
}
