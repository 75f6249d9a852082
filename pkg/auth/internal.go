package auth

import (
	"path/filepath"
	"strings"

	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/passcrypt"
)

// InternalPassword gives the password of pgpoold's own connections to the
// nodes (health check, sr-worker, primary search, online recovery, SHOW
// pool_nodes' probes) as Pgpool resolves it (reference §5.1): the
// configured value (health_check_password, sr_check_password,
// recovery_password) with its prefix — AES (decrypted with the key file),
// md5 (usable for md5 authentication only), TEXT — or plain; when empty,
// the user's pool_passwd entry. The function has the shape of
// backend.Password; it returns ("", nil) when nothing is known, and the
// node's request then fails with its own error.
func InternalPassword(cfg *config.Config, decrypt Decrypter, user, configured string) func(kind int) (string, error) {
	if configured == "" {
		path := cfg.PoolPasswd
		if path == "" {
			return nil
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(cfg.Dir, path)
		}
		p := NewPasswords(path, decrypt)
		return func(int) (string, error) {
			s, err := p.Lookup(user)
			if err != nil || s == nil {
				return "", err
			}
			if s.Kind == config.PasswdMD5 {
				return s.MD5()
			}
			return s.Password()
		}
	}
	return func(int) (string, error) {
		switch {
		case strings.HasPrefix(configured, "AES"):
			if decrypt == nil {
				return "", errNoAES
			}
			return decrypt(configured)
		case strings.HasPrefix(configured, "TEXT"):
			return configured[4:], nil
		}
		return configured, nil // plain, or an md5 secret backend.Connect uses as such
	}
}

// KeyFileDecrypter decrypts AES entries with the key in keyFile (or, when
// empty, the file Pgpool would use: $PGPOOLKEYFILE, ~/.pgpoolkey); nil
// when there is no readable key.
func KeyFileDecrypter(keyFile string) Decrypter {
	if keyFile == "" {
		keyFile = passcrypt.KeyFilePath("")
	}
	kf, err := passcrypt.ReadKeyFile(keyFile)
	if err != nil {
		return nil
	}
	key := kf.Key
	return func(entry string) (string, error) { return passcrypt.DecryptAES(entry, key) }
}
