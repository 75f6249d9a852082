// Package auth holds the integration tests of client authentication and
// TLS (issue #5): pgpoold in front of a real PostgreSQL 15 cluster whose
// nodes ask for md5, SCRAM and clear-text passwords and require TLS for
// some users, with real clients (pgx and psql).
//
// The tests share one cluster (TestMain); each starts the pgpoold it needs
// with its own pool_hba.conf, pool_passwd and ssl_* settings. Certificates
// are made by the test with crypto/x509: a CA, server certificates for the
// nodes and for pgpoold, and client certificates.
package auth
