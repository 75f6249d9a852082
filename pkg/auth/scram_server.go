package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// SCRAMServer runs the server side of SCRAM-SHA-256 for one client, as
// PostgreSQL's auth-scram.c does, against a stored secret. Every error it
// returns is a *relay.PgError for the client: 08P01 for a malformed
// message, 28P01 for a wrong password. It never panics on any input (see
// FuzzSCRAMServer).
type SCRAMServer struct {
	user   string
	secret *SCRAMSecret
	cbData []byte // tls-server-end-point of our certificate; nil: no TLS

	state           int
	plus            bool   // the client chose SCRAM-SHA-256-PLUS
	gs2Header       string // exactly as the client sent it
	clientFirstBare string
	serverFirst     string
	nonce           string // client nonce + server nonce
	serverSig       []byte

	newNonce func() (string, error) // tests replace it for RFC 7677's vector
}

const (
	scramWantFirst = iota
	scramWantFinal
	scramDone
)

// NewSCRAMServer starts an exchange for user against secret. cbData is
// the channel binding data of the client's TLS connection (see
// TLSServerEndPoint), or nil when it is not encrypted (or binding is not
// possible): only then is SCRAM-SHA-256-PLUS left out of the offer.
func NewSCRAMServer(user string, secret *SCRAMSecret, cbData []byte) *SCRAMServer {
	return &SCRAMServer{user: user, secret: secret, cbData: cbData, newNonce: newNonce}
}

// Mechanisms is the AuthenticationSASL offer, in PostgreSQL's order.
func (s *SCRAMServer) Mechanisms() []string {
	if s.cbData != nil {
		return []string{SCRAMSHA256Plus, SCRAMSHA256}
	}
	return []string{SCRAMSHA256}
}

// First takes the SASLInitialResponse (mechanism and client-first-message)
// and returns the server-first-message.
func (s *SCRAMServer) First(mechanism string, clientFirst []byte) ([]byte, error) {
	if s.state != scramWantFirst {
		return nil, ErrSCRAMMalformed("Unexpected client-first-message.")
	}
	s.state = scramDone // until this succeeds
	switch {
	case mechanism == SCRAMSHA256:
	case mechanism == SCRAMSHA256Plus && s.cbData != nil:
		s.plus = true
	default:
		return nil, ErrSASLMechanism()
	}
	msg := string(clientFirst)
	if bytes.IndexByte(clientFirst, 0) >= 0 {
		return nil, ErrSCRAMMalformed("The message contains a null byte.")
	}
	if msg == "" {
		return nil, ErrSCRAMMalformed("The message is empty.")
	}
	// gs2-cbind-flag
	var rest string
	switch msg[0] {
	case 'n':
		if s.plus {
			return nil, ErrSCRAMMalformed("The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.")
		}
		rest = msg[1:]
	case 'y':
		if s.cbData != nil {
			return nil, ErrChannelBinding("SCRAM channel binding negotiation error",
				"The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.")
		}
		if s.plus {
			return nil, ErrSCRAMMalformed("The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.")
		}
		rest = msg[1:]
	case 'p':
		if !s.plus {
			return nil, ErrSCRAMMalformed("The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.")
		}
		r := scramReader{msg}
		cbName, err := r.attr('p')
		if err != nil {
			return nil, ErrSCRAMMalformed("Malformed channel binding flag.")
		}
		if cbName != "tls-server-end-point" {
			return nil, ErrChannelBinding("unsupported SCRAM channel-binding type \""+prefix(cbName)+"\"", "")
		}
		// attr consumed the comma after the flag; put it back for the
		// common path below.
		rest = "," + r.s
	default:
		return nil, ErrSCRAMMalformed("Unexpected channel-binding flag \"" + prefix(msg[:1]) + "\".")
	}
	if rest == "" || rest[0] != ',' {
		return nil, ErrSCRAMMalformed("Comma expected, but found character \"" + prefix(rest) + "\".")
	}
	rest = rest[1:]
	// authzid
	if rest != "" && rest[0] == 'a' {
		return nil, ErrSCRAMUnsupported("client uses authorization identity, but it is not supported")
	}
	if rest == "" || rest[0] != ',' {
		return nil, ErrSCRAMMalformed("Unexpected attribute \"" + prefix(rest) + "\" in client-first-message.")
	}
	s.gs2Header = msg[:len(msg)-len(rest)+1]
	s.clientFirstBare = rest[1:]
	r := scramReader{s.clientFirstBare}
	if len(r.s) >= 2 && r.s[0] == 'm' && r.s[1] == '=' {
		return nil, ErrSCRAMUnsupported("client requires an unsupported SCRAM extension")
	}
	// The user name is ignored, as PostgreSQL ignores it: the startup
	// packet's user is the one being authenticated.
	if _, err := r.attr('n'); err != nil {
		return nil, ErrSCRAMMalformed(capitalize(err.Error()) + ".")
	}
	clientNonce, err := r.attr('r')
	if err != nil {
		return nil, ErrSCRAMMalformed(capitalize(err.Error()) + ".")
	}
	if !validNonce(clientNonce) {
		return nil, ErrSCRAMMalformed("Could not parse the client nonce.")
	}
	for !r.done() { // extensions are ignored
		if _, _, err := r.any(); err != nil {
			return nil, ErrSCRAMMalformed(capitalize(err.Error()) + ".")
		}
	}
	serverNonce, err := s.newNonce()
	if err != nil {
		return nil, relay.ErrInternal("could not generate random nonce")
	}
	s.nonce = clientNonce + serverNonce
	s.serverFirst = "r=" + s.nonce + ",s=" + base64.StdEncoding.EncodeToString(s.secret.Salt) + ",i=" + strconv.Itoa(s.secret.Iterations)
	s.state = scramWantFinal
	return []byte(s.serverFirst), nil
}

