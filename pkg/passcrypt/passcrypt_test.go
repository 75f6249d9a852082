package passcrypt_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/passcrypt"
)

// The expected values below were printed by Debian's Pgpool-II 4.3.5 pg_md5
// and pg_enc for the same inputs; tools/pg_md5 and tools/pg_enc also compare
// with those binaries at test time.

func TestMD5(t *testing.T) {
	if got := passcrypt.MD5Hex("secret"); got != "5ebe2294ecd0e0f08eab7690d2a6ee69" {
		t.Errorf("MD5Hex(secret) = %s", got)
	}
	if got := passcrypt.PoolPasswdMD5("alice", "secret"); got != "md54a0a68b43b6cd5cf266fa02f196e2371" {
		t.Errorf("PoolPasswdMD5(alice, secret) = %s", got)
	}
}

func TestEncryptAESMatchesPgEnc(t *testing.T) {
	tests := []struct{ password, key, entry string }{
		{"secret", "mykey", "AESV7IMV7YNworqqZU1Z46Wgw=="},
		{"secret", "k", "AESlJlM3wBTcV9aW0Y0BHaXBA=="},
		{"pw2", "k", "AEScWjq9HuJHPSu2QE6WWORqQ=="},
		{"x", "k", "AESH/zxOSmeD175ZVMZWpPTKQ=="},
		{"secret", "filekey", "AESQ0/w7p1fhQTNejYCU1Hs7A=="},
		{"secret", "", "AESusUl+sJB8NTGklVZKnG09g=="},
		{"", "k", "AESy1+ACTo8CbHbRPwRkaAk3w=="},
	}
	for _, tt := range tests {
		if got := passcrypt.EncryptAES(tt.password, tt.key); got != tt.entry {
			t.Errorf("EncryptAES(%q, %q) = %s, want %s", tt.password, tt.key, got, tt.entry)
		}
		got, err := passcrypt.DecryptAES(tt.entry, tt.key)
		if err != nil || got != tt.password {
			t.Errorf("DecryptAES(%s, %q) = %q, %v; want %q", tt.entry, tt.key, got, err, tt.password)
		}
	}
}

func TestDecryptAESRejects(t *testing.T) {
	entry := passcrypt.EncryptAES("a password of some length", "right key")
	tests := []struct{ name, entry, key string }{
		{"wrong key", entry, "wrong key"},
		{"no prefix", strings.TrimPrefix(entry, "AES"), "right key"},
		{"not base64", "AES!!!", "right key"},
		{"not whole blocks", "AESAAAA", "right key"},
		{"empty", "AES", "right key"},
	}
	for _, tt := range tests {
		if got, err := passcrypt.DecryptAES(tt.entry, tt.key); err == nil {
			t.Errorf("%s: decrypted to %q", tt.name, got)
		}
	}
	if _, err := passcrypt.DecryptAES(entry, "wrong key"); !errors.Is(err, passcrypt.ErrDecrypt) {
		t.Errorf("wrong key: %v, want ErrDecrypt", err)
	}
}

func TestTypeOf(t *testing.T) {
	tests := map[string]passcrypt.Type{
		"md54a0a68b43b6cd5cf266fa02f196e2371": passcrypt.TypeMD5,
		"md5short":                            passcrypt.TypePlaintext,
		"AESV7IMV7YNworqqZU1Z46Wgw==":         passcrypt.TypeAES,
		"SCRAM-SHA-256$4096:c2FsdA==$a:b":     passcrypt.TypeSCRAM,
		"TEXTsecret":                          passcrypt.TypeText,
		"secret":                              passcrypt.TypePlaintext,
	}
	for in, want := range tests {
		if got := passcrypt.TypeOf(in); got != want {
			t.Errorf("TypeOf(%q) = %v, want %v", in, got, want)
		}
	}
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestReadKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")

	writeFile(t, path, "filekey\nsecond line\n", 0o600)
	kf, err := passcrypt.ReadKeyFile(path)
	if err != nil || kf.Key != "filekey" || kf.Insecure {
		t.Errorf("first line: %+v, %v", kf, err)
	}

	writeFile(t, path, "nonewline", 0o644)
	kf, err = passcrypt.ReadKeyFile(path)
	if err != nil || kf.Key != "nonewline" || !kf.Insecure {
		t.Errorf("insecure file: %+v, %v; want the key and Insecure", kf, err)
	}
	if want := `pool key file "` + path + `" has group or world access; permissions should be u=rw (0600) or less`; kf.InsecureWarning() != want {
		t.Errorf("warning %q", kf.InsecureWarning())
	}

	writeFile(t, path, strings.Repeat("k", 300)+"\n", 0o600)
	if kf, err = passcrypt.ReadKeyFile(path); err != nil || len(kf.Key) != 255 {
		t.Errorf("long key: %d bytes, %v; want Pgpool's 255", len(kf.Key), err)
	}

	writeFile(t, path, "\n", 0o600)
	if kf, err = passcrypt.ReadKeyFile(path); err != nil || kf.Key != "" {
		t.Errorf("blank first line: %+v, %v; Pgpool uses the empty key", kf, err)
	}

	writeFile(t, path, "", 0o600)
	if _, err = passcrypt.ReadKeyFile(path); !errors.Is(err, passcrypt.ErrNoKeyFile) {
		t.Errorf("empty file: %v, want ErrNoKeyFile", err)
	}
	if _, err = passcrypt.ReadKeyFile(filepath.Join(dir, "missing")); !errors.Is(err, passcrypt.ErrNoKeyFile) {
		t.Errorf("missing file: %v, want ErrNoKeyFile", err)
	}
	var npf *passcrypt.NotPlainFileError
	if _, err = passcrypt.ReadKeyFile(dir); !errors.As(err, &npf) ||
		err.Error() != `pool key file "`+dir+`" is not a plain file` {
		t.Errorf("directory: %v", err)
	}
}

