package pcp

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

var (
	// ErrServerClosed is returned by [Server.Serve] after [Server.Close] or
	// [Server.Shutdown]; nobody needs to log it.
	ErrServerClosed = errors.New("pcp: server closed")

	// ErrNotAuthenticated is returned by client requests made before a
	// successful [Client.Authenticate].
	ErrNotAuthenticated = errors.New("pcp: connection is not authenticated")

	errUnterminated = errors.New("string is not NUL-terminated")
	errShortPacket  = errors.New("packet ends before its last field")
)

// LengthError reports a packet whose length word is out of bounds: below 4, or
// not below the limit of its direction ([MaxRequestLength] for requests).
type LengthError struct {
	Type   byte
	Length int32
}

func (e *LengthError) Error() string {
	return fmt.Sprintf("pcp: invalid length %d of packet type %q", e.Length, e.Type)
}

// UnknownPacketError reports a packet type that is not part of the protocol.
type UnknownPacketError struct {
	Type byte
}

func (e *UnknownPacketError) Error() string {
	return fmt.Sprintf("pcp: unknown packet type %q", e.Type)
}

// MalformedError reports a packet whose payload cannot be decoded.
type MalformedError struct {
	Type   byte
	Reason string
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("pcp: malformed packet type %q: %s", e.Type, e.Reason)
}

// detail is the DETAIL the server sends with its FATAL "invalid PCP packet".
func (e *MalformedError) detail() string {
	return fmt.Sprintf("malformed \"%c\" packet: %s", e.Type, e.Reason)
}

func malformed(typ byte, err error) error {
	return &MalformedError{Type: typ, Reason: err.Error()}
}

// UnexpectedReplyError reports a reply type the client did not expect for the
// request it sent (libpcp's PCP_RES_BAD_RESPONSE).
type UnexpectedReplyError struct {
	Request byte
	Reply   byte
}

func (e *UnexpectedReplyError) Error() string {
	return fmt.Sprintf("pcp: unexpected reply type %q to request %q", e.Reply, e.Request)
}

// Severities as Pgpool writes them in the 'S' field of E and N packets.
const (
	SeverityFatal   = "FATAL"
	SeverityError   = "ERROR"
	SeverityWarning = "WARNING"
	SeverityNotice  = "NOTICE"
	SeverityInfo    = "INFO"
	SeverityLog     = "LOG"
	SeverityDebug   = "DEBUG"
)

// DefaultCode is the SQLSTATE-like code Pgpool puts in every PCP error packet.
const DefaultCode = "XX000"

// Error is an E (error) or N (notice) packet: what the server reports and what
// the client receives (§1.6). A Handler returns one to send Pgpool's exact
// texts; ERROR keeps the session, FATAL ends it after the packet is sent.
type Error struct {
	Severity string // one of the Severity* constants
	Code     string // DefaultCode when empty
	Message  string
	Detail   string // optional
	Hint     string // optional
	File     string // source file that raised it (Pgpool: the C file)
	Line     int
}

// Error returns a one-line form for logs and Go callers.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pcp: ")
	b.WriteString(e.Severity)
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	return b.String()
}

// Fatal reports whether the error ends the session.
func (e *Error) Fatal() bool {
	return e.Severity == SeverityFatal || e.Severity == "PANIC"
}

// newError builds an Error and records its caller as the source location,
// as Pgpool's ereport() records __FILE__ and __LINE__.
func newError(severity, message, detail string) *Error {
	e := &Error{Severity: severity, Code: DefaultCode, Message: message, Detail: detail}
	if _, file, line, ok := runtime.Caller(2); ok {
		e.File, e.Line = filepath.Base(file), line
	}
	return e
}

// Errorf returns an ERROR with a message and an optional formatted detail.
func Errorf(message, detailFormat string, args ...any) *Error {
	return newError(SeverityError, message, sprintfOrEmpty(detailFormat, args))
}

