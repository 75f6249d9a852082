package auth

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// Decrypter turns an AES pool_passwd entry ("AES" + base64, as pg_enc
// writes it) back into the password: pkg/passcrypt's DecryptAES with the
// key of the key file (-k, $PGPOOLKEYFILE, ~/.pgpoolkey).
type Decrypter func(entry string) (string, error)

// Passwords is pool_passwd as a child uses it. Pgpool keeps the file open
// and rereads it at every lookup, so an entry pg_md5 -m or pg_enc -m adds
// works for the next client without a reload; Passwords rereads it when
// its inode, size or modification time changed, which gives the same
// result with one stat per lookup.
type Passwords struct {
	path    string
	decrypt Decrypter

	stamp   fileStamp
	entries []config.PasswdEntry
	scram   map[string]*SCRAMSecret // secrets built from clear-text entries, by user
}

type fileStamp struct {
	ino   uint64
	size  int64
	mtime time.Time
}

// NewPasswords reads pool_passwd at path ("" turns it off, as
// pool_passwd = ” does in Pgpool). decrypt may be nil: AES entries then
// cannot be used.
func NewPasswords(path string, decrypt Decrypter) *Passwords {
	return &Passwords{path: path, decrypt: decrypt}
}

// Path is the file read.
func (p *Passwords) Path() string { return p.path }

// Lookup returns the user's entry, nil when there is none. An error means
// the file could not be read; the caller logs it and goes on as without
// an entry.
func (p *Passwords) Lookup(user string) (*Secret, error) {
	if p == nil || p.path == "" {
		return nil, nil
	}
	if err := p.refresh(); err != nil {
		return nil, err
	}
	e, ok := config.LookupPasswd(p.entries, user)
	if !ok {
		return nil, nil
	}
	return &Secret{User: user, Kind: e.Kind, stored: scramEntry(e), p: p}, nil
}

// scramEntry undoes the split of a SCRAM secret at its colons. The fields
// of a pool_passwd line are separated by ':' (with '\' escaping), so
// Pgpool-II reads "u:SCRAM-SHA-256$4096:salt$StoredKey:ServerKey" as the
// password "SCRAM-SHA-256$4096" with a backend user and password after it,
// and SCRAM entries work there only with their colons escaped. pgpool-go
// takes both forms.
func scramEntry(e config.PasswdEntry) string {
	if e.Kind != config.PasswdSCRAM || strings.Contains(e.Secret, ":") || e.BackendUser == "" {
		return e.Secret
	}
	var pre string
	switch e.BackendKind {
	case config.PasswdAES:
		pre = "AES"
	case config.PasswdText:
		pre = "TEXT"
	}
	return e.Secret + ":" + e.BackendUser + ":" + pre + e.BackendSecret
}

func (p *Passwords) refresh() error {
	fi, err := os.Stat(p.path)
	if err != nil {
		p.entries, p.stamp, p.scram = nil, fileStamp{}, nil
		return fmt.Errorf("pool_passwd %s: %w", p.path, err)
	}
	st := fileStamp{size: fi.Size(), mtime: fi.ModTime()}
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = s.Ino
	}
	if st == p.stamp && p.entries != nil {
		return nil
	}
	entries, err := config.LoadPoolPasswd(p.path)
	if err != nil {
		return err
	}
	p.entries, p.stamp, p.scram = entries, st, nil
	if p.entries == nil {
		p.entries = []config.PasswdEntry{} // read, and empty
	}
	return nil
}

// Secret is one user's pool_passwd entry.
type Secret struct {
	User   string
	Kind   config.PasswdKind
	stored string // as config.ClassifyPassword splits it
	p      *Passwords
}

// ErrNoClearText is returned by Password for entries that hold a hash.
var ErrNoClearText = errors.New("auth: the pool_passwd entry holds a hash, not the password")

// Password is the password itself, for plain, TEXT and AES entries. An AES
// entry that does not decrypt gives an error; md5 and SCRAM entries give
// ErrNoClearText.
func (s *Secret) Password() (string, error) {
	switch s.Kind {
	case config.PasswdPlain, config.PasswdText:
		return s.stored, nil
	case config.PasswdAES:
		if s.p.decrypt == nil {
			return "", errNoAES
		}
		pw, err := s.p.decrypt("AES" + s.stored)
		if err != nil {
			return "", fmt.Errorf("auth: decrypt the AES entry of %q: %w", s.User, err)
		}
		return pw, nil
	}
	return "", ErrNoClearText
}

// MD5 is the md5 secret ("md5" + md5(password || user)) of the entry:
// stored for md5 entries, computed for the others; SCRAM entries have
// none (ErrNoClearText).
func (s *Secret) MD5() (string, error) {
	if s.Kind == config.PasswdMD5 {
		return s.stored, nil
	}
	pw, err := s.Password()
	if err != nil {
		return "", err
	}
	return MD5Secret(s.User, pw), nil
}

// SCRAM is the SCRAM secret of the entry: stored for SCRAM entries, built
// once per file version for entries that hold the password; md5 entries
// have none (ErrNoClearText).
func (s *Secret) SCRAM() (*SCRAMSecret, error) {
	if s.Kind == config.PasswdSCRAM {
		return ParseSCRAMSecret(s.stored)
	}
	if sec, ok := s.p.scram[s.User]; ok {
		return sec, nil
	}
	pw, err := s.Password()
	if err != nil {
		return nil, err
	}
	sec, err := NewSCRAMSecret(pw)
	if err != nil {
		return nil, err
	}
	if s.p.scram == nil {
		s.p.scram = map[string]*SCRAMSecret{}
	}
	s.p.scram[s.User] = sec
	return sec, nil
}

// Check reports whether password is the user's password, whatever the
// entry holds.
func (s *Secret) Check(password string) (bool, error) {
	switch s.Kind {
	case config.PasswdMD5:
		return subtle.ConstantTimeCompare([]byte(MD5Secret(s.User, password)), []byte(s.stored)) == 1, nil
	case config.PasswdSCRAM:
		sec, err := ParseSCRAMSecret(s.stored)
		if err != nil {
			return false, err
		}
		return sec.Check(password), nil
	}
	pw, err := s.Password()
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(pw), []byte(password)) == 1, nil
}
