package passcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Password prefixes of pool_passwd entries and password parameters
// (src/include/auth/pool_passwd.h, reference §2.5).
const (
	PrefixMD5   = "md5"
	PrefixAES   = "AES"
	PrefixSCRAM = "SCRAM-SHA-256$"
	PrefixText  = "TEXT"
)

// MaxInputLength is the longest password or user name pg_md5 and pg_enc
// accept (MAX_USER_NAME_LEN, MAX_PGPASS_LEN).
const MaxInputLength = 128

// MD5Hex returns the 32 lower-case hex digits of MD5(s): what pcp.conf holds
// for a password (pg_md5 PASSWORD).
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// PoolPasswdMD5 returns the pool_passwd md5 entry of a user: "md5" followed
// by md5hex(password || user), the same shadow PostgreSQL stores.
func PoolPasswdMD5(user, password string) string {
	return PrefixMD5 + MD5Hex(password+user)
}

// Type is how a pool_passwd entry or password parameter is stored.
type Type int

const (
	TypePlaintext Type = iota // anything without a known prefix
	TypeMD5                   // "md5" + 32 characters
	TypeAES                   // "AES" + base64
	TypeSCRAM                 // "SCRAM-SHA-256$…"
	TypeText                  // "TEXT" + cleartext
)

var typeNames = [...]string{"plaintext", "md5", "AES", "SCRAM-SHA-256", "TEXT"}

func (t Type) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// TypeOf classifies a stored password as Pgpool's get_password_type does: an
// "md5" entry of any length but 35 is plain text.
func TypeOf(stored string) Type {
	switch {
	case strings.HasPrefix(stored, PrefixMD5):
		if len(stored) == len(PrefixMD5)+32 {
			return TypeMD5
		}
		return TypePlaintext
	case strings.HasPrefix(stored, PrefixAES):
		return TypeAES
	case strings.HasPrefix(stored, PrefixSCRAM):
		return TypeSCRAM
	case strings.HasPrefix(stored, PrefixText):
		return TypeText
	}
	return TypePlaintext
}

// aesKeyIV derives the AES-256-CBC key and IV from a key string the way
// Pgpool does: OpenSSL's EVP_BytesToKey with SHA-1, no salt and one round
// (src/utils/ssl_utils.c aes_get_key). D1 = SHA1(k), Di = SHA1(Di-1 || k);
// the key is the first 32 bytes of D1||D2||D3, the IV the next 16.
func aesKeyIV(key string) (k [32]byte, iv [16]byte) {
	var material []byte
	var prev []byte
	for len(material) < len(k)+len(iv) {
		h := sha1.New()
		h.Write(prev)
		h.Write([]byte(key))
		prev = h.Sum(nil)
		material = append(material, prev...)
	}
	copy(k[:], material)
	copy(iv[:], material[len(k):])
	return k, iv
}

// EncryptAES encrypts password with Pgpool's scheme and returns the
// pool_passwd entry, "AES" followed by base64 (standard alphabet, padded, no
// line breaks) of the AES-256-CBC ciphertext with PKCS#7 padding. The key
// and IV are derived from key, so equal inputs give equal entries, as with
// pg_enc.
func EncryptAES(password, key string) string {
	k, iv := aesKeyIV(key)
	block, _ := aes.NewCipher(k[:]) // a 32-byte key never fails
	pad := aes.BlockSize - len(password)%aes.BlockSize
	buf := make([]byte, len(password)+pad)
	copy(buf, password)
	for i := len(password); i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, iv[:]).CryptBlocks(buf, buf)
	return PrefixAES + base64.StdEncoding.EncodeToString(buf)
}

// ErrDecrypt is returned when an AES entry does not decrypt with the key:
// wrong key, or not an entry pg_enc wrote.
var ErrDecrypt = errors.New("passcrypt: unable to decrypt password; verify that the pgpool key is the one used by pg_enc")

// DecryptAES returns the password of an "AES…" entry.
func DecryptAES(entry, key string) (string, error) {
	if !strings.HasPrefix(entry, PrefixAES) {
		return "", fmt.Errorf("passcrypt: not an AES entry (no %q prefix)", PrefixAES)
	}
	data, err := base64.StdEncoding.DecodeString(entry[len(PrefixAES):])
	if err != nil {
		return "", fmt.Errorf("passcrypt: base64 decoding of AES entry failed: %w", err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return "", ErrDecrypt
	}
	k, iv := aesKeyIV(key)
	block, _ := aes.NewCipher(k[:])
	cipher.NewCBCDecrypter(block, iv[:]).CryptBlocks(data, data)
	pad := int(data[len(data)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(data) ||
		!bytes.Equal(data[len(data)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return "", ErrDecrypt
	}
	plain := data[:len(data)-pad]
	// Pgpool handles the result as a C string.
	if i := bytes.IndexByte(plain, 0); i >= 0 {
		plain = plain[:i]
	}
	return string(plain), nil
}
