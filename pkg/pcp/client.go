package pcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultSocketDir is where the client looks for the PCP Unix socket when no
// host is given (Pgpool's UNIX_DOMAIN_PATH).
const DefaultSocketDir = "/tmp"

// DefaultPort is Pgpool's default pcp_port.
const DefaultPort = 9898

// Client is a PCP client connection (libpcp). It is not safe for concurrent
// use: PCP is one request at a time.
type Client struct {
	conn          net.Conn
	pr            *packetReader
	wbuf          []byte
	authenticated bool
	broken        bool
	layout        Layout

	// Debug, when set, receives libpcp's trace as pcp_* -d prints it:
	// "DEBUG: send: …" / "DEBUG: recv: …" lines and notices.
	Debug io.Writer
	// OnNotice, when set, receives the server's notices (N packets).
	OnNotice func(*Error)
}

// DialError reports a connection failure, with libpcp's texts.
type DialError struct {
	Socket string // socket path, for a Unix socket
	Host   string // host, for TCP
	Err    error
}

func (e *DialError) Error() string {
	if e.Socket != "" {
		return fmt.Sprintf("pcp: connect to socket %s: %v", e.Socket, e.Err)
	}
	return fmt.Sprintf("pcp: connect to host %s: %v", e.Host, e.Err)
}

func (e *DialError) Unwrap() error { return e.Err }

// PgpoolText is the message pcp_* tools print for this failure.
func (e *DialError) PgpoolText() string {
	var dnsErr *net.DNSError
	switch {
	case e.Socket != "":
		return fmt.Sprintf("ERROR: connection to socket \"%s\" failed with error \"%s\"", e.Socket, strerror(e.Err))
	case errors.As(e.Err, &dnsErr):
		return fmt.Sprintf("ERROR: could not retrieve hostname. gethostbyname failed with error \"%s\"", dnsErr.Err)
	}
	return fmt.Sprintf("ERROR: connection to host \"%s\" failed with error \"%s\"", e.Host, strerror(e.Err))
}

// strerror renders an OS error as C's strerror does (glibc capitalises what
// Go spells in lower case).
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT) {
		return "Connection timed out"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "Connection timed out"
	}
	return err.Error()
}

// ReadError is a failure to read a reply (the server closed the connection,
// or a timeout).
type ReadError struct {
	Err error
}

func (e *ReadError) Error() string { return fmt.Sprintf("pcp: read reply: %v", e.Err) }
func (e *ReadError) Unwrap() error { return e.Err }

// PgpoolText is libpcp's message for this failure.
func (e *ReadError) PgpoolText() string { return "ERROR: unable to read data from socket." }

// WriteError is a failure to send a request.
type WriteError struct {
	Err error
}

func (e *WriteError) Error() string { return fmt.Sprintf("pcp: send request: %v", e.Err) }
func (e *WriteError) Unwrap() error { return e.Err }

// PgpoolText is libpcp's message for this failure.
func (e *WriteError) PgpoolText() string {
	return fmt.Sprintf("ERROR: sending data to backend failed with error \"%s\"", strerror(e.Err))
}

// PgpoolText is how pcp_* tools print a server error: "<S>:  <M>\n" and
// "DETAIL:  <D>\n" when there is a detail (libpcp process_error_response).
func (e *Error) PgpoolText() string {
	s := e.Severity + ":  " + e.Message + "\n"
	if e.Detail != "" {
		s += "DETAIL:  " + e.Detail + "\n"
	}
	return s
}

// PgpoolText is libpcp's message for a reply it cannot parse.
func (e *MalformedError) PgpoolText() string { return "command failed. invalid response" }

// PgpoolText is libpcp's message for a reply type it does not expect.
func (e *UnexpectedReplyError) PgpoolText() string {
	if strings.IndexByte("mrEidlcahpnbtzwvg", e.Reply) < 0 {
		return fmt.Sprintf("ERROR: invalid PCP packet type =\"%c\"", e.Reply)
	}
	return "command failed. invalid response"
}

// PgpoolText is libpcp's message for a request it refuses to send.
func (e *LengthError) PgpoolText() string {
	return "ERROR: PCP request too long"
}

