package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// PasswdKind is the kind of secret stored in pool_passwd (or in a
// *_password parameter), from its prefix (Pgpool's get_password_type).
type PasswdKind uint8

// Password kinds.
const (
	PasswdPlain PasswdKind = iota + 1 // no known prefix: clear text
	PasswdMD5                         // "md5" + 32 hex: md5(password || user)
	PasswdAES                         // "AES" + base64 of AES-256-CBC ciphertext
	PasswdSCRAM                       // "SCRAM-SHA-256$iter:salt$StoredKey:ServerKey"
	PasswdText                        // "TEXT" + clear text
)

var passwdKindNames = [...]string{"", "plain", "md5", "aes", "scram-sha-256", "text"}

func (k PasswdKind) String() string { return passwdKindNames[k] }

// ClassifyPassword splits a stored password into its kind and secret. The
// secret is the whole "md5..." hash for md5, the whole verifier for SCRAM,
// the base64 text after "AES", and the clear text after "TEXT". "md5" with
// any length other than 35 is clear text, as in Pgpool.
func ClassifyPassword(s string) (PasswdKind, string) {
	switch {
	case strings.HasPrefix(s, "md5"):
		if len(s) == 35 {
			return PasswdMD5, s
		}
		return PasswdPlain, s
	case strings.HasPrefix(s, "AES"):
		return PasswdAES, s[3:]
	case strings.HasPrefix(s, "SCRAM-SHA-256$"):
		return PasswdSCRAM, s
	case strings.HasPrefix(s, "TEXT"):
		return PasswdText, s[4:]
	}
	return PasswdPlain, s
}

// PasswdEntry is one pool_passwd line: user:password, optionally followed by
// :backend_user:backend_password mapping the client user to another
// backend user.
type PasswdEntry struct {
	User   string
	Kind   PasswdKind
	Secret string

	BackendUser   string
	BackendKind   PasswdKind
	BackendSecret string
}

// LoadPoolPasswd reads pool_passwd as Pgpool's pool_passwd.c: one entry per
// line, fields separated by ':' with '\' escaping the next character,
// no comments (a '#' is part of a user name), empty lines skipped, lines of
// at most 1023 bytes. A line with a user but no password is skipped, as
// Pgpool does. The first entry of a user wins at lookup.
func LoadPoolPasswd(path string) ([]PasswdEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: read pool_passwd: %w", err)
	}
	return parsePoolPasswd(path, data)
}

const passwdMaxLine = 1023 // fgets into a 1024-byte buffer

func parsePoolPasswd(path string, data []byte) ([]PasswdEntry, error) {
	var out []PasswdEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		if len(line) > passwdMaxLine {
			return nil, &ParseError{File: path, Line: n, Msg: fmt.Sprintf("line too long (%d bytes, at most %d)", len(line), passwdMaxLine)}
		}
		f := splitPasswdFields(line)
		if len(f) < 2 || f[0] == "" || f[1] == "" {
			continue
		}
		e := PasswdEntry{User: f[0]}
		e.Kind, e.Secret = ClassifyPassword(f[1])
		if len(f) >= 4 && f[2] != "" && f[3] != "" {
			e.BackendUser = f[2]
			e.BackendKind, e.BackendSecret = ClassifyPassword(f[3])
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	return out, nil
}

func splitPasswdFields(line string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
		case c == ':':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

// LookupPasswd returns the first entry for user.
func LookupPasswd(entries []PasswdEntry, user string) (PasswdEntry, bool) {
	for _, e := range entries {
		if e.User == user {
			return e, true
		}
	}
	return PasswdEntry{}, false
}