// Fatalf returns a FATAL with a message and an optional formatted detail.
func Fatalf(message, detailFormat string, args ...any) *Error {
	return newError(SeverityFatal, message, sprintfOrEmpty(detailFormat, args))
}

func sprintfOrEmpty(format string, args []any) string {
	if format == "" {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

// The errors below are Pgpool's texts for the checks of §1.7, so that a
// Handler answers exactly as Pgpool does. Handlers may return any other error
// too; the server then sends an ERROR with the request's generic message and
// the error text as detail.

// ErrNodeInfoInvalidID: I with a node id that is neither -1 nor configured.
func ErrNodeInfoInvalidID(id int) *Error {
	return newError(SeverityError, "informing node info failed", fmt.Sprintf("invalid node ID : %d", id))
}

// ErrHealthCheckStatsInvalidID: H with a node id below 0 or above the number of
// backends.
func ErrHealthCheckStatsInvalidID(id int) *Error {
	return newError(SeverityError, "informing health check stats info failed", fmt.Sprintf("invalid node ID %d", id))
}

// ErrHealthCheckStatsNoData: H for a node id without statistics (Pgpool
// reaches it for id == number of backends).
func ErrHealthCheckStatsNoData(id int) *Error {
	return newError(SeverityError, "informing health check stats info failed", fmt.Sprintf("stats data for node ID %d does not exist", id))
}

// ErrProcessInfoInvalidPID: P with a pid that is not a live child.
func ErrProcessInfoInvalidPID(pid int) *Error {
	return newError(SeverityError, "informing process info failed", fmt.Sprintf("invalid process ID : %d", pid))
}

// ErrWatchdogNotEnabled: W while use_watchdog is off.
func ErrWatchdogNotEnabled() *Error {
	return newError(SeverityError, "PCP: informing watchdog info failed", "watchdog is not enabled")
}

// ErrWatchdogInvalidIndex: W when the watchdog could not be asked.
func ErrWatchdogInvalidIndex() *Error {
	return newError(SeverityError, "PCP: informing watchdog info failed", "invalid watchdog index")
}

// ErrBusy: O, T or t while a failover, failback or promotion runs. reason is
// one of "failback is in progress", "failover is in progress", "promote node
// operation is in progress", "operation is in progress".
func ErrBusy(reason string) *Error {
	return newError(SeverityError, "failed to process PCP request at the moment", reason)
}

// ErrRecoveryInvalidNode: O with a node id outside the configured backends.
func ErrRecoveryInvalidNode(id int) *Error {
	return newError(SeverityError, "process recovery request failed", fmt.Sprintf("node id %d is not valid", id))
}

// ErrRecoveryPrimary: O for the primary in streaming replication mode.
func ErrRecoveryPrimary() *Error {
	return newError(SeverityError, "process recovery request failed", "primary server cannot be recovered by online recovery.")
}

// ErrRecoveryMode: O in a clustering mode without online recovery.
func ErrRecoveryMode() *Error {
	return newError(SeverityError, "process recovery request failed", "recovery request is only allowed in replication and streaming replication modes.")
}

// ErrRecoveryInProgress: O while another recovery runs. FATAL, as in Pgpool.
func ErrRecoveryInProgress() *Error {
	return newError(SeverityFatal, "process recovery request failed", "pgpool-II is already processing another recovery request.")
}

// ErrPromoteInvalidNode: J/j with a node id outside the configured backends.
func ErrPromoteInvalidNode(id int) *Error {
	return newError(SeverityError, "could not process promote request", fmt.Sprintf("node id %d is not valid", id))
}

// ErrPromoteMode: J/j outside streaming replication mode. FATAL, as in Pgpool.
func ErrPromoteMode() *Error {
	return newError(SeverityFatal, "invalid pgpool mode for process promote request", "")
}

// ErrPromotePrimary: J/j for the node that already is the primary. FATAL, as in
// Pgpool.
func ErrPromotePrimary(id int) *Error {
	return newError(SeverityFatal, "invalid promote request", fmt.Sprintf("specified node is already primary node, can't promote node id %d", id))
}

// ErrDetachOutOfRange: D/d with a node id outside [0, 128).
func ErrDetachOutOfRange(id, maxBackends int) *Error {
	return newError(SeverityError, fmt.Sprintf("invalid degenerate backend request, node id: %d is out of range. node id must be between [0 and %d]", id, maxBackends), "")
}

// ErrDetachInvalidStatus: D/d for a node that is not up (nor quarantined);
// status is the numeric node status.
func ErrDetachInvalidStatus(id, status int) *Error {
	return newError(SeverityError, fmt.Sprintf("invalid degenerate backend request, node id : %d status: [%d] is not valid for failover", id, status), "")
}

// ErrDetachDisallowed: D/d for a node flagged DISALLOW_TO_FAILOVER; pid is the
// process that handled the request.
func ErrDetachDisallowed(id, pid int) *Error {
	return newError(SeverityError, fmt.Sprintf("degenerate backend request for node_id: %d from pid [%d] is canceled because failover is disallowed on the node", id, pid), "")
}

// ErrAttachOutOfRange: C with a node id outside [0, 128).
func ErrAttachOutOfRange(id, maxBackends int) *Error {
	return newError(SeverityError, fmt.Sprintf("invalid failback request, node id: %d is out of range. node id must be between [0 and %d]", id, maxBackends), "")
}

// ErrAttachInvalidStatus: C in raw mode for a node that is not down.
func ErrAttachInvalidStatus(id, status int) *Error {
	return newError(SeverityError, fmt.Sprintf("invalid failback request, node id : %d status: [%d] not valid for failback", id, status), "")
}

// ErrLogRotateDisabled: V while logging_collector is off.
func ErrLogRotateDisabled() *Error {
	return newError(SeverityError, "process log rotation request failed", "logging_collector is disabled")
}

// ErrQueryCacheDisabled: G while memory_cache_enabled is off.
func ErrQueryCacheDisabled() *Error {
	return newError(SeverityError, "query cache is not enabled", "")
}

// ErrInvalidParameter: A with a parameter other than client_min_messages.
func ErrInvalidParameter(name string) *Error {
	return newError(SeverityError, "PCP: set configuration parameter failed", fmt.Sprintf("invalid parameter \"%s\"", name))
}

// errInvalidParameterValue: A with a value client_min_messages does not take.
func errInvalidParameterValue(name, value string) *Error {
	return newError(SeverityError, "PCP: set configuration parameter failed", fmt.Sprintf("invalid value \"%s\" for parameter \"%s\"", value, name))
}

// errInvalidShutdownMode: T/t with a mode other than s, f, i.
func errInvalidShutdownMode(mode byte) *Error {
	return newError(SeverityError, "PCP: error while processing shutdown request", fmt.Sprintf("invalid shutdown mode \"%c\"", mode))
}

// Session-level errors of the PCP worker (pcp_worker.c), all FATAL.

func errNotAuthorized() *Error {
	return newError(SeverityFatal, "authentication failed for new PCP connection", "connection not authorized")
}

func errNoSalt() *Error {
	return newError(SeverityFatal, "authentication failed", "username and/or password does not match")
}

func errAuthFailed(user string) *Error {
	return newError(SeverityFatal, fmt.Sprintf("authentication failed for user \"%s\"", user), "username and/or password does not match")
}

func errAuthLookup(err error) *Error {
	return newError(SeverityFatal, "failed to authenticate PCP user", err.Error())
}

func errInvalidPacket(detail string) *Error {
	return newError(SeverityFatal, "invalid PCP packet", detail)
}

func errUnknownPacket(typ byte) *Error {
	return newError(SeverityFatal, "PCP processing request", fmt.Sprintf("unknown PCP packet type \"%c\"", typ))
}
