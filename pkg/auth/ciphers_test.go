package auth_test

import (
	"crypto/tls"
	"slices"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
)

func suiteNames(ids []uint16) []string {
	var out []string
	for _, id := range ids {
		out = append(out, tls.CipherSuiteName(id))
	}
	return out
}

func TestCipherSuites(t *testing.T) {
	insecure := map[uint16]bool{}
	for _, s := range tls.InsecureCipherSuites() {
		insecure[s.ID] = true
	}
	cases := []struct {
		spec string
		n    int      // how many suites
		has  []uint16 // must contain
		not  []uint16 // must not contain
		err  bool
	}{
		{spec: "HIGH:MEDIUM:+3DES:!aNULL", n: 10}, // Pgpool's default: every secure TLS 1.2 suite Go has
		{spec: "ECDHE+AESGCM", n: 4, has: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}},
		{spec: "HIGH:!kRSA", n: 10},
		{spec: "HIGH:-AES128:ECDHE-RSA-AES128-SHA", n: 7, has: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}, not: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}},
		{spec: "HIGH:!AES128:ECDHE-RSA-AES128-SHA", n: 6, not: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}},
		{spec: "kRSA:AES128-SHA", err: true},
		{spec: "ECDHE-RSA-AES128-GCM-SHA256", n: 1, has: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}},
		{spec: "aECDSA+CHACHA20 ECDHE-RSA-CHACHA20-POLY1305", n: 2},
		{spec: "DEFAULT:@SECLEVEL=2", n: 10},
		{spec: "MEDIUM:3DES:RC4", err: true},
		{spec: "ALL:!ALL", err: true},
		{spec: "", err: true},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			got, _, err := auth.CipherSuites(c.spec)
			if c.err {
				if err == nil {
					t.Fatalf("no error; suites %v", suiteNames(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.n {
				t.Fatalf("%d suites %v, want %d", len(got), suiteNames(got), c.n)
			}
			for _, id := range got {
				if insecure[id] {
					t.Errorf("insecure suite %s enabled", tls.CipherSuiteName(id))
				}
			}
			for _, id := range c.has {
				if !slices.Contains(got, id) {
					t.Errorf("missing %s", tls.CipherSuiteName(id))
				}
			}
			for _, id := range c.not {
				if slices.Contains(got, id) {
					t.Errorf("has %s", tls.CipherSuiteName(id))
				}
			}
		})
	}
}

func TestCipherSuitesOrderAndWarnings(t *testing.T) {
	got, _, _ := auth.CipherSuites("AES128:AES256:+AES128")
	if tls.CipherSuiteName(got[0]) == "" || slices.Index(got, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) > slices.Index(got, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) {
		t.Fatalf("+AES128 did not move AES128 to the end: %v", suiteNames(got))
	}
	got, _, _ = auth.CipherSuites("AES128:AES256:@STRENGTH")
	if slices.Index(got, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) > slices.Index(got, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) {
		t.Fatalf("@STRENGTH did not sort 256-bit first: %v", suiteNames(got))
	}
	_, warns, err := auth.CipherSuites("HIGH:FANCYCIPHER")
	if err != nil || len(warns) != 1 {
		t.Fatalf("unknown word: %v %v", warns, err)
	}
}

func TestCurvePreferences(t *testing.T) {
	got, err := auth.CurvePreferences("prime256v1")
	if err != nil || !slices.Equal(got, []tls.CurveID{tls.CurveP256}) {
		t.Fatalf("%v %v", got, err)
	}
	got, err = auth.CurvePreferences("X25519:secp384r1")
	if err != nil || !slices.Equal(got, []tls.CurveID{tls.X25519, tls.CurveP384}) {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := auth.CurvePreferences("brainpoolP256r1"); err == nil {
		t.Fatal("unknown curve accepted")
	}
}