// Dial connects to a PCP server. A host starting with "/" is the directory
// of the Unix socket ".s.PGSQL.<port>"; an empty host means DefaultSocketDir.
// timeout bounds the connection (0: none).
func Dial(host string, port int, timeout time.Duration) (*Client, error) {
	d := net.Dialer{Timeout: timeout}
	var conn net.Conn
	var err error
	if host == "" || strings.HasPrefix(host, "/") {
		dir := host
		if dir == "" {
			dir = DefaultSocketDir
		}
		path := dir + "/.s.PGSQL." + strconv.Itoa(port)
		conn, err = d.Dial("unix", path)
		if err != nil {
			return nil, &DialError{Socket: path, Err: err}
		}
	} else {
		conn, err = d.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return nil, &DialError{Host: host, Err: err}
		}
	}
	return NewClient(conn), nil
}

// NewClient wraps an established connection (tests, or a custom transport).
func NewClient(conn net.Conn) *Client {
	return &Client{conn: conn, pr: newPacketReader(conn)}
}

// SetDeadline bounds the next requests (see net.Conn.SetDeadline).
func (c *Client) SetDeadline(t time.Time) error { return c.conn.SetDeadline(t) }

// ServerLayout is the reply layout recognised so far from node info and
// process info rows (LayoutUnknown before any). Node info tells 4.3 from 4.4+;
// process info tells 4.3/4.4, 4.5/4.6 and 4.7+ apart.
func (c *Client) ServerLayout() Layout { return c.layout }

// Close sends X (when authenticated) and closes the connection.
func (c *Client) Close() error {
	if c.authenticated && !c.broken {
		if b, err := (&Terminate{}).Encode(c.wbuf[:0]); err == nil {
			if _, err := c.conn.Write(b); err == nil {
				c.debugf("DEBUG: send: tos=\"X\", len=4\n")
			}
		}
	}
	return c.conn.Close()
}

// Authenticate logs in with the salted md5 handshake (§1.3).
func (c *Client) Authenticate(user, password string) error {
	if len(user) >= MaxUserLength {
		return &UsageError{Msg: "ERROR: PCP authorization failed. username too long."}
	}
	if err := c.send(&SaltRequest{}, false); err != nil {
		return err
	}
	_, payload, err := c.receive('M', "m")
	if err != nil {
		return err
	}
	var salt Salt
	if err := salt.Decode(payload); err != nil {
		return err
	}
	hash := AuthHash(user, md5Hex([]byte(password)), salt.Salt)
	if err := c.send(&Authenticate{User: user, Hash: hash}, false); err != nil {
		return err
	}
	_, payload, err = c.receive('R', "r")
	if err != nil {
		return err
	}
	if err := (&AuthenticationOK{}).Decode(payload); err != nil {
		return err
	}
	c.authenticated = true
	return nil
}

// UsageError is a request the client refuses to send.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string      { return "pcp: " + e.Msg }
func (e *UsageError) PgpoolText() string { return e.Msg }

// debugNames is the type libpcp's -d trace prints for a request: a few
// functions print another letter than the one they send (pcp.c), and the
// pcp_* tools' output is compared byte for byte.
var debugNames = map[byte]string{
	'H': `DEBUG: send: tos="L"`,
	'J': `DEBUG: send: tos="E"`,
	'j': `DEBUG: send: tos="E"`,
	'O': `DEBUG: send: tos="D"`,
	'd': `DEBUG: send: tos="D"`,
	't': `DEBUG: send: tos="T"`,
	'B': `DEBUG pcp_pool_status: send: tos="B"`,
}

// send writes one request. trace says whether -d prints it (libpcp does not
// trace the login packets).
func (c *Client) send(req Request, trace bool) error {
	if c.broken {
		return &WriteError{Err: net.ErrClosed}
	}
	b, err := req.Encode(c.wbuf[:0])
	if err != nil {
		return err
	}
	c.wbuf = b
	if _, err := c.conn.Write(b); err != nil {
		c.broken = true
		return &WriteError{Err: err}
	}
	if trace && c.Debug != nil {
		prefix, ok := debugNames[req.Type()]
		if !ok {
			prefix = fmt.Sprintf(`DEBUG: send: tos="%c"`, req.Type())
		}
		fmt.Fprintf(c.Debug, "%s, len=%d\n", prefix, len(b)-1)
	}
	return nil
}

