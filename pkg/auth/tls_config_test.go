package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// pki is a test CA with helpers to issue certificates and CRLs.
type pki struct {
	t    *testing.T
	dir  string
	ca   *x509.Certificate
	key  *ecdsa.PrivateKey
	next int64
}

func newPKI(t *testing.T) *pki {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	p := &pki{t: t, dir: t.TempDir(), ca: ca, key: key, next: 2}
	p.write("ca.crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	return p
}

func (p *pki) write(name string, data []byte, perm os.FileMode) string {
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, data, perm); err != nil {
		p.t.Fatal(err)
	}
	os.Chmod(path, perm)
	return path
}

// issue writes name.crt and name.key; server certificates get
// localhost, client certificates their CN.
func (p *pki) issue(name, cn string, client bool) (*x509.Certificate, tls.Certificate) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(p.next), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature}
	p.next++
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames, tmpl.IPAddresses = []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.key)
	if err != nil {
		p.t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	p.write(name+".crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	p.write(name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	c, _ := x509.ParseCertificate(der)
	return c, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: c}
}

func (p *pki) crl(name string, revoked ...*x509.Certificate) string {
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(time.Hour)}
	for _, c := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: time.Now()})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, p.ca, p.key)
	if err != nil {
		p.t.Fatal(err)
	}
	return p.write(name, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644)
}

