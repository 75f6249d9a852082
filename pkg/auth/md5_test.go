package auth_test

import (
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
)

func TestMD5(t *testing.T) {
	// pg_authid.rolpassword of PostgreSQL 15 for CREATE ROLE bob PASSWORD
	// 'secret' and carol PASSWORD 'sécrét' (md5 hashes the raw bytes).
	if got := auth.MD5Secret("bob", "secret"); got != "md521f3163f8f86fa10bdefbfbd502a8f06" {
		t.Fatalf("MD5Secret = %s", got)
	}
	if got := auth.MD5Secret("carol", "sécrét"); got != "md50d7b077cc0452dd8c36d53c7ba768673" {
		t.Fatalf("MD5Secret = %s", got)
	}
	// libpq's answer to salt 01020304 for alice/secret:
	// "md5" + md5(md5("secretalice") + salt).
	salt := []byte{1, 2, 3, 4}
	want := "md598a0412b9c31436fc53776e863350083"
	if got := auth.MD5Response("alice", "secret", salt); got != want {
		t.Fatalf("from the password: %s", got)
	}
	if got := auth.MD5Response("alice", "md54a0a68b43b6cd5cf266fa02f196e2371", salt); got != want {
		t.Fatalf("from the md5 secret: %s", got)
	}
}
