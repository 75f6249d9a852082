package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"strings"
)

// Authentication request codes (AuthenticationXxx).
const (
	ReqOK           = 0
	ReqCleartext    = 3
	ReqMD5          = 5
	ReqSASL         = 10
	ReqSASLContinue = 11
	ReqSASLFinal    = 12
)

// Conn is the client side of an authentication exchange: the session
// sends Authentication requests and reads the client's answers.
type Conn interface {
	// Send writes one message to the client and flushes it.
	Send(msg []byte) error
	// Receive reads the client's next message whole (type byte and
	// length word included), valid until the next Receive.
	Receive() ([]byte, error)
}

// Errors from these exchanges are *relay.PgError values when the client is
// at fault (wrong password, malformed message) and the Conn's own errors
// otherwise (the client went away, the deadline passed).

// MaxPasswordPacket bounds a PasswordMessage or SASL message (PostgreSQL's
// PG_MAX_AUTH_TOKEN_LENGTH is 65535; no password or SCRAM message comes
// near 10000 bytes, PQ_SMALL_MESSAGE_LIMIT).
const MaxPasswordPacket = 10000

func appendAuthRequest(b []byte, code uint32, data ...[]byte) []byte {
	start := len(b)
	b = append(b, 'R', 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, code)
	for _, d := range data {
		b = append(b, d...)
	}
	binary.BigEndian.PutUint32(b[start+1:], uint32(len(b)-start-1))
	return b
}

// receivePassword reads a 'p' message and returns its body.
func receivePassword(c Conn) ([]byte, error) {
	f, err := c.Receive()
	if err != nil {
		return nil, err
	}
	if len(f) < 5 || f[0] != 'p' {
		var typ byte
		if len(f) > 0 {
			typ = f[0]
		}
		return nil, ErrExpectedPassword(typ)
	}
	return f[5:], nil
}

// AskPassword asks the client for its password in clear text
// (AuthenticationCleartextPassword) and returns it.
func AskPassword(c Conn) (string, error) {
	if err := c.Send(appendAuthRequest(nil, ReqCleartext)); err != nil {
		return "", err
	}
	body, err := receivePassword(c)
	if err != nil {
		return "", err
	}
	return passwordString(body)
}

// passwordString reads a PasswordMessage body: one NUL-terminated string
// (PostgreSQL's recv_password_packet).
func passwordString(body []byte) (string, error) {
	i := bytes.IndexByte(body, 0)
	if i < 0 || i != len(body)-1 {
		return "", ErrPasswordPacket("invalid password packet size")
	}
	return string(body[:i]), nil
}

// ChallengeMD5 checks the client against an md5 secret ("md5" +
// md5(password || user)) with a fresh random salt
// (AuthenticationMD5Password), as Pgpool's authenticate_frontend_md5 does.
func ChallengeMD5(c Conn, md5Secret string) error {
	var salt [4]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return err
	}
	if err := c.Send(appendAuthRequest(nil, ReqMD5, salt[:])); err != nil {
		return err
	}
	body, err := receivePassword(c)
	if err != nil {
		return err
	}
	got, err := passwordString(body)
	if err != nil {
		return err
	}
	want := "md5" + MD5Hex(append([]byte(md5Secret[3:]), salt[:]...))
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return ErrMD5Failed()
	}
	return nil
}

// ServeSCRAM runs SCRAM-SHA-256 (and -PLUS when cbData is not nil) with
// the client against secret.
func ServeSCRAM(c Conn, user string, secret *SCRAMSecret, cbData []byte) error {
	s := NewSCRAMServer(user, secret, cbData)
	var mechs []byte
	for _, m := range s.Mechanisms() {
		mechs = append(mechs, m...)
		mechs = append(mechs, 0)
	}
	mechs = append(mechs, 0)
	if err := c.Send(appendAuthRequest(nil, ReqSASL, mechs)); err != nil {
		return err
	}
	body, err := receivePassword(c)
	if err != nil {
		return err
	}
	mech, first, err := ParseSASLInitialResponse(body)
	if err != nil {
		return err
	}
	serverFirst, err := s.First(mech, first)
	if err != nil {
		return err
	}
	if err := c.Send(appendAuthRequest(nil, ReqSASLContinue, serverFirst)); err != nil {
		return err
	}
	final, err := receivePassword(c)
	if err != nil {
		return err
	}
	serverFinal, err := s.Final(final)
	if err != nil {
		return err
	}
	return c.Send(appendAuthRequest(nil, ReqSASLFinal, serverFinal))
}

// ParseSASLInitialResponse splits a SASLInitialResponse body into the
// mechanism name and the initial response.
func ParseSASLInitialResponse(body []byte) (mechanism string, data []byte, err error) {
	i := bytes.IndexByte(body, 0)
	if i < 0 {
		return "", nil, ErrSCRAMMalformed("Missing mechanism name in SASLInitialResponse.")
	}
	mechanism, rest := string(body[:i]), body[i+1:]
	if len(rest) < 4 {
		return "", nil, ErrSCRAMMalformed("Missing length in SASLInitialResponse.")
	}
	n := int32(binary.BigEndian.Uint32(rest))
	rest = rest[4:]
	if n == -1 {
		n = 0 // no initial response; SCRAM needs one, which First reports
	}
	if n < 0 || int(n) != len(rest) {
		return "", nil, ErrSCRAMMalformed("Invalid length in SASLInitialResponse.")
	}
	return mechanism, rest, nil
}

// CheckCert is the cert method: the client presented a certificate that
// verified against ssl_ca_cert (the TLS layer checked the chain and the
// CRL), and its common name is the user name. PostgreSQL compares the
// name exactly; Pgpool-II ignores case, which lets a certificate for
// "alice" log in as the role "Alice", a different role: we compare as
// PostgreSQL does.
func CheckCert(st *tls.ConnectionState, user string) error {
	if st == nil || len(st.VerifiedChains) == 0 || len(st.PeerCertificates) == 0 {
		return ErrCertAuth("no valid certificate presented")
	}
	cn := st.PeerCertificates[0].Subject.CommonName
	if cn == "" {
		return ErrCertAuth("the certificate has no common name")
	}
	if cn != user {
		return ErrCertAuth("certificate common name \"" + strings.ToValidUTF8(cn, "?") + "\" does not match user \"" + user + "\"")
	}
	return nil
}
