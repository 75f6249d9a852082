package auth_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

func pgCode(err error) string {
	var pe *relay.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// exchange runs our client against our server.
func exchange(t *testing.T, clientPassword string, secret *auth.SCRAMSecret, serverCB, clientCB []byte) error {
	t.Helper()
	srv := auth.NewSCRAMServer("alice", secret, serverCB)
	cl, err := auth.NewSCRAMClient(clientPassword)
	if err != nil {
		t.Fatal(err)
	}
	if clientCB != nil {
		cl.BindChannel(clientCB)
	} else if serverCB != nil {
		// a client on TLS that chose not to bind
	}
	first, err := srv.First(cl.Mechanism(), cl.First())
	if err != nil {
		return err
	}
	final, err := cl.Final(first)
	if err != nil {
		t.Fatalf("client rejected the server-first-message: %v", err)
	}
	sfinal, err := srv.Final(final)
	if err != nil {
		return err
	}
	if err := cl.Verify(sfinal); err != nil {
		t.Fatalf("client rejected the server signature: %v", err)
	}
	return nil
}

func TestSCRAMServerAndClient(t *testing.T) {
	secret, err := auth.NewSCRAMSecret("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	cb := bytes.Repeat([]byte{7}, 32)
	cases := []struct {
		name               string
		password           string
		serverCB, clientCB []byte
		code               string
	}{
		{"right password", "correct horse", nil, nil, ""},
		{"wrong password is 28P01", "battery staple", nil, nil, "28P01"},
		{"channel binding over TLS", "correct horse", cb, cb, ""},
		{"client on TLS without binding", "correct horse", cb, nil, ""},
		{"binding data differs (a man in the middle)", "correct horse", cb, bytes.Repeat([]byte{8}, 32), "08P01"},
		{"PLUS without TLS is refused", "correct horse", nil, cb, "08P01"},
		{"wrong password with binding", "nope", cb, cb, "28P01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := exchange(t, c.password, secret, c.serverCB, c.clientCB)
			if got := pgCode(err); got != c.code || (c.code == "" && err != nil) {
				t.Fatalf("got %v (SQLSTATE %q), want SQLSTATE %q", err, got, c.code)
			}
		})
	}
}

func TestSCRAMServerOffersPlusOnlyWithBindingData(t *testing.T) {
	secret, _ := auth.NewSCRAMSecret("x")
	if m := auth.NewSCRAMServer("u", secret, nil).Mechanisms(); len(m) != 1 || m[0] != auth.SCRAMSHA256 {
		t.Fatalf("without TLS: %v", m)
	}
	if m := auth.NewSCRAMServer("u", secret, []byte{1}).Mechanisms(); len(m) != 2 || m[0] != auth.SCRAMSHA256Plus {
		t.Fatalf("with TLS: %v", m)
	}
}

func TestSCRAMServerRejectsMalformedClientFirst(t *testing.T) {
	secret, _ := auth.NewSCRAMSecret("x")
	cases := map[string]struct {
		mech, msg, code string
	}{
		"empty":                           {auth.SCRAMSHA256, "", "08P01"},
		"unknown mechanism":               {"SCRAM-SHA-1", "n,,n=,r=abc", "08P01"},
		"bad cbind flag":                  {auth.SCRAMSHA256, "x,,n=,r=abc", "08P01"},
		"p flag without PLUS":             {auth.SCRAMSHA256, "p=tls-server-end-point,,n=,r=abc", "08P01"},
		"authzid":                         {auth.SCRAMSHA256, "n,a=bob,n=,r=abc", "0A000"},
		"mandatory extension":             {auth.SCRAMSHA256, "n,,m=ext,n=,r=abc", "0A000"},
		"no nonce":                        {auth.SCRAMSHA256, "n,,n=", "08P01"},
		"nonce with a comma-free gap":     {auth.SCRAMSHA256, "n,,n=,r=", "08P01"},
		"nul byte":                        {auth.SCRAMSHA256, "n,,n=\x00,r=abc", "08P01"},
		"missing comma after flag":        {auth.SCRAMSHA256, "nn=,r=abc", "08P01"},
		"nonce with a non-printable":      {auth.SCRAMSHA256, "n,,n=,r=ab\x01c", "08P01"},
		"y flag when the server can bind": {auth.SCRAMSHA256, "y,,n=,r=abc", "08P01"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cb := []byte(nil)
			if strings.HasPrefix(name, "y flag") {
				cb = []byte{1, 2, 3}
			}
			_, err := auth.NewSCRAMServer("u", secret, cb).First(c.mech, []byte(c.msg))
			if got := pgCode(err); got != c.code {
				t.Fatalf("got %v, want SQLSTATE %s", err, c.code)
			}
		})
	}
}

