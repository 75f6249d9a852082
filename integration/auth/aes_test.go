package auth

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// pgEnc makes an AES pool_passwd entry with Pgpool-II's own pg_enc
// (Debian's pgpool2), so the test checks compatibility with the files
// sites already have.
func pgEnc(t *testing.T, key, password string) string {
	t.Helper()
	out, err := exec.Command("/usr/sbin/pg_enc", "-K", key, password).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_enc: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if e, ok := strings.CutPrefix(l, "pool_passwd string: "); ok {
			return e
		}
	}
	t.Fatalf("pg_enc printed no pool_passwd string:\n%s", out)
	return ""
}

// TestAESEntries: AES entries made by pg_enc, decrypted with the key file
// given with -k, serve scram-sha-256 and md5 lines and SCRAM nodes.
func TestAESEntries(t *testing.T) {
	cluster.Reset(t)
	const key = "pgpool-go test key"
	if err := certs.write("pgpoolkey", []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	entries := []string{
		scramUser + ":" + pgEnc(t, key, scramPass),
		md5User + ":" + pgEnc(t, key, md5Pass),
	}
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		HBA:        hbaWith("host all scramuser 127.0.0.1/32 scram-sha-256", "host all md5user 127.0.0.1/32 md5"),
		PoolPasswd: entries,
		ExtraArgs:  []string{"-k", certs.path("pgpoolkey")},
	})
	mustLogin(t, connString(p, scramUser, scramPass))
	_, err := login(t, connString(p, scramUser, "wrong"))
	refused(t, err, "28P01", "")
	mustLogin(t, connString(p, md5User, md5Pass))
	_, err = login(t, connString(p, md5User, "wrong"))
	refused(t, err, "28P01", "md5 authentication failed")

	// pool_hba off: the SCRAM node's method is passed through, with the
	// password decrypted for both sides.
	off := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		PoolPasswd: entries,
		ExtraArgs:  []string{"-k", certs.path("pgpoolkey")},
	})
	mustLogin(t, connString(off, scramUser, scramPass))

	// Without the key, Pgpool's message.
	nokey := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		HBA:        hbaWith("host all scramuser 127.0.0.1/32 scram-sha-256"),
		PoolPasswd: entries,
		ExtraArgs:  []string{"-k", certs.path("no-such-key")},
	})
	_, err = login(t, connString(nokey, scramUser, scramPass))
	refused(t, err, "28000", "unable to decrypt password from pool_passwd")
}
