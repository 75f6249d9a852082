package auth

import (
	"encoding/base64"
	"testing"
)

// RFC 7677 §3: user "user", password "pencil".
const (
	rfcClientNonce = "rOprNGfwEbeRWgbNEkqO"
	rfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	rfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
	rfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	rfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	rfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
)

func rfcSecret(t *testing.T) *SCRAMSecret {
	t.Helper()
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	sec, err := SCRAMSecretFor("pencil", salt, 4096)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func TestSCRAMClientRFC7677(t *testing.T) {
	c, err := NewSCRAMClient("pencil")
	if err != nil {
		t.Fatal(err)
	}
	c.username, c.nonce = "user", rfcClientNonce
	if got := string(c.First()); got != rfcClientFirst {
		t.Fatalf("client-first-message\n got %s\nwant %s", got, rfcClientFirst)
	}
	final, err := c.Final([]byte(rfcServerFirst))
	if err != nil {
		t.Fatal(err)
	}
	if string(final) != rfcClientFinal {
		t.Fatalf("client-final-message\n got %s\nwant %s", final, rfcClientFinal)
	}
	if err := c.Verify([]byte(rfcServerFinal)); err != nil {
		t.Fatalf("server-final-message rejected: %v", err)
	}
	for _, bad := range []string{"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", "v=", "e=invalid-proof", ""} {
		if err := c.Verify([]byte(bad)); err == nil {
			t.Fatalf("server-final-message %q was accepted", bad)
		}
	}
}

func TestSCRAMServerRFC7677(t *testing.T) {
	s := NewSCRAMServer("user", rfcSecret(t), nil)
	s.newNonce = func() (string, error) { return rfcServerNonce, nil }
	first, err := s.First(SCRAMSHA256, []byte(rfcClientFirst))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != rfcServerFirst {
		t.Fatalf("server-first-message\n got %s\nwant %s", first, rfcServerFirst)
	}
	final, err := s.Final([]byte(rfcClientFinal))
	if err != nil {
		t.Fatal(err)
	}
	if string(final) != rfcServerFinal {
		t.Fatalf("server-final-message\n got %s\nwant %s", final, rfcServerFinal)
	}
}

func TestSCRAMServerRFC7677WrongProof(t *testing.T) {
	s := NewSCRAMServer("user", rfcSecret(t), nil)
	s.newNonce = func() (string, error) { return rfcServerNonce, nil }
	if _, err := s.First(SCRAMSHA256, []byte(rfcClientFirst)); err != nil {
		t.Fatal(err)
	}
	bad := rfcClientFinal[:len(rfcClientFinal)-5] + "AAAA="
	_, err := s.Final([]byte(bad))
	if pe := asPgError(err); pe == nil || pe.Code != "28P01" {
		t.Fatalf("wrong proof: %v, want 28P01", err)
	}
}
