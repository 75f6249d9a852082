package backend

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// Auth kinds a backend asked for (AuthenticationXxx codes).
const (
	AuthOK        = 0
	AuthCleartext = 3
	AuthMD5       = 5
	AuthSASL      = 10
)

// Conn is an authenticated connection to a node.
type Conn struct {
	*relay.Conn
	Target    Target
	Pid       int32
	Key       []byte
	Params    []relay.Param // ParameterStatus in arrival order
	Negotiate []byte        // NegotiateProtocolVersion frame, if the node sent one
	AuthKind  int           // what the node asked for
	TxStatus  byte          // of the last ReadyForQuery
	Created   time.Time
	TLS       *relay.TLSTransport // nil: plain text
	// NoTemp: no temporary table can exist in this connection's
	// session: no client statement reached it since it was opened or
	// since a reset dropped its temporary tables (the child keeps it).
	NoTemp bool
}

// Password supplies the password for a user when a node asks for one;
// kind is the node's request (AuthCleartext, AuthMD5, AuthSASL), so that
// the session can ask its client the same way (Pgpool passes the
// backend's method through to the client). It may return the md5 secret
// ("md5" + md5(password || user)) instead of the password for AuthMD5. It
// is called at most once per connection.
type Password func(kind int) (string, error)

// ServerError is an ErrorResponse a node sent during connect or an
// internal query; the client should see it as it is.
type ServerError struct {
	Frame   []byte // the whole ErrorResponse frame, to forward
	Sev     string
	Code    string
	Message string
}

func (e *ServerError) Error() string { return e.Sev + ": " + e.Message + " (SQLSTATE " + e.Code + ")" }

func serverError(frame []byte) *ServerError {
	sev, code, msg := relay.ErrorFields(frame[5:])
	return &ServerError{Frame: append([]byte(nil), frame...), Sev: string(sev), Code: string(code), Message: string(msg)}
}

// Options for Connect.
type Options struct {
	ConnectTimeout time.Duration // connect_timeout
	Deadline       time.Time     // for the whole startup
	User           string        // the startup packet's user (md5 salts with it)
	Password       Password
	// TLS, when set, makes Connect send an SSLRequest first (Pgpool with
	// ssl = on): 'S' starts TLS, 'N' goes on in plain text.
	TLS *tls.Config
}

// Connect dials t, sends startup (a whole v3 startup packet), and reads
// until the node is ready for queries.
func Connect(t Target, startup []byte, o Options) (*Conn, error) {
	fd, err := Dial(t, o.ConnectTimeout)
	if err != nil {
		return nil, fmt.Errorf("connect to node %d (%s): %w", t.Node, t, err)
	}
	c := &Conn{Conn: relay.NewConn(fd), Target: t, Created: time.Now()}
	if err := c.startup(startup, o); err != nil {
		c.Close()
		return nil, fmt.Errorf("connect to node %d (%s): %w", t.Node, t, err)
	}
	return c, nil
}

func (c *Conn) startup(startup []byte, o Options) error {
	if o.TLS != nil {
		if err := c.negotiateTLS(o); err != nil {
			return err
		}
	}
	c.Write(startup)
	if err := relay.FlushWait(c.Conn, o.Deadline); err != nil {
		return err
	}
	for {
		f, err := relay.ReadFrame(c.Conn, 1<<20, o.Deadline)
		if err != nil {
			return err
		}
		switch f[0] {
		case 'R':
			if err := c.authenticate(f, o); err != nil {
				return err
			}
		case 'S':
			name, rest, _ := relay.CString(f[5:])
			val, _, _ := relay.CString(rest)
			c.Params = append(c.Params, relay.Param{Name: string(name), Value: string(val)})
		case 'K':
			if len(f) < 13 {
				return &relay.ProtocolError{Msg: "short BackendKeyData from backend"}
			}
			c.Pid = int32(binary.BigEndian.Uint32(f[5:9]))
			c.Key = append([]byte(nil), f[9:]...)
		case 'v':
			c.Negotiate = append([]byte(nil), f...)
		case 'N':
			// Notices during startup are not worth a client's attention.
		case 'E':
			return serverError(f)
		case 'Z':
			c.TxStatus = f[5]
			return nil
		default:
			return &relay.ProtocolError{Msg: fmt.Sprintf("unexpected message %q during backend startup", f[0])}
		}
	}
}

// sslRequest is the SSLRequest packet (length 8, code 1234.5679).
var sslRequest = []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}

// negotiateTLS asks the node for TLS (pool_ssl_negotiate_clientserver).
func (c *Conn) negotiateTLS(o Options) error {
	c.Write(sslRequest)
	if err := relay.FlushWait(c.Conn, o.Deadline); err != nil {
		return err
	}
	b, err := relay.ReadBytes(c.Conn, 1, o.Deadline)
	if err != nil {
		return fmt.Errorf("read the answer to SSLRequest: %w", err)
	}
	switch b[0] {
	case 'S':
		// Anything already read came before the handshake, in clear
		// text: a man in the middle may have injected it.
		if c.Buffered() > 0 {
			return &relay.ProtocolError{Msg: "received unencrypted data after SSL request"}
		}
		t, err := relay.ClientTLS(c.Conn, o.TLS, o.Deadline)
		if err != nil {
			return fmt.Errorf("TLS handshake: %w", err)
		}
		c.TLS = t
		return nil
	case 'N':
		return nil // the node does not do TLS: go on in plain text, as Pgpool does
	case 'E':
		return errors.New("the node answered SSLRequest with an error (a server older than PostgreSQL 7.1?)")
	}
	return fmt.Errorf("the node answered SSLRequest with %q", b[0])
}