// receive reads the next reply to request sent, skipping notices. The reply
// type must be one of want; an E packet is returned as *Error. The payload is
// valid until the next read.
func (c *Client) receive(sent byte, want string) (byte, []byte, error) {
	for {
		typ, payload, err := c.pr.next(MaxReplyLength)
		if err != nil {
			c.broken = true
			var le *LengthError
			if errors.As(err, &le) {
				return 0, nil, &MalformedError{Type: le.Type, Reason: le.Error()}
			}
			return 0, nil, &ReadError{Err: err}
		}
		c.debugf("DEBUG: recv: tos=\"%c\", len=%d\n", typ, len(payload)+4)
		switch {
		case typ == 'N':
			var n Error
			if err := n.Decode(payload); err == nil {
				c.debugf("BACKEND %s:  %s\n", n.Severity, n.Message)
				if n.Detail != "" {
					c.debugf("DETAIL:  %s\n", n.Detail)
				}
				if c.OnNotice != nil {
					c.OnNotice(&n)
				}
			}
			continue
		case typ == 'E':
			e := &Error{}
			if err := e.Decode(payload); err != nil {
				c.broken = true
				return typ, nil, err
			}
			if e.Fatal() {
				c.broken = true
			}
			return typ, nil, e
		case strings.IndexByte(want, typ) >= 0:
			return typ, payload, nil
		}
		c.broken = true
		return typ, nil, &UnexpectedReplyError{Request: sent, Reply: typ}
	}
}

func (c *Client) debugf(format string, args ...any) {
	if c.Debug != nil {
		fmt.Fprintf(c.Debug, format, args...)
	}
}

// do sends req and reads a single-packet reply of type want.
func (c *Client) do(req Request, want byte) ([]byte, error) {
	if !c.authenticated {
		return nil, ErrNotAuthenticated
	}
	if err := c.send(req, true); err != nil {
		return nil, err
	}
	_, payload, err := c.receive(req.Type(), string(want))
	return payload, err
}

// command sends a request whose reply is a bare CommandComplete.
func (c *Client) command(req Request, want byte) error {
	payload, err := c.do(req, want)
	if err != nil {
		return err
	}
	return (&CommandComplete{Type: want}).Decode(payload)
}

// rows sends req and reads a header, rows and trailer reply of type typ,
// calling row for each row payload.
func (c *Client) rows(req Request, typ byte, row func(payload []byte) error) error {
	payload, err := c.do(req, typ)
	if err != nil {
		return err
	}
	for {
		tag, rest, err := replyTag(payload)
		if err != nil {
			c.broken = true
			return malformed(typ, err)
		}
		switch tag {
		case arraySize:
			size := ArraySize{Type: typ}
			if err := size.Decode(rest); err != nil {
				c.broken = true
				return err
			}
		case commandComplete:
			return nil
		default:
			if err := row(payload); err != nil {
				c.broken = true
				return err
			}
		}
		if _, payload, err = c.receive(req.Type(), string(typ)); err != nil {
			return err
		}
	}
}

// NodeCount returns the number of configured backends (pcp_node_count).
func (c *Client) NodeCount() (int, error) {
	payload, err := c.do(&NodeCountRequest{}, 'l')
	if err != nil {
		return 0, err
	}
	var n NodeCount
	if err := n.Decode(payload); err != nil {
		return 0, err
	}
	return n.Count, nil
}

// NodeInfo returns node id, or all nodes with id -1 (pcp_node_info).
func (c *Client) NodeInfo(id int) ([]NodeInfo, error) {
	var out []NodeInfo
	err := c.rows(&NodeInfoRequest{NodeID: id}, 'i', func(payload []byte) error {
		var n NodeInfo
		layout, err := n.decode(payload)
		if err != nil {
			return err
		}
		c.noteLayout(layout, true)
		out = append(out, n)
		return nil
	})
	return out, err
}

// noteLayout merges what a row says about the server's release.
func (c *Client) noteLayout(l Layout, fromNodeInfo bool) {
	switch {
	case fromNodeInfo && l == Layout43:
		c.layout = Layout43
	case fromNodeInfo:
		if c.layout == LayoutUnknown || c.layout == Layout43 {
			c.layout = Layout44
		}
	case l == Layout43: // 17 process fields: 4.3 or 4.4
		if c.layout == LayoutUnknown {
			c.layout = Layout43
		}
	default:
		c.layout = l
	}
}