// Final takes the client-final-message and returns the server-final-message
// when the proof is right.
func (s *SCRAMServer) Final(clientFinal []byte) ([]byte, error) {
	if s.state != scramWantFinal {
		return nil, ErrSCRAMMalformed("Unexpected client-final-message.")
	}
	s.state = scramDone
	if bytes.IndexByte(clientFinal, 0) >= 0 {
		return nil, ErrSCRAMMalformed("The message contains a null byte.")
	}
	msg := string(clientFinal)
	r := scramReader{msg}
	cbind64, err := r.attr('c')
	if err != nil {
		return nil, ErrSCRAMMalformed(capitalize(err.Error()) + ".")
	}
	cbind, err := base64.StdEncoding.DecodeString(cbind64)
	if err != nil {
		return nil, ErrSCRAMMalformed("Malformed channel binding data.")
	}
	want := []byte(s.gs2Header)
	if s.plus {
		want = append(want, s.cbData...)
	}
	if subtle.ConstantTimeCompare(cbind, want) != 1 {
		return nil, ErrChannelBinding("SCRAM channel binding check failed", "")
	}
	nonce, err := r.attr('r')
	if err != nil {
		return nil, ErrSCRAMMalformed(capitalize(err.Error()) + ".")
	}
	if nonce != s.nonce {
		return nil, ErrSCRAMMalformed("Nonce does not match.")
	}
	var proof64 string
	for {
		name, value, err := r.any()
		if err != nil {
			return nil, ErrSCRAMMalformed(capitalize(err.Error()) + ".")
		}
		if name == 'p' {
			proof64 = value
			break
		}
	}
	if !r.done() {
		return nil, ErrSCRAMMalformed("Garbage found at the end of client-final-message.")
	}
	proof, err := base64.StdEncoding.DecodeString(proof64)
	if err != nil || len(proof) != scramKeyLen {
		return nil, ErrSCRAMMalformed("Malformed proof in client-final-message.")
	}
	finalNoProof := msg[:len(msg)-len(proof64)-3] // without ",p=<proof>"
	authMsg := []byte(s.clientFirstBare + "," + s.serverFirst + "," + finalNoProof)
	clientSig := hmacSHA256(s.secret.StoredKey[:], authMsg)
	clientKey := make([]byte, scramKeyLen)
	for i := range clientKey {
		clientKey[i] = proof[i] ^ clientSig[i]
	}
	stored := sha256.Sum256(clientKey)
	if !hmac.Equal(stored[:], s.secret.StoredKey[:]) {
		return nil, ErrPasswordFailed(s.user)
	}
	s.serverSig = hmacSHA256(s.secret.ServerKey[:], authMsg)
	return []byte("v=" + base64.StdEncoding.EncodeToString(s.serverSig)), nil
}

func capitalize(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
