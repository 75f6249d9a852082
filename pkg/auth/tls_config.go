package auth

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// ALPN is the protocol name PostgreSQL 17 negotiates over TLS; a direct
// TLS connection (sslnegotiation=direct) must use it.
const ALPN = "postgresql"

// ServerTLS is the TLS setup for clients, built from pgpool.conf's ssl_*
// parameters at child start and at every reload (so renewed certificates
// are picked up without a restart).
type ServerTLS struct {
	Config *tls.Config
	// EndPoint is the tls-server-end-point channel binding data of our
	// certificate, nil when it cannot be computed (then
	// SCRAM-SHA-256-PLUS is not offered).
	EndPoint []byte
	// Warnings are what the operator should hear about (ignored
	// parameters, an unprotected key file).
	Warnings []string
}

// NewServerTLS builds the client-side TLS setup (Pgpool's
// SSL_ServerSide_init). Paths are relative to pgpool.conf's directory.
//
// Where Go differs from OpenSSL: TLS 1.2 is the minimum; ssl_ciphers
// chooses only TLS 1.2 suites (see CipherSuites); ssl_prefer_server_ciphers
// has no effect (Go orders suites itself); ssl_dh_params_file is ignored
// because Go implements no finite-field DHE suite (ECDHE is always used);
// session tickets are off, as in Pgpool.
func NewServerTLS(cfg *config.Config) (*ServerTLS, error) {
	st := &ServerTLS{}
	if cfg.SslCert == "" || cfg.SslKey == "" {
		return nil, errors.New("ssl = on but ssl_cert or ssl_key is not set")
	}
	certPath, keyPath := resolve(cfg, cfg.SslCert), resolve(cfg, cfg.SslKey)
	chain, err := loadCertChain(certPath)
	if err != nil {
		return nil, err
	}
	key, warnings, err := loadPrivateKey(keyPath, cfg.SslPassphraseCommand)
	st.Warnings = append(st.Warnings, warnings...)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return nil, fmt.Errorf("could not load server certificate file %q: %w", certPath, err)
	}
	if !publicKeysEqual(leaf.PublicKey, key.Public()) {
		return nil, fmt.Errorf("check of private key failed: %q does not match the certificate in %q", keyPath, certPath)
	}
	if ep, err := TLSServerEndPoint(leaf); err == nil {
		st.EndPoint = ep
	} else {
		st.Warnings = append(st.Warnings, "SCRAM-SHA-256-PLUS is not offered: "+err.Error())
	}
	suites, warnings, err := CipherSuites(cfg.SslCiphers)
	st.Warnings = append(st.Warnings, warnings...)
	if err != nil {
		return nil, err
	}
	curves, err := CurvePreferences(cfg.SslEcdhCurve)
	if err != nil {
		return nil, err
	}
	if cfg.SslDhParamsFile != "" {
		st.Warnings = append(st.Warnings, "ssl_dh_params_file is ignored: Go's TLS has no finite-field DHE cipher suites (ECDHE is used)")
	}
	c := &tls.Config{
		Certificates:           []tls.Certificate{{Certificate: chain, PrivateKey: key, Leaf: leaf}},
		MinVersion:             tls.VersionTLS12,
		CipherSuites:           suites,
		CurvePreferences:       curves,
		SessionTicketsDisabled: true,
		NextProtos:             []string{ALPN},
	}
	roots, err := caPool(cfg)
	if err != nil {
		return nil, err
	}
	if roots != nil {
		// Ask for a client certificate and verify one if sent, but do not
		// require it: pool_hba.conf's cert lines decide (Pgpool's
		// SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE).
		c.ClientCAs = roots
		c.ClientAuth = tls.VerifyClientCertIfGiven
	}
	if cfg.SslCrlFile != "" {
		crls, err := loadCRLs(resolve(cfg, cfg.SslCrlFile))
		if err != nil {
			return nil, err
		}
		c.VerifyPeerCertificate = func(_ [][]byte, chains [][]*x509.Certificate) error {
			return checkRevocation(chains, crls, time.Now())
		}
	}
	st.Config = c
	return st, nil
}

