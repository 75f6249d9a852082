package auth_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// fakeAES stands in for pkg/passcrypt: "AES" + reversed password.
func fakeAES(entry string) (string, error) {
	s, ok := strings.CutPrefix(entry, "AES")
	if !ok || s == "bad" {
		return "", errors.New("decryption failed")
	}
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r), nil
}

func TestPasswords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pool_passwd")
	scramSecret, _ := auth.NewSCRAMSecret("scrampw")
	lines := []string{
		"md5user:" + auth.MD5Secret("md5user", "md5pw"),
		"textuser:TEXTtextpw",
		"plainuser:plainpw",
		"aesuser:AESwpsea",
		"badaes:AESbad",
		"scramuser:" + scramSecret.String(),
		"escaped:" + strings.ReplaceAll(scramSecret.String(), ":", `\:`),
		`col\:on:TEXTx`,
	}
	os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	p := auth.NewPasswords(path, fakeAES)
	cases := []struct {
		user, right, wrong string
		kind               config.PasswdKind
		clear              bool // Password() gives it
	}{
		{"md5user", "md5pw", "x", config.PasswdMD5, false},
		{"textuser", "textpw", "TEXTtextpw", config.PasswdText, true},
		{"plainuser", "plainpw", "x", config.PasswdPlain, true},
		{"aesuser", "aespw", "wpsea", config.PasswdAES, true},
		{"scramuser", "scrampw", "x", config.PasswdSCRAM, false},
		{"escaped", "scrampw", "x", config.PasswdSCRAM, false},
		{"col:on", "x", "y", config.PasswdText, true},
	}
	for _, c := range cases {
		t.Run(c.user, func(t *testing.T) {
			s, err := p.Lookup(c.user)
			if err != nil || s == nil || s.Kind != c.kind {
				t.Fatalf("lookup: %+v %v", s, err)
			}
			if ok, err := s.Check(c.right); !ok || err != nil {
				t.Fatalf("right password refused: %v", err)
			}
			if ok, _ := s.Check(c.wrong); ok {
				t.Fatal("wrong password accepted")
			}
			pw, err := s.Password()
			if c.clear != (err == nil) || (c.clear && pw != c.right) {
				t.Fatalf("Password() = %q, %v", pw, err)
			}
			md5, err := s.MD5()
			if c.kind == config.PasswdSCRAM {
				if !errors.Is(err, auth.ErrNoClearText) {
					t.Fatalf("MD5 of a SCRAM entry: %v", err)
				}
			} else if md5 != auth.MD5Secret(c.user, c.right) {
				t.Fatalf("MD5() = %q, %v", md5, err)
			}
			sec, err := s.SCRAM()
			if c.kind == config.PasswdMD5 {
				if !errors.Is(err, auth.ErrNoClearText) {
					t.Fatalf("SCRAM of an md5 entry: %v", err)
				}
			} else if err != nil || !sec.Check(c.right) {
				t.Fatalf("SCRAM(): %v", err)
			}
		})
	}
	if s, err := p.Lookup("nobody"); s != nil || err != nil {
		t.Fatalf("unknown user: %v %v", s, err)
	}
	s, _ := p.Lookup("badaes")
	if _, err := s.Password(); err == nil {
		t.Fatal("undecryptable AES entry gave a password")
	}
	noKey, _ := auth.NewPasswords(path, nil).Lookup("aesuser")
	if _, err := noKey.Password(); err == nil {
		t.Fatal("AES entry without a key gave a password")
	}
}

// TestPasswordsSeeChanges: an entry added with pg_md5 -m works for the
// next client, without a reload (Pgpool rereads the file every time).
func TestPasswordsSeeChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pool_passwd")
	os.WriteFile(path, []byte("a:TEXTone\n"), 0o600)
	p := auth.NewPasswords(path, nil)
	if s, _ := p.Lookup("b"); s != nil {
		t.Fatal("b before it exists")
	}
	os.WriteFile(path, []byte("a:TEXTone\nb:TEXTtwo-longer\n"), 0o600)
	s, err := p.Lookup("b")
	if err != nil || s == nil {
		t.Fatalf("b after it was added: %v", err)
	}
	if ok, _ := s.Check("two-longer"); !ok {
		t.Fatal("b's password")
	}
	os.Remove(path)
	if s, err := p.Lookup("a"); s != nil || err == nil {
		t.Fatal("a removed file still answers")
	}
	if s, err := auth.NewPasswords("", nil).Lookup("a"); s != nil || err != nil {
		t.Fatal("pool_passwd = '' must turn the file off")
	}
}
