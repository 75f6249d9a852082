package auth

import (
	"errors"
	"strconv"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// The errors authentication sends to clients. Texts are Pgpool-II's
// (src/auth/pool_auth.c, pool_hba.c) where DBAs know them, PostgreSQL's
// (auth.c, auth-scram.c) otherwise. A wrong password is always SQLSTATE
// 28P01, which drivers act on; a refusal by pool_hba.conf is 28000.

func fatal(code, msg, detail, hint string) *relay.PgError {
	return &relay.PgError{Severity: relay.SevFatal, Code: code, Message: msg, Detail: detail, Hint: hint}
}

func sslWord(ssl bool) string {
	if ssl {
		return "SSL on"
	}
	return "SSL off"
}

// ErrNoHBAEntry is Pgpool's refusal when no pool_hba.conf line matches.
func ErrNoHBAEntry(host, user, database string, ssl bool) *relay.PgError {
	return fatal("28000", "client authentication failed",
		"no pool_hba.conf entry for host \""+host+"\", user \""+user+"\", database \""+database+"\", "+sslWord(ssl),
		"see pgpool log for details")
}

// ErrHBAReject answers a client that matched a reject line. Pgpool reuses
// the no-entry text for it; PostgreSQL says "rejects", which tells the DBA
// which line to look for.
func ErrHBAReject(host, user, database string, ssl bool) *relay.PgError {
	return fatal("28000", "client authentication failed",
		"pool_hba.conf rejects connection for host \""+host+"\", user \""+user+"\", database \""+database+"\", "+sslWord(ssl),
		"see pgpool log for details")
}

// ErrHBAMethodUnsupported refuses a pool_hba.conf line whose method
// pgpoold does not implement (pam, ldap).
func ErrHBAMethodUnsupported(method string) *relay.PgError {
	return fatal("28000", "client authentication failed",
		"authentication method \""+method+"\" of the matching pool_hba.conf line is not supported by pgpool-go",
		"use trust, md5, scram-sha-256, password or cert in pool_hba.conf")
}

// ErrPasswordFailed is PostgreSQL's wrong-password error (SCRAM).
func ErrPasswordFailed(user string) *relay.PgError {
	return fatal("28P01", "password authentication failed for user \""+user+"\"", "", "")
}

// ErrMD5Failed is Pgpool's wrong-password error for md5.
func ErrMD5Failed() *relay.PgError {
	return fatal("28P01", "md5 authentication failed", "password does not match", "")
}

// ErrClearTextFailed is Pgpool's wrong-password error for clear text
// passwords.
func ErrClearTextFailed() *relay.PgError {
	return fatal("28P01", "clear text authentication failed", "password does not match", "")
}

// ErrNoPasswdEntry refuses a client whose password pgpoold cannot check
// because pool_passwd has no entry for the user (Pgpool's text).
func ErrNoPasswdEntry(method, user string) *relay.PgError {
	return fatal("28P01", method+" authentication failed",
		"pool_passwd file does not contain an entry for \""+user+"\"",
		"add the user to pool_passwd (pg_md5 -m, pg_enc -m), or set allow_clear_text_frontend_auth = on to ask the client for its password")
}

// ErrPasswdKind refuses a client whose pool_passwd entry cannot serve the
// method (scram-sha-256 needs the password itself, not its md5 hash).
func ErrPasswdKind(method, user, kind string) *relay.PgError {
	return fatal("28000", method+" authentication failed",
		"username \""+user+"\" has invalid password type: pool_passwd holds a "+kind+" entry",
		"store the password as TEXT or AES (pg_enc -m) in pool_passwd")
}

// ErrDecrypt refuses a client whose AES pool_passwd entry cannot be
// decrypted (Pgpool's text).
func ErrDecrypt(method string) *relay.PgError {
	return fatal("28000", method+" authentication failed",
		"unable to decrypt password from pool_passwd", "verify the valid pool_key exists")
}

// ErrNoBackendPassword says no password is available to authenticate to
// the backend the way it asks.
func ErrNoBackendPassword(method, user string) *relay.PgError {
	return fatal("28000", "failed to authenticate with backend using "+method,
		"unable to get the password of user \""+user+"\"",
		"add the user to pool_passwd, or set allow_clear_text_frontend_auth = on")
}

// ErrCertAuth refuses a cert line without an acceptable client
// certificate.
func ErrCertAuth(detail string) *relay.PgError {
	return fatal("28000", "CERT authentication failed", detail, "")
}

// ErrAuthNotSupported refuses an authentication request of a backend that
// pgpoold cannot pass on to the client.
func ErrAuthNotSupported(kind int) *relay.PgError {
	return fatal("28000", "failed to authenticate with backend",
		"unsupported auth kind received from backend: authkind:"+strconv.Itoa(kind), "")
}

// ErrSCRAMMalformed is a SCRAM message that does not parse (08P01, as in
// PostgreSQL).
func ErrSCRAMMalformed(detail string) *relay.PgError {
	return fatal("08P01", "malformed SCRAM message", detail, "")
}

// ErrSASLMechanism is a SASLInitialResponse naming a mechanism we did not
// offer.
func ErrSASLMechanism() *relay.PgError {
	return fatal("08P01", "client selected an invalid SASL authentication mechanism", "", "")
}

// ErrSCRAMUnsupported is a SCRAM feature PostgreSQL does not support either
// (authorization identity, mandatory extensions).
func ErrSCRAMUnsupported(msg string) *relay.PgError {
	return fatal("0A000", msg, "", "")
}

// ErrChannelBinding is a failed SCRAM channel binding check or
// negotiation.
func ErrChannelBinding(msg, detail string) *relay.PgError {
	return fatal("08P01", msg, detail, "")
}

// ErrPasswordPacket is a malformed PasswordMessage.
func ErrPasswordPacket(detail string) *relay.PgError {
	return fatal("08P01", "invalid password packet", detail, "")
}

// ErrExpectedPassword is a message other than PasswordMessage during
// authentication (PostgreSQL's text).
func ErrExpectedPassword(typ byte) *relay.PgError {
	return fatal("08P01", "expected password response, got message type "+strconv.Itoa(int(typ)), "", "")
}

// ErrUnencryptedAfterSSL is data that arrived in clear text between our
// 'S' and the client's TLS handshake (PostgreSQL's CVE-2021-23222 check,
// which Pgpool has too).
func ErrUnencryptedAfterSSL() *relay.PgError {
	return fatal("08P01", "received unencrypted data after SSL request",
		"This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.", "")
}

// ErrDirectTLSNoALPN refuses a direct TLS connection (PostgreSQL 17's
// sslnegotiation=direct) that did not negotiate ALPN "postgresql".
func ErrDirectTLSNoALPN() *relay.PgError {
	return fatal("08P01", "received direct SSL connection request without ALPN protocol negotiation extension", "", "")
}

// ErrSSLAgain is a second SSLRequest on an encrypted connection
// (PostgreSQL treats it as an unknown protocol).
func ErrSSLAgain() *relay.PgError {
	return relay.ErrUnsupportedProtocol(1234, 5679)
}

// errNoAES is what AES entries give until a decrypter is configured.
var errNoAES = errors.New("auth: no pgpool key: AES entries of pool_passwd cannot be decrypted")
