package auth

import (
	"crypto/md5"
	"encoding/hex"
)

// MD5Hex is the lower-case hex MD5 of s.
func MD5Hex(s []byte) string {
	sum := md5.Sum(s)
	return hex.EncodeToString(sum[:])
}

// MD5Secret is what pg_authid and pool_passwd store for md5 users:
// "md5" + md5(password + user).
func MD5Secret(user, password string) string {
	return "md5" + MD5Hex([]byte(password+user))
}

// MD5Response answers an AuthenticationMD5Password challenge given the
// stored secret ("md5…", without the prefix it is taken as a password).
func MD5Response(user, secretOrPassword string, salt []byte) string {
	inner := secretOrPassword
	if !isMD5Secret(inner) {
		inner = MD5Secret(user, inner)
	}
	return "md5" + MD5Hex(append([]byte(inner[3:]), salt...))
}

func isMD5Secret(s string) bool {
	if len(s) != 35 || s[:3] != "md5" {
		return false
	}
	for _, c := range s[3:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
