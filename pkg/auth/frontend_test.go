package auth_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
)

// scriptedClient is the client end of an exchange: answer gets each
// Authentication request and returns the client's reply ('p' message
// body), or nil to hang up.
type scriptedClient struct {
	answer func(code uint32, data []byte) []byte
	reply  []byte
	sent   []uint32
}

func (c *scriptedClient) Send(msg []byte) error {
	if msg[0] != 'R' || int(binary.BigEndian.Uint32(msg[1:5])) != len(msg)-1 {
		return errors.New("bad Authentication message")
	}
	code := binary.BigEndian.Uint32(msg[5:9])
	c.sent = append(c.sent, code)
	if code == auth.ReqSASLFinal {
		return nil
	}
	c.reply = c.answer(code, msg[9:])
	return nil
}

func (c *scriptedClient) Receive() ([]byte, error) {
	if c.reply == nil {
		return nil, io.EOF
	}
	m := append([]byte{'p', 0, 0, 0, 0}, c.reply...)
	binary.BigEndian.PutUint32(m[1:], uint32(len(m)-1))
	return m, nil
}

func cstring(s string) []byte { return append([]byte(s), 0) }

func TestAskPassword(t *testing.T) {
	c := &scriptedClient{answer: func(code uint32, _ []byte) []byte { return cstring("pw") }}
	pw, err := auth.AskPassword(c)
	if err != nil || pw != "pw" || c.sent[0] != auth.ReqCleartext {
		t.Fatalf("got %q, %v, sent %v", pw, err, c.sent)
	}
	bad := &scriptedClient{answer: func(uint32, []byte) []byte { return []byte("no nul") }}
	if _, err := auth.AskPassword(bad); pgCode(err) != "08P01" {
		t.Fatalf("unterminated password: %v", err)
	}
	gone := &scriptedClient{answer: func(uint32, []byte) []byte { return nil }}
	if _, err := auth.AskPassword(gone); !errors.Is(err, io.EOF) {
		t.Fatalf("client gone: %v", err)
	}
}

func TestChallengeMD5(t *testing.T) {
	secret := auth.MD5Secret("alice", "secret")
	for _, c := range []struct {
		password, code string
	}{{"secret", ""}, {"wrong", "28P01"}} {
		var salt []byte
		cl := &scriptedClient{answer: func(code uint32, data []byte) []byte {
			salt = append([]byte(nil), data...)
			return cstring(auth.MD5Response("alice", c.password, data))
		}}
		err := auth.ChallengeMD5(cl, secret)
		if pgCode(err) != c.code || (c.code == "" && err != nil) {
			t.Fatalf("password %q: %v, want SQLSTATE %q", c.password, err, c.code)
		}
		if cl.sent[0] != auth.ReqMD5 || len(salt) != 4 {
			t.Fatalf("request %v salt %x", cl.sent, salt)
		}
	}
	// Two challenges use different salts (a replayed answer fails).
	var salts [][]byte
	for i := 0; i < 2; i++ {
		cl := &scriptedClient{answer: func(_ uint32, data []byte) []byte {
			salts = append(salts, append([]byte(nil), data...))
			return cstring("md5")
		}}
		auth.ChallengeMD5(cl, secret)
	}
	if bytes.Equal(salts[0], salts[1]) {
		t.Fatal("the same salt twice")
	}
}

// scramClient answers ServeSCRAM with our SCRAM client.
func scramClient(t *testing.T, password string, bind []byte) *scriptedClient {
	cl, err := auth.NewSCRAMClient(password)
	if err != nil {
		t.Fatal(err)
	}
	if bind != nil {
		cl.BindChannel(bind)
	}
	return &scriptedClient{answer: func(code uint32, data []byte) []byte {
		switch code {
		case auth.ReqSASL:
			first := cl.First()
			b := cstring(cl.Mechanism())
			b = binary.BigEndian.AppendUint32(b, uint32(len(first)))
			return append(b, first...)
		case auth.ReqSASLContinue:
			final, err := cl.Final(data)
			if err != nil {
				t.Fatal(err)
			}
			return final
		}
		return nil
	}}
}

func TestServeSCRAM(t *testing.T) {
	secret, _ := auth.NewSCRAMSecret("secret")
	cb := bytes.Repeat([]byte{1}, 32)
	if err := auth.ServeSCRAM(scramClient(t, "secret", nil), "alice", secret, nil); err != nil {
		t.Fatal(err)
	}
	if err := auth.ServeSCRAM(scramClient(t, "secret", cb), "alice", secret, cb); err != nil {
		t.Fatal(err)
	}
	c := scramClient(t, "wrong", nil)
	if err := auth.ServeSCRAM(c, "alice", secret, nil); pgCode(err) != "28P01" {
		t.Fatalf("wrong password: %v", err)
	}
	if c.sent[len(c.sent)-1] == auth.ReqSASLFinal {
		t.Fatal("SASLFinal sent for a wrong password")
	}
}

func TestParseSASLInitialResponse(t *testing.T) {
	ok := append(cstring("SCRAM-SHA-256"), 0, 0, 0, 3, 'a', 'b', 'c')
	m, d, err := auth.ParseSASLInitialResponse(ok)
	if err != nil || m != "SCRAM-SHA-256" || string(d) != "abc" {
		t.Fatalf("%q %q %v", m, d, err)
	}
	for name, b := range map[string][]byte{
		"no nul":         []byte("SCRAM"),
		"no length":      cstring("SCRAM-SHA-256"),
		"length too big": append(cstring("SCRAM-SHA-256"), 0, 0, 0, 9, 'a'),
		"negative":       append(cstring("SCRAM-SHA-256"), 0xff, 0xff, 0xff, 0xfe),
	} {
		if _, _, err := auth.ParseSASLInitialResponse(b); pgCode(err) != "08P01" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckCert(t *testing.T) {
	leaf := &x509.Certificate{Subject: pkix.Name{CommonName: "alice"}}
	verified := &tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}, VerifiedChains: [][]*x509.Certificate{{leaf}}}
	if err := auth.CheckCert(verified, "alice"); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		st   *tls.ConnectionState
		user string
	}{
		"no TLS":                    {nil, "alice"},
		"no certificate":            {&tls.ConnectionState{}, "alice"},
		"not verified":              {&tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}}, "alice"},
		"other user":                {verified, "bob"},
		"case differs (PostgreSQL)": {verified, "Alice"},
	} {
		if err := auth.CheckCert(c.st, c.user); pgCode(err) != "28000" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