// socketPair is a connected pair of buffered sockets (net.Pipe is not
// buffered, and both TLS 1.3 peers write at once during the handshake).
func socketPair(t *testing.T) (net.Conn, net.Conn) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) net.Conn {
		f := os.NewFile(uintptr(fd), "pair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return conn(fds[0]), conn(fds[1])
}

func sslConfig(dir string, kv map[string]string) *config.Config {
	c := config.Default()
	c.Dir = dir
	c.Ssl = true
	c.SslCert, c.SslKey = "server.crt", "server.key"
	for k, v := range kv {
		switch k {
		case "ssl_cert":
			c.SslCert = v
		case "ssl_key":
			c.SslKey = v
		case "ssl_ca_cert":
			c.SslCaCert = v
		case "ssl_crl_file":
			c.SslCrlFile = v
		case "ssl_passphrase_command":
			c.SslPassphraseCommand = v
		case "ssl_dh_params_file":
			c.SslDhParamsFile = v
		case "ssl_ciphers":
			c.SslCiphers = v
		}
	}
	return c
}

// handshake runs a TLS handshake between st's config and a client with
// the given certificate (nil: none); it returns the server's error.
func handshake(t *testing.T, st *auth.ServerTLS, roots *x509.CertPool, cert *tls.Certificate) (tls.ConnectionState, error) {
	a, b := socketPair(t)
	defer a.Close()
	defer b.Close()
	cc := &tls.Config{RootCAs: roots, ServerName: "localhost"}
	if cert != nil {
		cc.Certificates = []tls.Certificate{*cert}
	}
	cerr := make(chan error, 1)
	go func() {
		b.SetDeadline(time.Now().Add(10 * time.Second))
		c := tls.Client(b, cc)
		err := c.Handshake()
		if err == nil {
			// TLS 1.3: the server checks the client certificate after
			// the client's Finished; read to see its verdict.
			_, err = c.Read(make([]byte, 1))
		}
		cerr <- err
		b.Close()
	}()
	srv := tls.Server(a, st.Config)
	a.SetDeadline(time.Now().Add(10 * time.Second))
	err := srv.Handshake()
	if err == nil {
		srv.Write([]byte{1})
	}
	if e := <-cerr; e != nil {
		if err == nil {
			err = e
		}
	}
	return srv.ConnectionState(), err
}

func TestServerTLS(t *testing.T) {
	p := newPKI(t)
	p.issue("server", "localhost", false)
	st, err := auth.NewServerTLS(sslConfig(p.dir, nil))
	if err != nil {
		t.Fatal(err)
	}
	c := st.Config
	if c.MinVersion != tls.VersionTLS12 || c.ClientAuth != tls.NoClientCert || !c.SessionTicketsDisabled || c.NextProtos[0] != "postgresql" {
		t.Fatalf("config %+v", c)
	}
	if len(st.EndPoint) != 32 {
		t.Fatalf("tls-server-end-point of an ECDSA-SHA256 certificate: %x", st.EndPoint)
	}
	roots := x509.NewCertPool()
	roots.AddCert(p.ca)
	if _, err := handshake(t, st, roots, nil); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	// TLS 1.1 clients are refused.
	a, b := socketPair(t)
	defer a.Close()
	defer b.Close()
	go tls.Client(b, &tls.Config{RootCAs: roots, ServerName: "localhost", MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}).Handshake()
	a.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tls.Server(a, st.Config).Handshake(); err == nil || !strings.Contains(err.Error(), "version") {
		t.Fatalf("a TLS 1.1 client: %v, want a protocol version error", err)
	}
}

func TestServerTLSCADirectory(t *testing.T) {
	p := newPKI(t)
	p.issue("server", "localhost", false)
	_, alice := p.issue("alice", "alice", true)
	dir := filepath.Join(p.dir, "cas")
	os.Mkdir(dir, 0o755)
	data, _ := os.ReadFile(filepath.Join(p.dir, "ca.crt"))
	os.WriteFile(filepath.Join(dir, "0a1b2c3d.0"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "README"), []byte("not a certificate"), 0o644)
	c := sslConfig(p.dir, nil)
	c.SslCaCertDir = "cas" // relative to pgpool.conf's directory
	st, err := auth.NewServerTLS(c)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(p.ca)
	cs, err := handshake(t, st, roots, &alice)
	if err != nil || len(cs.VerifiedChains) == 0 {
		t.Fatalf("client certificate through ssl_ca_cert_dir: %v", err)
	}
	c.SslCaCertDir = "nope"
	if _, err := auth.NewServerTLS(c); err == nil {
		t.Fatal("a missing ssl_ca_cert_dir was accepted")
	}
}

func TestServerTLSClientCertificates(t *testing.T) {
	p := newPKI(t)
	p.issue("server", "localhost", false)
	good, goodPair := p.issue("alice", "alice", true)
	bad, badPair := p.issue("mallory", "mallory", true)
	_ = good
	crl := p.crl("root.crl", bad)
	st, err := auth.NewServerTLS(sslConfig(p.dir, map[string]string{"ssl_ca_cert": "ca.crt", "ssl_crl_file": crl}))
	if err != nil {
		t.Fatal(err)
	}
	if st.Config.ClientAuth != tls.VerifyClientCertIfGiven {
		t.Fatalf("ClientAuth %v", st.Config.ClientAuth)
	}
	roots := x509.NewCertPool()
	roots.AddCert(p.ca)
	cs, err := handshake(t, st, roots, &goodPair)
	if err != nil || len(cs.VerifiedChains) == 0 || auth.CheckCert(&cs, "alice") != nil {
		t.Fatalf("valid client certificate: %v", err)
	}
	if _, err := handshake(t, st, roots, &badPair); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("revoked certificate: %v", err)
	}
	if cs, err := handshake(t, st, roots, nil); err != nil || len(cs.PeerCertificates) != 0 {
		t.Fatalf("no client certificate must still connect (pool_hba decides): %v", err)
	}
	// A certificate of another CA does not verify.
	other := newPKI(t)
	_, otherPair := other.issue("eve", "alice", true)
	if _, err := handshake(t, st, roots, &otherPair); err == nil {
		t.Fatal("certificate of an unknown CA accepted")
	}
	// With a CRL file that has no CRL of our CA, nothing verifies
	// (OpenSSL's CRL_CHECK_ALL, as Pgpool sets it).
	foreign := other.crl("foreign.crl")
	st2, err := auth.NewServerTLS(sslConfig(p.dir, map[string]string{"ssl_ca_cert": "ca.crt", "ssl_crl_file": foreign}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := handshake(t, st2, roots, &goodPair); err == nil || !strings.Contains(err.Error(), "CRL") {
		t.Fatalf("no CRL of the issuer: %v", err)
	}
}

func TestServerTLSEncryptedKeys(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"pkcs8-enc", "legacy-enc"} {
		for _, ext := range []string{".crt", ".key"} {
			data, err := os.ReadFile(filepath.Join("testdata", name+ext))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, name+ext), data, 0o600)
		}
		t.Run(name, func(t *testing.T) {
			kv := map[string]string{"ssl_cert": name + ".crt", "ssl_key": name + ".key"}
			if _, err := auth.NewServerTLS(sslConfig(dir, kv)); err == nil || !strings.Contains(err.Error(), "requires a passphrase") {
				t.Fatalf("without ssl_passphrase_command: %v", err)
			}
			kv["ssl_passphrase_command"] = "echo s3cret # prompt: %p"
			st, err := auth.NewServerTLS(sslConfig(dir, kv))
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Config.Certificates) != 1 {
				t.Fatal("no certificate")
			}
			kv["ssl_passphrase_command"] = "echo wrong"
			if _, err := auth.NewServerTLS(sslConfig(dir, kv)); err == nil {
				t.Fatal("a wrong passphrase worked")
			}
			kv["ssl_passphrase_command"] = "exit 3"
			if _, err := auth.NewServerTLS(sslConfig(dir, kv)); err == nil || !strings.Contains(err.Error(), "failed") {
				t.Fatalf("failing command: %v", err)
			}
		})
	}
}

