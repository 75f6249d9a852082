package pcp

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
)

// MaxUserLength is libpcp's MAX_USER_PASSWD_LEN: user names must be shorter.
const MaxUserLength = 128

// SaltRequest (M) asks for a salt; it has no payload (§1.3).
type SaltRequest struct{}

func (*SaltRequest) Type() byte { return 'M' }

func (src *SaltRequest) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, 'M')
	return finishRequest(dst, sp)
}

// Decode accepts any payload, as Pgpool ignores it.
func (dst *SaltRequest) Decode(src []byte) error { return nil }

// Salt (m) carries 4 random bytes, binary.
type Salt struct {
	Salt [4]byte
}

func (src *Salt) Encode(dst []byte) []byte {
	dst, sp := beginPacket(dst, 'm')
	dst = append(dst, src.Salt[:]...)
	return finishPacket(dst, sp)
}

func (dst *Salt) Decode(src []byte) error {
	if len(src) != 4 {
		return malformed('m', fmt.Errorf("salt of %d bytes, expected 4", len(src)))
	}
	copy(dst.Salt[:], src)
	return nil
}

// Authenticate (R) logs in: user name and the salted hash, 32 lower-case hex
// digits without the "md5" prefix.
type Authenticate struct {
	User string
	Hash string
}

func (*Authenticate) Type() byte { return 'R' }

func (src *Authenticate) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, 'R')
	dst = appendCString(dst, src.User)
	dst = appendCString(dst, src.Hash)
	return finishRequest(dst, sp)
}

func (dst *Authenticate) Decode(src []byte) error {
	user, rest, err := cstring(src)
	if err != nil {
		return malformed('R', fmt.Errorf("user name: %w", err))
	}
	hash, _, err := cstring(rest)
	if err != nil {
		return malformed('R', fmt.Errorf("password hash: %w", err))
	}
	dst.User, dst.Hash = user, hash
	return nil
}

// AuthenticationOK (r) confirms a login.
type AuthenticationOK struct{}

const authenticationOK = "AuthenticationOK"

func (src *AuthenticationOK) Encode(dst []byte) []byte {
	dst, sp := beginPacket(dst, 'r')
	dst = appendCString(dst, authenticationOK)
	return finishPacket(dst, sp)
}

func (dst *AuthenticationOK) Decode(src []byte) error {
	s, _, err := cstring(src)
	if err != nil {
		return malformed('r', err)
	}
	if s != authenticationOK {
		return malformed('r', fmt.Errorf("authentication failed. reason=%q", s))
	}
	return nil
}

// md5Hex is 32 lower-case hex digits of MD5 over the concatenated parts.
func md5Hex(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		h.Write(p)
	}
	var sum [md5.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// AuthHash is what a client sends in R and what the server expects:
// md5hex(md5hex(stored || user) || salt), where stored is the pcp.conf
// column, md5hex(password) (§1.3).
func AuthHash(user, stored string, salt [4]byte) string {
	step := md5Hex([]byte(stored), []byte(user))
	return md5Hex([]byte(step), salt[:])
}
