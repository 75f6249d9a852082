package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SCRAMClient runs the client side of SCRAM-SHA-256 against a backend as
// libpq does: no authzid, an empty user name (the startup packet names
// the user), channel binding "n" (or "y" when we could bind but the server
// did not offer SCRAM-SHA-256-PLUS) unless BindChannel was called.
type SCRAMClient struct {
	username    string // empty, as libpq sends it; set by tests for RFC 7677's vector
	password    string
	nonce       string
	firstBare   string
	serverSig   []byte
	cbindHeader string // "n,,", "y,," or "p=tls-server-end-point,,"
	cbindData   []byte
	finalDone   bool
}

// NewSCRAMClient starts an exchange for password.
func NewSCRAMClient(password string) (*SCRAMClient, error) {
	nonce, err := newNonce()
	if err != nil {
		return nil, err
	}
	return &SCRAMClient{password: password, nonce: nonce, cbindHeader: "n,,"}, nil
}

// BindChannel asks for channel binding tls-server-end-point with data (the
// hash of the server certificate) when the server offered
// SCRAM-SHA-256-PLUS over TLS.
func (c *SCRAMClient) BindChannel(data []byte) {
	c.cbindHeader = "p=tls-server-end-point,,"
	c.cbindData = data
}

// CouldBind records that we are on TLS and could bind, but the server did
// not offer SCRAM-SHA-256-PLUS ("y": a server that supports binding then
// knows a man in the middle stripped it).
func (c *SCRAMClient) CouldBind() {
	if c.cbindData == nil {
		c.cbindHeader = "y,,"
	}
}

// Mechanism is the SASL mechanism name to send.
func (c *SCRAMClient) Mechanism() string {
	if c.cbindData != nil {
		return SCRAMSHA256Plus
	}
	return SCRAMSHA256
}

// First is the client-first-message.
func (c *SCRAMClient) First() []byte {
	c.firstBare = "n=" + c.username + ",r=" + c.nonce
	return []byte(c.cbindHeader + c.firstBare)
}

// Final answers the server-first-message with the client-final-message.
func (c *SCRAMClient) Final(serverFirst []byte) ([]byte, error) {
	r := scramReader{string(serverFirst)}
	nonce, err := r.attr('r')
	if err != nil {
		return nil, fmt.Errorf("SCRAM: malformed server-first-message: %w", err)
	}
	salt64, err := r.attr('s')
	if err != nil {
		return nil, fmt.Errorf("SCRAM: malformed server-first-message: %w", err)
	}
	iterText, err := r.attr('i')
	if err != nil {
		return nil, fmt.Errorf("SCRAM: malformed server-first-message: %w", err)
	}
	if !strings.HasPrefix(nonce, c.nonce) || len(nonce) == len(c.nonce) || !validNonce(nonce) {
		return nil, errors.New("SCRAM: server nonce does not extend the client nonce")
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil || len(salt) == 0 {
		return nil, errors.New("SCRAM: malformed salt in server-first-message")
	}
	iter, err := strconv.Atoi(iterText)
	if err != nil || iter < 1 || iter > 1<<24 {
		return nil, fmt.Errorf("SCRAM: bad iteration count %q", prefix(iterText))
	}
	salted, err := saltedPassword(c.password, salt, iter)
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
	c.finalDone = true
	return []byte(finalNoProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

// Verify checks the server-final-message: the server proves it knew the
// secret (or, with channel binding, that no one sits in between).
func (c *SCRAMClient) Verify(serverFinal []byte) error {
	if !c.finalDone {
		return errors.New("SCRAM: server-final-message before the client-final-message")
	}
	r := scramReader{string(serverFinal)}
	if name, value, err := r.any(); err == nil && name == 'e' {
		return fmt.Errorf("SCRAM: server error: %s", prefix(value))
	}
	r = scramReader{string(serverFinal)}
	v, err := r.attr('v')
	if err != nil {
		return fmt.Errorf("SCRAM: malformed server-final-message: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(v)
	if err != nil || !hmac.Equal(sig, c.serverSig) {
		return errors.New("SCRAM: server signature does not match: the server does not know the password")
	}
	return nil
}