func TestServerTLSProblems(t *testing.T) {
	p := newPKI(t)
	p.issue("server", "localhost", false)
	p.issue("other", "localhost", false)
	cases := map[string]struct {
		kv   map[string]string
		err  string
		warn string
	}{
		"missing cert":          {kv: map[string]string{"ssl_cert": "nope.crt"}, err: "could not load server certificate"},
		"key of another cert":   {kv: map[string]string{"ssl_key": "other.key"}, err: "check of private key failed"},
		"bad ciphers":           {kv: map[string]string{"ssl_ciphers": "RC4"}, err: "no cipher match"},
		"dh params are ignored": {kv: map[string]string{"ssl_dh_params_file": "dh.pem"}, warn: "ssl_dh_params_file is ignored"},
		"missing CRL":           {kv: map[string]string{"ssl_crl_file": "none.crl"}, err: "revocation list"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			st, err := auth.NewServerTLS(sslConfig(p.dir, c.kv))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(st.Warnings, "\n"), c.warn) {
				t.Fatalf("warnings %q, want %q", st.Warnings, c.warn)
			}
		})
	}
	os.Chmod(filepath.Join(p.dir, "server.key"), 0o644)
	st, err := auth.NewServerTLS(sslConfig(p.dir, nil))
	if err != nil || !strings.Contains(strings.Join(st.Warnings, "\n"), "group or world access") {
		t.Fatalf("world-readable key: %v %q", err, st.Warnings)
	}
}

func TestBackendTLS(t *testing.T) {
	p := newPKI(t)
	_, serverPair := p.issue("server", "db.example", false)
	serve := func(c *tls.Config) error {
		a, b := socketPair(t)
		defer a.Close()
		defer b.Close()
		go tls.Server(a, &tls.Config{Certificates: []tls.Certificate{serverPair}}).Handshake()
		b.SetDeadline(time.Now().Add(10 * time.Second))
		return tls.Client(b, c).Handshake()
	}
	c, err := auth.BackendTLS(sslConfig(p.dir, nil))
	if err != nil || serve(c) != nil {
		t.Fatalf("without a CA any certificate goes (Pgpool): %v", err)
	}
	c, err = auth.BackendTLS(sslConfig(p.dir, map[string]string{"ssl_ca_cert": "ca.crt"}))
	if err != nil || serve(c) != nil {
		t.Fatalf("a certificate of our CA (host name not checked, as Pgpool): %v", err)
	}
	other := newPKI(t)
	c, err = auth.BackendTLS(sslConfig(p.dir, map[string]string{"ssl_ca_cert": filepath.Join(other.dir, "ca.crt")}))
	if err != nil {
		t.Fatal(err)
	}
	if err := serve(c); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("a certificate of another CA: %v", err)
	}
}
