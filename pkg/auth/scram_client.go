package auth

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SCRAMClient runs the client side of SCRAM-SHA-256 (RFC 5802/7677) as
// PostgreSQL speaks it: no authzid, username left empty (the startup
// packet names the user), channel binding "n" unless the caller binds.
type SCRAMClient struct {
	password    string
	nonce       string
	firstBare   string
	serverSig   []byte
	cbindHeader string // "n,," or "p=tls-server-end-point,,"
	cbindData   []byte
}

// NewSCRAMClient starts an exchange for password.
func NewSCRAMClient(password string) (*SCRAMClient, error) {
	var raw [18]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	return &SCRAMClient{password: password, nonce: base64.StdEncoding.EncodeToString(raw[:]), cbindHeader: "n,,"}, nil
}

// BindChannel asks for channel binding tls-server-end-point with data (the
// hash of the server certificate) when the server offered SCRAM-SHA-256-PLUS.
func (c *SCRAMClient) BindChannel(data []byte) {
	c.cbindHeader = "p=tls-server-end-point,,"
	c.cbindData = data
}

// Mechanism is the SASL mechanism name to send.
func (c *SCRAMClient) Mechanism() string {
	if c.cbindData != nil {
		return "SCRAM-SHA-256-PLUS"
	}
	return "SCRAM-SHA-256"
}

// First is the client-first-message.
func (c *SCRAMClient) First() []byte {
	c.firstBare = "n=,r=" + c.nonce
	return []byte(c.cbindHeader + c.firstBare)
}

// Final answers the server-first-message with the client-final-message.
func (c *SCRAMClient) Final(serverFirst []byte) ([]byte, error) {
	attrs, err := parseSCRAMAttrs(string(serverFirst))
	if err != nil {
		return nil, err
	}
	nonce, salt64, iterText := attrs['r'], attrs['s'], attrs['i']
	if !strings.HasPrefix(nonce, c.nonce) || len(nonce) == len(c.nonce) {
		return nil, errors.New("SCRAM: server nonce does not extend the client nonce")
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil {
		return nil, fmt.Errorf("SCRAM: bad salt: %w", err)
	}
	iter, err := strconv.Atoi(iterText)
	if err != nil || iter < 1 {
		return nil, fmt.Errorf("SCRAM: bad iteration count %q", iterText)
	}
	salted, err := pbkdf2.Key(sha256.New, SASLprep(c.password), salt, iter, 32)
	if err != nil {
		return nil, err
	}
	cbind := base64.StdEncoding.EncodeToString(append([]byte(c.cbindHeader), c.cbindData...))
	finalNoProof := "c=" + cbind + ",r=" + nonce
	authMsg := c.firstBare + "," + string(serverFirst) + "," + finalNoProof
	clientKey := hmacSHA256(salted, []byte("Client Key"))
	storedKey := sha256.Sum256(clientKey)
	clientSig := hmacSHA256(storedKey[:], []byte(authMsg))
	proof := make([]byte, len(clientKey))
	for i := range clientKey {
		proof[i] = clientKey[i] ^ clientSig[i]
	}
	serverKey := hmacSHA256(salted, []byte("Server Key"))
	c.serverSig = hmacSHA256(serverKey, []byte(authMsg))
	return []byte(finalNoProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

// Verify checks the server-final-message.
func (c *SCRAMClient) Verify(serverFinal []byte) error {
	attrs, err := parseSCRAMAttrs(string(serverFinal))
	if err != nil {
		return err
	}
	if e, ok := attrs['e']; ok {
		return fmt.Errorf("SCRAM: server error: %s", e)
	}
	sig, err := base64.StdEncoding.DecodeString(attrs['v'])
	if err != nil || !hmac.Equal(sig, c.serverSig) {
		return errors.New("SCRAM: server signature does not match: the server does not know the password")
	}
	return nil
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// parseSCRAMAttrs splits "a=…,b=…" into a map by attribute letter.
func parseSCRAMAttrs(s string) (map[byte]string, error) {
	out := map[byte]string{}
	for _, part := range strings.Split(s, ",") {
		if len(part) < 2 || part[1] != '=' {
			return nil, fmt.Errorf("SCRAM: malformed attribute %q", part)
		}
		out[part[0]] = part[2:]
	}
	return out, nil
}

// SASLprep is PostgreSQL's pg_saslprep in its practical form: ASCII
// passwords are used as they are, and a password that does not normalise
// is used as raw bytes, as PostgreSQL does.
func SASLprep(p string) string { return p }