// authenticate answers one Authentication request.
func (c *Conn) authenticate(f []byte, o Options) error {
	if len(f) < 9 {
		return &relay.ProtocolError{Msg: "short authentication request from backend"}
	}
	kind := int(binary.BigEndian.Uint32(f[5:9]))
	if kind == AuthOK {
		return nil
	}
	c.AuthKind = kind
	password := func() (string, error) {
		if o.Password == nil {
			return "", errors.New("the node asks for a password and none is available (add the user to pool_passwd)")
		}
		return o.Password(kind)
	}
	switch kind {
	case AuthCleartext:
		pw, err := password()
		if err != nil {
			return err
		}
		c.sendPassword([]byte(pw), true)
	case AuthMD5:
		pw, err := password()
		if err != nil {
			return err
		}
		if len(f) < 13 {
			return &relay.ProtocolError{Msg: "short md5 request"}
		}
		c.sendPassword([]byte(auth.MD5Response(o.User, pw, f[9:13])), true)
	case AuthSASL:
		pw, err := password()
		if err != nil {
			return err
		}
		return c.scram(f[9:], pw, o)
	default:
		return fmt.Errorf("the node asks for authentication method %d, which pgpool-go does not support", kind)
	}
	return relay.FlushWait(c.Conn, o.Deadline)
}

// sendPassword queues a PasswordMessage (cstring) or, for SASL, a
// SASLResponse (raw bytes, nul = false).
func (c *Conn) sendPassword(p []byte, nul bool) {
	b := c.Wbuf()
	start := len(b)
	b = append(b, 'p', 0, 0, 0, 0)
	b = append(b, p...)
	if nul {
		b = append(b, 0)
	}
	binary.BigEndian.PutUint32(b[start+1:], uint32(len(b)-start-1))
	c.SetWbuf(b)
}

func (c *Conn) scram(mechs []byte, pw string, o Options) error {
	offered, plus := false, false
	for len(mechs) > 0 && mechs[0] != 0 {
		m, rest, ok := relay.CString(mechs)
		if !ok {
			break
		}
		switch string(m) {
		case auth.SCRAMSHA256:
			offered = true
		case auth.SCRAMSHA256Plus:
			plus = true
		}
		mechs = rest
	}
	if !offered && !plus {
		return errors.New("the node offers no SASL mechanism pgpool-go supports (SCRAM-SHA-256)")
	}
	sc, err := auth.NewSCRAMClient(pw)
	if err != nil {
		return err
	}
	if c.TLS != nil {
		// Channel binding proves that no one sits between us and the
		// node, whatever certificate it showed (libpq's
		// channel_binding=prefer).
		var ep []byte
		if st := c.TLS.ConnectionState(); len(st.PeerCertificates) > 0 {
			ep, _ = auth.TLSServerEndPoint(st.PeerCertificates[0])
		}
		if plus && ep != nil {
			sc.BindChannel(ep)
		} else if !offered {
			return errors.New("the node offers only SCRAM-SHA-256-PLUS and its certificate allows no channel binding")
		} else {
			sc.CouldBind()
		}
	} else if !offered {
		return errors.New("the node offers only SCRAM-SHA-256-PLUS, which needs TLS")
	}
	first := sc.First()
	b := c.Wbuf()
	start := len(b)
	b = append(b, 'p', 0, 0, 0, 0)
	b = append(b, sc.Mechanism()...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(len(first)))
	b = append(b, first...)
	binary.BigEndian.PutUint32(b[start+1:], uint32(len(b)-start-1))
	c.SetWbuf(b)
	if err := relay.FlushWait(c.Conn, o.Deadline); err != nil {
		return err
	}
	for {
		f, err := relay.ReadFrame(c.Conn, 1<<16, o.Deadline)
		if err != nil {
			return err
		}
		if f[0] == 'E' {
			return serverError(f)
		}
		if f[0] != 'R' || len(f) < 9 {
			return &relay.ProtocolError{Msg: "unexpected message during SCRAM exchange"}
		}
		switch binary.BigEndian.Uint32(f[5:9]) {
		case 11: // SASLContinue
			final, err := sc.Final(f[9:])
			if err != nil {
				return err
			}
			c.sendPassword(final, false)
			if err := relay.FlushWait(c.Conn, o.Deadline); err != nil {
				return err
			}
		case 12: // SASLFinal
			return sc.Verify(f[9:])
		default:
			return &relay.ProtocolError{Msg: "unexpected authentication code during SCRAM exchange"}
		}
	}
}

// Terminate says goodbye and closes the connection.
func (c *Conn) Terminate() {
	if c.Conn == nil {
		return
	}
	c.Write(relay.Terminate)
	c.Flush()
	c.Close()
}
