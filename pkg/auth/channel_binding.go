package auth

import (
	"crypto"
	"crypto/x509"
	"errors"

	// The hashes a certificate signature may name.
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// TLSServerEndPoint is the tls-server-end-point channel binding data of a
// server certificate (RFC 5929 §4.1): its hash with the hash function of
// its signature algorithm, SHA-256 when that is MD5 or SHA-1. PostgreSQL
// offers SCRAM-SHA-256-PLUS only when it can compute this, and so do we:
// an Ed25519 certificate, for one, has no such hash.
func TLSServerEndPoint(cert *x509.Certificate) ([]byte, error) {
	var h crypto.Hash
	switch cert.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1,
		x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.ECDSAWithSHA256, x509.DSAWithSHA256:
		h = crypto.SHA256
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		h = crypto.SHA384
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		h = crypto.SHA512
	default:
		return nil, errors.New("auth: no tls-server-end-point hash for certificate signature algorithm " + cert.SignatureAlgorithm.String())
	}
	d := h.New()
	d.Write(cert.Raw)
	return d.Sum(nil), nil
}