func TestKeyFilePath(t *testing.T) {
	t.Setenv(passcrypt.KeyFileEnv, "/env/key")
	if got := passcrypt.KeyFilePath("/flag/key"); got != "/flag/key" {
		t.Errorf("flag: %s", got)
	}
	if got := passcrypt.KeyFilePath(""); got != "/env/key" {
		t.Errorf("env: %s", got)
	}
	os.Unsetenv(passcrypt.KeyFileEnv)
	if got, want := passcrypt.KeyFilePath(""), filepath.Join(passcrypt.HomeDir(), ".pgpoolkey"); got != want {
		t.Errorf("default: %s, want %s", got, want)
	}
}

func TestPoolPasswdFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "pgpool.conf")
	tests := []struct {
		name, content, want string
	}{
		{"default", "port = 9999\n", filepath.Join(dir, "pool_passwd")},
		{"relative", "pool_passwd = 'users/pp'\n", filepath.Join(dir, "users/pp")},
		{"absolute", "pool_passwd = '/etc/pp' # comment\n", "/etc/pp"},
		{"unquoted without equals", "pool_passwd   other\n", filepath.Join(dir, "other")},
		{"last wins", "pool_passwd = 'a'\n#pool_passwd = 'b'\npool_passwd='c'\n", filepath.Join(dir, "c")},
		{"quotes", `pool_passwd = 'it''s\'x'` + "\n", filepath.Join(dir, "it's'x")},
	}
	for _, tt := range tests {
		writeFile(t, conf, tt.content, 0o644)
		if got, err := passcrypt.PoolPasswdFile(conf); err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	writeFile(t, conf, "pool_passwd = ''\n", 0o644)
	if _, err := passcrypt.PoolPasswdFile(conf); !errors.Is(err, passcrypt.ErrPoolPasswdDisabled) {
		t.Errorf("disabled: %v", err)
	}
	var ce *passcrypt.ConfigError
	writeFile(t, conf, "", 0o644)
	if _, err := passcrypt.PoolPasswdFile(conf); !errors.As(err, &ce) {
		t.Errorf("empty configuration: %v, want *ConfigError", err)
	}
	if _, err := passcrypt.PoolPasswdFile(filepath.Join(dir, "missing.conf")); !errors.As(err, &ce) {
		t.Errorf("missing configuration: %v, want *ConfigError", err)
	}
}

func TestUpdatePoolPasswd(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pool_passwd")
	read := func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	if err := passcrypt.UpdatePoolPasswd(path, "alice", "md51"); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "alice:md51\n" {
		t.Errorf("created %q", got)
	}
	passcrypt.UpdatePoolPasswd(path, "bob", "AESx")
	passcrypt.UpdatePoolPasswd(path, "alice", "md52")
	if got := read(); got != "alice:md52\nbob:AESx\n" {
		t.Errorf("after replace: %q", got)
	}

	// Escaped names, a prefix that is not the user, a missing final newline,
	// a mode to keep, and two lines of one user (only the first changes).
	writeFile(t, path, "ali:p\na\\:b:old\nalice:first\nalice:second", 0o640)
	if err := passcrypt.UpdatePoolPasswd(path, "alice", "new"); err != nil {
		t.Fatal(err)
	}
	passcrypt.UpdatePoolPasswd(path, "a:b", "colon")
	if got, want := read(), "ali:p\na\\:b:colon\nalice:new\nalice:second\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", st.Mode().Perm())
	}
	if err := passcrypt.UpdatePoolPasswd(path, "alice", ""); err == nil {
		t.Error("empty entry accepted")
	}
	if err := passcrypt.UpdatePoolPasswd(filepath.Join(dir, "no/such/dir/pp"), "alice", "x"); err == nil {
		t.Error("unwritable path accepted")
	}
	// A reader that keeps the file open, as pgpool does, sees the update.
	held, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := passcrypt.UpdatePoolPasswd(path, "ali", "changed"); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(held)
	if !strings.HasPrefix(string(b), "ali:changed\n") {
		t.Errorf("open descriptor reads %q, want the new content", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
