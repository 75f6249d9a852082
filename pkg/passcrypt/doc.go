// Package passcrypt implements Pgpool-II's password encodings and files: the
// md5 hex of pcp.conf, pool_passwd md5 and AES entries (with the key file
// pgpool and pg_enc read), and the in-place update of pool_passwd that
// pg_md5 -m and pg_enc -m perform (reference/pgpool-pcp-recovery-setup.md §2).
//
// The AES scheme must match Pgpool's src/utils/ssl_utils.c exactly, since a
// site moves its pool_passwd and key file over unchanged: AES-256-CBC with
// PKCS#7 padding, key and IV from OpenSSL's EVP_BytesToKey(SHA-1, no salt,
// one round) over the key string, base64 of the ciphertext after "AES".
package passcrypt