func TestSCRAMServerRejectsMalformedClientFinal(t *testing.T) {
	secret, _ := auth.NewSCRAMSecret("x")
	for name, final := range map[string]string{
		"empty":           "",
		"no proof":        "c=biws,r=NONCE",
		"nonce differs":   "c=biws,r=NONCEx,p=AAAA",
		"cbind differs":   "c=eSws,r=NONCE,p=AAAA",
		"proof too short": "c=biws,r=NONCE,p=AAAA",
		"garbage after":   "c=biws,r=NONCE,p=" + strings.Repeat("A", 43) + "=,x=1",
		"not base64":      "c=!!!!,r=NONCE,p=AAAA",
	} {
		t.Run(name, func(t *testing.T) {
			srv := auth.NewSCRAMServer("u", secret, nil)
			first, err := srv.First(auth.SCRAMSHA256, []byte("n,,n=,r=abc"))
			if err != nil {
				t.Fatal(err)
			}
			nonce := strings.TrimPrefix(strings.SplitN(string(first), ",", 2)[0], "r=")
			_, err = srv.Final([]byte(strings.ReplaceAll(final, "NONCE", nonce)))
			if got := pgCode(err); got != "08P01" {
				t.Fatalf("got %v, want SQLSTATE 08P01", err)
			}
		})
	}
}

// Secrets PostgreSQL 15 stored for CREATE ROLE ... PASSWORD (read from
// pg_authid), so that our key derivation, SASLprep included, is checked
// against PostgreSQL's own.
var pgSecrets = []struct {
	name, stored string
	passwords    []string // each must match
	wrong        string
}{
	{"ascii", "SCRAM-SHA-256$4096:QprSElu/AzxQutQkz0nsVg==$dfx+nyn3hb0UlglWG49pAUOoLYurTOldpHB0pn2hTyE=:L1F94MwavHoUzDctZ6mBKkImGp/ysVBB/Rw6vDTXQB0=",
		[]string{"secret"}, "Secret"},
	{"soft hyphen is mapped to nothing", "SCRAM-SHA-256$4096:TCnWfo1VO9wZn24HCk0EJg==$MvGeMpjDaTebBIROqF4HXUJtai+J/e5qNgWX+p+OAY0=:TyQreGo+8S1tm7BedG0o3w6UUjjIALB6Yxoa0J/l8XY=",
		[]string{"I\u00adX", "IX"}, "I X"},
	{"roman numeral nine is NFKC IX", "SCRAM-SHA-256$4096:4Yx1yOFssTKokWOa+g8wpQ==$WU2worxJK6czNGuuEy5zOw278+WNWoimtuCm3ZwI1wc=:mLwmVgYKjSgi3c0upcxJpHL313NS9R/O223XdKCcwwo=",
		[]string{"\u2168", "IX"}, "ix"},
	{"prohibited control: raw bytes", "SCRAM-SHA-256$4096:podJnpJ8njfv8tjNLYZFjg==$KtrU0kqf/Y6IpcLUkkV0iS/qYm96DEVSBXN5VpVDCz4=:CxT5Aa3Is7OLjrCqrQawHVa1ZOgEqsiSxO+8LxCT1LQ=",
		[]string{"a\u0007\u00e9"}, "a\u00e9"},
	{"bidi rule broken: raw bytes", "SCRAM-SHA-256$4096:ITEtrT+ebqm/3Ql8ZYvaZA==$0fHUVGkvgCM0trHU+ffVlbq+ax/YhZgeusL2hUqMWaM=:ulERm29BnPJjmUkPevQoGpxfxB/on+iCaKrKB2ljg/8=",
		[]string{"\u0627\u0031"}, "\u0627"},
}

func TestSCRAMSecretsOfPostgreSQL(t *testing.T) {
	for _, c := range pgSecrets {
		t.Run(c.name, func(t *testing.T) {
			sec, err := auth.ParseSCRAMSecret(c.stored)
			if err != nil {
				t.Fatal(err)
			}
			if sec.String() != c.stored {
				t.Fatalf("round trip: %s", sec)
			}
			for _, pw := range c.passwords {
				if !sec.Check(pw) {
					t.Errorf("password %+q does not match PostgreSQL's secret", pw)
				}
			}
			if sec.Check(c.wrong) {
				t.Errorf("wrong password %+q matches", c.wrong)
			}
		})
	}
}

func TestSCRAMSecretParse(t *testing.T) {
	for _, bad := range []string{"md5abc", "SCRAM-SHA-256$x:salt$a:b", "SCRAM-SHA-256$4096:!!$a:b", "SCRAM-SHA-256$4096:c2FsdA==$YQ==:YQ=="} {
		if _, err := auth.ParseSCRAMSecret(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	built, _ := auth.NewSCRAMSecret("secret")
	if !built.Check("secret") || built.Check("Secret") {
		t.Fatal("Check")
	}
	again, err := auth.ParseSCRAMSecret(built.String())
	if err != nil || !again.Check("secret") {
		t.Fatalf("reparse: %v", err)
	}
}
