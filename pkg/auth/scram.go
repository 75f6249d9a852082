package auth

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SCRAM-SHA-256 as PostgreSQL speaks it (RFC 5802, RFC 7677; PostgreSQL's
// auth-scram.c and fe-auth-scram.c).

// SCRAM mechanism names.
const (
	SCRAMSHA256     = "SCRAM-SHA-256"
	SCRAMSHA256Plus = "SCRAM-SHA-256-PLUS"
)

// PostgreSQL's defaults for secrets it builds (scram-common.h).
const (
	scramIterations = 4096
	scramSaltLen    = 16
	scramNonceLen   = 18 // raw bytes; base64 makes 24 characters
	scramKeyLen     = sha256.Size
)

// SCRAMSecret is what PostgreSQL stores for a SCRAM user (and pool_passwd
// may hold): SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
type SCRAMSecret struct {
	Iterations int
	Salt       []byte
	StoredKey  [scramKeyLen]byte
	ServerKey  [scramKeyLen]byte
}

// NewSCRAMSecret derives the secret of password with a fresh random salt
// (PostgreSQL's scram_build_secret).
func NewSCRAMSecret(password string) (*SCRAMSecret, error) {
	salt := make([]byte, scramSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return SCRAMSecretFor(password, salt, scramIterations)
}

// SCRAMSecretFor derives the secret of password with the given salt and
// iteration count.
func SCRAMSecretFor(password string, salt []byte, iterations int) (*SCRAMSecret, error) {
	salted, err := saltedPassword(password, salt, iterations)
	if err != nil {
		return nil, err
	}
	s := &SCRAMSecret{Iterations: iterations, Salt: append([]byte(nil), salt...)}
	clientKey := hmacSHA256(salted, []byte("Client Key"))
	s.StoredKey = sha256.Sum256(clientKey)
	copy(s.ServerKey[:], hmacSHA256(salted, []byte("Server Key")))
	return s, nil
}

func saltedPassword(password string, salt []byte, iterations int) ([]byte, error) {
	return pbkdf2.Key(sha256.New, SASLprep(password), salt, iterations, scramKeyLen)
}

// ParseSCRAMSecret reads a stored secret.
func ParseSCRAMSecret(s string) (*SCRAMSecret, error) {
	bad := func(why string) (*SCRAMSecret, error) {
		return nil, fmt.Errorf("auth: invalid SCRAM secret: %s", why)
	}
	rest, ok := strings.CutPrefix(s, SCRAMSHA256+"$")
	if !ok {
		return bad("no " + SCRAMSHA256 + "$ prefix")
	}
	iterSalt, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return bad("no $ between salt and keys")
	}
	iterText, salt64, ok := strings.Cut(iterSalt, ":")
	if !ok {
		return bad("no : between iterations and salt")
	}
	stored64, server64, ok := strings.Cut(keys, ":")
	if !ok {
		return bad("no : between StoredKey and ServerKey")
	}
	iter, err := strconv.Atoi(iterText)
	if err != nil || iter < 1 {
		return bad("iteration count " + strconv.Quote(iterText))
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil || len(salt) == 0 {
		return bad("salt is not base64")
	}
	sec := &SCRAMSecret{Iterations: iter, Salt: salt}
	for _, k := range []struct {
		text string
		dst  []byte
	}{{stored64, sec.StoredKey[:]}, {server64, sec.ServerKey[:]}} {
		b, err := base64.StdEncoding.DecodeString(k.text)
		if err != nil || len(b) != scramKeyLen {
			return bad("key is not 32 bytes of base64")
		}
		copy(k.dst, b)
	}
	return sec, nil
}

// String is the secret in PostgreSQL's stored form.
func (s *SCRAMSecret) String() string {
	enc := base64.StdEncoding.EncodeToString
	return SCRAMSHA256 + "$" + strconv.Itoa(s.Iterations) + ":" + enc(s.Salt) + "$" + enc(s.StoredKey[:]) + ":" + enc(s.ServerKey[:])
}

// Check reports whether password is the one the secret was made from.
func (s *SCRAMSecret) Check(password string) bool {
	other, err := SCRAMSecretFor(password, s.Salt, s.Iterations)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(other.StoredKey[:], s.StoredKey[:]) == 1 &&
		subtle.ConstantTimeCompare(other.ServerKey[:], s.ServerKey[:]) == 1
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

func newNonce() (string, error) {
	var raw [scramNonceLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(raw[:]), nil
}

// scramReader reads the comma-separated attributes of a SCRAM message in
// order (auth-scram.c's read_attribute_value and read_any_attr).
type scramReader struct{ s string }

var errSCRAMEnd = errors.New("the message ended early")

// attr reads the attribute named name ("r", "s", ...): its value, up to
// the next comma.
func (r *scramReader) attr(name byte) (string, error) {
	if len(r.s) < 2 || r.s[0] != name || r.s[1] != '=' {
		if r.s == "" {
			return "", errSCRAMEnd
		}
		return "", fmt.Errorf("expected attribute %q but found %q", name, prefix(r.s))
	}
	return r.value(), nil
}

// any reads whatever attribute comes next.
func (r *scramReader) any() (name byte, value string, err error) {
	if len(r.s) < 2 || r.s[1] != '=' || !(r.s[0] >= 'a' && r.s[0] <= 'z' || r.s[0] >= 'A' && r.s[0] <= 'Z') {
		if r.s == "" {
			return 0, "", errSCRAMEnd
		}
		return 0, "", fmt.Errorf("attribute expected but found %q", prefix(r.s))
	}
	name = r.s[0]
	return name, r.value(), nil
}

func (r *scramReader) value() string {
	v := r.s[2:]
	if i := strings.IndexByte(v, ','); i >= 0 {
		r.s = v[i+1:]
		return v[:i]
	}
	r.s = ""
	return v
}

func (r *scramReader) done() bool { return r.s == "" }

// prefix shortens untrusted text for an error detail.
func prefix(s string) string {
	if len(s) > 20 {
		s = s[:20] + "..."
	}
	return s
}

// validNonce: printable ASCII except ',' (RFC 5802 §7).
func validNonce(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < 0x21 || n[i] > 0x7e || n[i] == ',' {
			return false
		}
	}
	return true
}
