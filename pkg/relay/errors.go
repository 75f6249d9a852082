package relay

import "strconv"

// Severity words of ErrorResponse and NoticeResponse.
const (
	SevError   = "ERROR"
	SevFatal   = "FATAL"
	SevNotice  = "NOTICE"
	SevWarning = "WARNING"
)

// PgError is an ErrorResponse or NoticeResponse we originate.
type PgError struct {
	Severity string
	Code     string // SQLSTATE
	Message  string
	Detail   string
	Hint     string
}

func (e *PgError) Error() string { return e.Severity + ": " + e.Message + " (SQLSTATE " + e.Code + ")" }

// Fatal reports whether the session must end after sending e.
func (e *PgError) Fatal() bool { return e.Severity == SevFatal }

// AppendError appends e as an ErrorResponse ('E'), or a NoticeResponse
// ('N') for notice and warning severities.
func AppendError(b []byte, e *PgError) []byte {
	typ := byte('E')
	if e.Severity == SevNotice || e.Severity == SevWarning {
		typ = 'N'
	}
	start := len(b)
	b = append(b, typ, 0, 0, 0, 0)
	b = appendField(b, 'S', e.Severity)
	b = appendField(b, 'V', e.Severity)
	b = appendField(b, 'C', e.Code)
	b = appendField(b, 'M', e.Message)
	if e.Detail != "" {
		b = appendField(b, 'D', e.Detail)
	}
	if e.Hint != "" {
		b = appendField(b, 'H', e.Hint)
	}
	b = append(b, 0)
	return setLength(b, start)
}

func appendField(b []byte, code byte, s string) []byte {
	b = append(b, code)
	b = append(b, s...)
	return append(b, 0)
}

// ProtocolError is a malformed message from a peer: the stream cannot be
// trusted any more and the session ends with FATAL 08P01.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "protocol violation: " + e.Msg }

// PgError converts a protocol error into what the client is told.
func (e *ProtocolError) PgError() *PgError {
	return &PgError{Severity: SevFatal, Code: "08P01", Message: e.Msg}
}

// The errors pgpoold sends to clients. Texts are Pgpool-II's where it has
// one (DBAs grep for them), PostgreSQL's otherwise.

// ErrTooManyClients is Pgpool's reserved_connections refusal.
func ErrTooManyClients() *PgError {
	return &PgError{Severity: SevFatal, Code: "53300", Message: "Sorry, too many clients already"}
}

// ErrNoUser is a startup packet without a user.
func ErrNoUser() *PgError {
	return &PgError{Severity: SevFatal, Code: "28000", Message: "no PostgreSQL user name specified in startup packet"}
}

// ErrUnsupportedProtocol is a startup packet of a protocol we do not speak.
func ErrUnsupportedProtocol(major, minor int) *PgError {
	return &PgError{Severity: SevFatal, Code: "0A000",
		Message: "unsupported frontend protocol " + strconv.Itoa(major) + "." + strconv.Itoa(minor) + ": server supports 3.0 to 3.0",
	}
}

// ErrStartupPacket is a malformed startup packet.
func ErrStartupPacket(msg string) *PgError {
	return &PgError{Severity: SevFatal, Code: "08P01", Message: msg}
}

// ErrAllNodesDown is Pgpool's refusal when no backend is valid.
func ErrAllNodesDown() *PgError {
	return &PgError{Severity: SevFatal, Code: "08S01", Message: "pgpool is not accepting any new connections",
		Detail: "all backend nodes are down, pgpool requires at least one valid node",
		Hint:   "repair the backend nodes and restart pgpool"}
}

// ErrShuttingDown answers a client that arrives during a shutdown.
func ErrShuttingDown() *PgError {
	return &PgError{Severity: SevFatal, Code: "57P03", Message: "the database system is shutting down"}
}

// ErrAdminShutdown ends sessions at a fast shutdown.
func ErrAdminShutdown() *PgError {
	return &PgError{Severity: SevFatal, Code: "57P01", Message: "terminating connection due to administrator command"}
}

// ErrIdleLimit ends a session idle longer than client_idle_limit.
func ErrIdleLimit(seconds int) *PgError {
	return &PgError{Severity: SevFatal, Code: "57000", Message: "unable to read data",
		Detail: "child connection forced to terminate due to client_idle_limit:" + strconv.Itoa(seconds) + " is reached"}
}

// ErrAuthTimeout ends a session whose startup took longer than
// authentication_timeout.
func ErrAuthTimeout() *PgError {
	return &PgError{Severity: SevFatal, Code: "08006", Message: "canceling authentication due to timeout"}
}

// ErrBackendConnect tells a client a node could not be reached.
func ErrBackendConnect(node int, addr string, err error) *PgError {
	return &PgError{Severity: SevFatal, Code: "08006", Message: "failed to create a backend connection",
		Detail: "connection to node " + strconv.Itoa(node) + " (" + addr + ") failed: " + err.Error()}
}

// ErrNodeFailed ends a session that lost a node it was using.
func ErrNodeFailed(node int) *PgError {
	return &PgError{Severity: SevFatal, Code: "57P01", Message: "terminating connection because backend node " + strconv.Itoa(node) + " failed",
		Hint: "reconnect: pgpool has detached the failed node"}
}

// ErrKindMismatch is Pgpool's answer when nodes disagree on a statement
// sent to several of them.
func ErrKindMismatch(detail string) *PgError {
	return &PgError{Severity: SevFatal, Code: "XX000", Message: "unable to read message kind", Detail: "kind mismatch among backends. " + detail}
}

// ErrStatementNotExist is Pgpool's answer to a Bind of an unknown
// statement.
func ErrStatementNotExist(name string) *PgError {
	return &PgError{Severity: SevError, Code: "26000", Message: "prepared statement \"" + name + "\" does not exist"}
}

// ErrPortalNotExist answers an Execute of an unknown portal.
func ErrPortalNotExist(name string) *PgError {
	return &PgError{Severity: SevError, Code: "34000", Message: "portal \"" + name + "\" does not exist"}
}

// ErrTxAborted answers statements in an aborted transaction when the
// abort happened on a node the primary does not know about.
func ErrTxAborted() *PgError {
	return &PgError{Severity: SevError, Code: "25P02", Message: "current transaction is aborted, commands ignored until end of transaction block"}
}

// ErrSimpleInExtended is Pgpool's error for a simple query in the middle
// of an extended-protocol sequence; pgpoold does not need it (it queues),
// but keeps the text for the cases it refuses.
func ErrInternal(msg string) *PgError {
	return &PgError{Severity: SevError, Code: "XX000", Message: msg}
}
