// Package auth holds authentication in both directions, as Pgpool-II does
// it (src/auth/pool_auth.c, pool_hba.c, pool_passwd.c, utils/pool_ssl.c):
//
//   - clients proving themselves to pgpoold: pool_hba.conf matching (hba.go),
//     pool_passwd entries of every kind (passwd.go), the exchanges with the
//     client (frontend.go: clear text, md5 with a fresh salt, SCRAM-SHA-256
//     server side with channel binding, client certificates);
//   - pgpoold proving itself to backends: md5 (md5.go) and the SCRAM client
//     (scram_client.go), used by pkg/backend;
//   - TLS setup from pgpool.conf's ssl_* parameters (tls_config.go,
//     ciphers.go, tls_key.go); the TLS transport itself is pkg/relay's.
//
// The policy (which exchange a session runs and when) is the session's:
// pkg/child/auth.go. Every error a client sees is a *relay.PgError from a
// named constructor in errors.go; nothing here panics on client input
// (FuzzSCRAMServer).
package auth