// HealthCheckStats returns one node's health check statistics
// (pcp_health_check_stats).
func (c *Client) HealthCheckStats(id int) (HealthCheckStats, error) {
	var s HealthCheckStats
	payload, err := c.do(&HealthCheckStatsRequest{NodeID: id}, 'h')
	if err != nil {
		return s, err
	}
	err = s.Decode(payload)
	return s, err
}

// ProcessCount returns the PIDs of pgpool's children (pcp_proc_count).
func (c *Client) ProcessCount() ([]int, error) {
	payload, err := c.do(&ProcessCountRequest{}, 'n')
	if err != nil {
		return nil, err
	}
	var n ProcessCount
	if err := n.Decode(payload); err != nil {
		return nil, err
	}
	return n.PIDs, nil
}

// ProcessInfo returns the pool slots of child pid, or of all children with
// pid 0 (pcp_proc_info).
func (c *Client) ProcessInfo(pid int) ([]ProcessInfo, error) {
	var out []ProcessInfo
	err := c.rows(&ProcessInfoRequest{PID: pid}, 'p', func(payload []byte) error {
		var p ProcessInfo
		layout, err := p.decode(payload)
		if err != nil {
			return err
		}
		c.noteLayout(layout, false)
		out = append(out, p)
		return nil
	})
	return out, err
}

// PoolStatus returns pgpool's configuration and status rows
// (pcp_pool_status).
func (c *Client) PoolStatus() ([]StatusRow, error) {
	var out []StatusRow
	err := c.rows(&PoolStatusRequest{}, 'b', func(payload []byte) error {
		var r StatusRow
		if err := r.Decode(payload); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// DetachNode detaches a node (pcp_detach_node [-g]).
func (c *Client) DetachNode(id int, graceful bool) error {
	return c.command(&DetachNode{NodeID: id, Graceful: graceful}, 'd')
}

// AttachNode attaches a node (pcp_attach_node).
func (c *Client) AttachNode(id int) error {
	return c.command(&AttachNode{NodeID: id}, 'c')
}

// PromoteNode promotes a node (pcp_promote_node [-s] [-g]).
func (c *Client) PromoteNode(id int, switchover, graceful bool) error {
	return c.command(&PromoteNode{NodeID: id, Switchover: switchover, Graceful: graceful}, 'd')
}

// RecoverNode runs online recovery of a node (pcp_recovery_node).
func (c *Client) RecoverNode(id int) error {
	return c.command(&RecoverNode{NodeID: id}, 'c')
}

// StopPgpool stops pgpool (pcp_stop_pgpool). As libpcp, it accepts the t
// reply without looking at its body.
func (c *Client) StopPgpool(mode StopMode, scope Scope) error {
	_, err := c.do(&StopPgpool{Mode: mode, Scope: scope}, 't')
	return err
}

// ReloadConfig makes pgpool reload its configuration (pcp_reload_config).
func (c *Client) ReloadConfig(scope Scope) error {
	return c.command(&ReloadConfig{Scope: scope}, 'z')
}

// LogRotate rotates pgpool's log file (pcp_log_rotate, 4.6+ servers).
func (c *Client) LogRotate(scope Scope) error {
	return c.command(&LogRotate{Scope: scope}, 'v')
}

// InvalidateQueryCache drops the query cache (pcp_invalidate_query_cache,
// 4.6+ servers).
func (c *Client) InvalidateQueryCache() error {
	return c.command(&InvalidateQueryCache{}, 'g')
}

// WatchdogInfo returns the watchdog cluster with node id, or all nodes with
// -1 (pcp_watchdog_info).
func (c *Client) WatchdogInfo(id int) (WatchdogInfo, error) {
	var w WatchdogInfo
	payload, err := c.do(&WatchdogInfoRequest{WatchdogID: id}, 'w')
	if err != nil {
		return w, err
	}
	err = w.Decode(payload)
	return w, err
}

// SetParameter sets a session parameter (only client_min_messages exists).
func (c *Client) SetParameter(name, value string) error {
	return c.command(&SetParameter{Name: name, Value: value}, 'a')
}