// BackendTLS is the TLS setup towards backends (Pgpool's
// pool_ssl_negotiate_clientserver): any certificate is accepted, unless
// ssl_ca_cert or ssl_ca_cert_dir is set, then the chain must verify
// against them (Pgpool's SSL_VERIFY_PEER, which does not check the host
// name either).
func BackendTLS(cfg *config.Config) (*tls.Config, error) {
	suites, _, err := CipherSuites(cfg.SslCiphers)
	if err != nil {
		return nil, err
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: suites, InsecureSkipVerify: true}
	roots, err := caPool(cfg)
	if err != nil {
		return nil, err
	}
	if roots != nil {
		c.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("the backend sent no certificate")
			}
			certs := make([]*x509.Certificate, len(raw))
			for i, r := range raw {
				c, err := x509.ParseCertificate(r)
				if err != nil {
					return fmt.Errorf("backend certificate: %w", err)
				}
				certs[i] = c
			}
			inter := x509.NewCertPool()
			for _, c := range certs[1:] {
				inter.AddCert(c)
			}
			_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			if err != nil {
				return fmt.Errorf("backend certificate does not verify against ssl_ca_cert: %w", err)
			}
			return nil
		}
	}
	return c, nil
}

func resolve(cfg *config.Config, p string) string {
	if p == "" || filepath.IsAbs(p) || cfg.Dir == "" {
		return p
	}
	return filepath.Join(cfg.Dir, p)
}

func loadCertChain(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not load server certificate file %q: %w", path, err)
	}
	var chain [][]byte
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			chain = append(chain, b.Bytes)
		}
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("could not load server certificate file %q: no PEM certificate found", path)
	}
	return chain, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(x crypto.PublicKey) bool }
	if e, ok := a.(equaler); ok {
		return e.Equal(b)
	}
	return false
}

// caPool loads ssl_ca_cert and every certificate in ssl_ca_cert_dir; nil
// when neither is set.
func caPool(cfg *config.Config) (*x509.CertPool, error) {
	if cfg.SslCaCert == "" && cfg.SslCaCertDir == "" {
		return nil, nil
	}
	pool := x509.NewCertPool()
	n := 0
	if cfg.SslCaCert != "" {
		path := resolve(cfg, cfg.SslCaCert)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("could not load root certificate file %q: %w", path, err)
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("could not load root certificate file %q: no PEM certificate found", path)
		}
		n++
	}
	if cfg.SslCaCertDir != "" {
		dir := resolve(cfg, cfg.SslCaCertDir)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("could not read ssl_ca_cert_dir %q: %w", dir, err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil && pool.AppendCertsFromPEM(data) {
				n++
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("no CA certificate found in ssl_ca_cert_dir %q", cfg.SslCaCertDir)
	}
	return pool, nil
}

func loadCRLs(path string) ([]*x509.RevocationList, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not load SSL certificate revocation list file %q: %w", path, err)
	}
	var crls []*x509.RevocationList
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		crl, err := x509.ParseRevocationList(data)
		if err != nil {
			return nil, fmt.Errorf("could not load SSL certificate revocation list file %q: %w", path, err)
		}
		return append(crls, crl), nil
	}
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "X509 CRL" {
			continue
		}
		crl, err := x509.ParseRevocationList(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("could not load SSL certificate revocation list file %q: %w", path, err)
		}
		crls = append(crls, crl)
	}
	if len(crls) == 0 {
		return nil, fmt.Errorf("could not load SSL certificate revocation list file %q: no CRL found", path)
	}
	return crls, nil
}

// checkRevocation checks a verified client chain against the CRLs as
// OpenSSL does with X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL
// (what Pgpool and PostgreSQL set): every certificate below the root needs
// a current CRL signed by its issuer, and must not be on it.
func checkRevocation(chains [][]*x509.Certificate, crls []*x509.RevocationList, now time.Time) error {
	if len(chains) == 0 {
		return nil // no client certificate: nothing to revoke
	}
	var last error
	for _, chain := range chains {
		if err := checkChain(chain, crls, now); err != nil {
			last = err
			continue
		}
		return nil
	}
	if last == nil {
		last = errors.New("no verified certificate chain")
	}
	return last
}

func checkChain(chain []*x509.Certificate, crls []*x509.RevocationList, now time.Time) error {
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		var crl *x509.RevocationList
		for _, c := range crls {
			if bytes.Equal(c.RawIssuer, issuer.RawSubject) && c.CheckSignatureFrom(issuer) == nil {
				crl = c
				break
			}
		}
		if crl == nil {
			return fmt.Errorf("unable to get certificate CRL for %q", cert.Subject.String())
		}
		if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
			return fmt.Errorf("CRL has expired (issuer %q)", issuer.Subject.String())
		}
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber != nil && e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
				return fmt.Errorf("certificate revoked: %q (serial %s)", cert.Subject.String(), cert.SerialNumber)
			}
		}
	}
	return nil
}
