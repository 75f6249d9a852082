package auth_test

import (
	"errors"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// FuzzSCRAMServer feeds the server-side SCRAM parser arbitrary
// client-first and client-final messages: it must answer every malformed
// one with an ErrorResponse (a *relay.PgError, which ends the session),
// never panic.
func FuzzSCRAMServer(f *testing.F) {
	f.Add(auth.SCRAMSHA256, []byte("n,,n=,r=rOprNGfwEbeRWgbNEkqO"), []byte("c=biws,r=NONCE,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="), false)
	f.Add(auth.SCRAMSHA256Plus, []byte("p=tls-server-end-point,,n=,r=abc"), []byte("c=cD10bHMtc2VydmVyLWVuZC1wb2ludCws,r=NONCE,p=AAAA"), true)
	f.Add(auth.SCRAMSHA256, []byte("y,,n=user,r=x,ext=1"), []byte("c=eSws,r=NONCE,x=1,p="), false)
	f.Add("", []byte(""), []byte(""), false)
	f.Add(auth.SCRAMSHA256, []byte("n,a=,n=,r=,"), []byte(",,,"), false)
	secret, err := auth.SCRAMSecretFor("pencil", []byte("saltsaltsaltsalt"), 1)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, mech string, first, final []byte, tls bool) {
		var cb []byte
		if tls {
			cb = []byte("0123456789abcdef0123456789abcdef")
		}
		s := auth.NewSCRAMServer("u", secret, cb)
		sfirst, err := s.First(mech, first)
		if err != nil {
			requirePgError(t, err)
			return
		}
		// Put the real nonce where the corpus says NONCE, so the fuzzer
		// also reaches the proof check.
		nonce := sfirst[2:]
		for i := range nonce {
			if nonce[i] == ',' {
				nonce = nonce[:i]
				break
			}
		}
		final = replaceAll(final, []byte("NONCE"), nonce)
		if _, err := s.Final(final); err != nil {
			requirePgError(t, err)
		}
		if _, err := s.Final(final); err == nil {
			t.Fatal("a second client-final-message was accepted")
		}
	})
}

func requirePgError(t *testing.T, err error) {
	var pe *relay.PgError
	if !errors.As(err, &pe) || pe.Severity != relay.SevFatal || pe.Code == "" {
		t.Fatalf("error %v is not a FATAL ErrorResponse for the client", err)
	}
}

func replaceAll(b, old, repl []byte) []byte {
	var out []byte
	for {
		i := indexOf(b, old)
		if i < 0 {
			return append(out, b...)
		}
		out = append(append(out, b[:i]...), repl...)
		b = b[i+len(old):]
	}
}

func indexOf(b, sub []byte) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}

// FuzzSASLInitialResponse: any SASLInitialResponse body parses or is a
// protocol violation.
func FuzzSASLInitialResponse(f *testing.F) {
	f.Add([]byte("SCRAM-SHA-256\x00\x00\x00\x00\x03abc"))
	f.Add([]byte("\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, _, err := auth.ParseSASLInitialResponse(b); err != nil {
			requirePgError(t, err)
		}
	})
}
