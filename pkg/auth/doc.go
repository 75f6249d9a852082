// Package auth holds authentication in both directions: pgpoold proving
// itself to backends (trust, password, md5, SCRAM-SHA-256), and clients
// proving themselves to pgpoold (pool_hba.conf, pool_passwd).
package auth
