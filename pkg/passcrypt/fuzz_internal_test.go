package passcrypt

import (
	"strings"
	"testing"
)

func FuzzDecryptAES(f *testing.F) {
	f.Add(EncryptAES("secret", "k"), "k")
	f.Add("AESV7IMV7YNworqqZU1Z46Wgw==", "mykey")
	f.Add("AES", "")
	f.Add("AES====", "x")
	f.Fuzz(func(t *testing.T, entry, key string) {
		if pw, err := DecryptAES(entry, key); err == nil {
			// Whatever decrypts, encrypts back to an entry that decrypts the same.
			again, err := DecryptAES(EncryptAES(pw, key), key)
			if err != nil || again != pw {
				t.Fatalf("round trip of %q: %q, %v", pw, again, err)
			}
		}
	})
}

func FuzzEncryptAES(f *testing.F) {
	f.Add("secret", "k")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, password, key string) {
		got, err := DecryptAES(EncryptAES(password, key), key)
		want := password
		if i := strings.IndexByte(want, 0); i >= 0 {
			want = want[:i] // a C string ends at its first NUL
		}
		if err != nil || got != want {
			t.Fatalf("EncryptAES/DecryptAES(%q, %q) = %q, %v", password, key, got, err)
		}
	})
}

func FuzzParseConfLine(f *testing.F) {
	for _, s := range []string{"pool_passwd = 'pp'", "port 9999 # x", "a = 'it''s'", "x = '\\'", "#c", "", "  =", "a='"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		parseConfLine(line)
	})
}

func FuzzUserMatches(f *testing.F) {
	f.Add("alice:md5x", "alice")
	f.Add(`a\:b:x`, "a:b")
	f.Add(`\`, "")
	f.Fuzz(func(t *testing.T, line, user string) {
		// A line written for user always matches it.
		if !strings.ContainsAny(user, "\n\x00") && !userMatches(escapeUser(user)+":"+line, user) {
			t.Fatalf("the line written for %q does not match it", user)
		}
		userMatches(line, user)
	})
}
