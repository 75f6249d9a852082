package auth

import (
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
	"github.com/pgpool-go/pgpool-go/pkg/auth"
)

// TestPoolHBAWithPoolPasswd: md5 and scram-sha-256 users log in through
// pool_hba.conf lines of both methods, with md5 and TEXT pool_passwd
// entries, with pgx and psql; wrong passwords fail with 28P01.
func TestPoolHBAWithPoolPasswd(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		HBA: hbaWith(
			"host all md5user   127.0.0.1/32 md5",
			"host all scramuser 127.0.0.1/32 scram-sha-256",
			"host all clearuser 127.0.0.1/32 md5",
		),
		PoolPasswd: []string{
			md5User + ":" + auth.MD5Secret(md5User, md5Pass),
			scramUser + ":TEXT" + scramPass,
			clearUser + ":" + clearPass, // plain text, no prefix
		},
	})
	cases := []struct {
		name, user, password string
	}{
		{"md5 line, md5 entry, md5 node", md5User, md5Pass},
		{"scram line, TEXT entry, SCRAM node", scramUser, scramPass},
		{"md5 line, plain entry, clear-text node", clearUser, clearPass},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mustLogin(t, connString(p, c.user, c.password))
			_, err := login(t, connString(p, c.user, c.password+"x"))
			refused(t, err, "28P01", "")
			out, err := psql(t, connString(p, c.user, c.password), "-c", "select current_user")
			if err != nil || strings.TrimSpace(out) != c.user {
				t.Fatalf("psql: %v\n%s", err, out)
			}
			out, err = psql(t, connString(p, c.user, "wrong"), "-c", "select 1")
			if err == nil || !strings.Contains(out, "authentication failed") {
				t.Fatalf("psql with a wrong password: %v\n%s", err, out)
			}
		})
	}
	t.Run("a user without a line", func(t *testing.T) {
		_, err := login(t, connString(p, "nobody", "x"))
		refused(t, err, "28000", "no pool_hba.conf entry")
	})
}

// TestPoolHBAReject: reject lines refuse with 28000, no matching line gives
// Pgpool's message, hostssl lines refuse clients without TLS.
func TestPoolHBAReject(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		Params: sslParams("pgpool", nil),
		HBA: hbaWith(
			"host    all  md5user   127.0.0.1/32 reject",
			"hostssl all  scramuser 127.0.0.1/32 scram-sha-256",
		),
		PoolPasswd: []string{scramUser + ":TEXT" + scramPass},
	})
	_, err := login(t, connString(p, md5User, md5Pass))
	refused(t, err, "28000", `pool_hba.conf rejects connection for host "127.0.0.1", user "md5user", database "test", SSL off`)

	_, err = login(t, connString(p, clearUser, clearPass))
	refused(t, err, "28000", `no pool_hba.conf entry for host "127.0.0.1", user "clearuser", database "test", SSL off`)

	_, err = login(t, connString(p, scramUser, scramPass))
	refused(t, err, "28000", `no pool_hba.conf entry for host "127.0.0.1", user "scramuser", database "test", SSL off`)
	mustLogin(t, connString(p, scramUser, scramPass, "sslmode=require"))

	out, err := psql(t, connString(p, scramUser, scramPass, "sslmode=disable"), "-c", "select 1")
	if err == nil || !strings.Contains(out, "no pool_hba.conf entry") {
		t.Fatalf("psql without TLS on a hostssl line: %v\n%s", err, out)
	}
}

// TestPoolHBAClearTextLine: a password line asks in clear text; with a
// pool_passwd entry pgpoold checks it, without one the node does.
func TestPoolHBAClearTextLine(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		HBA:        hbaWith("host all all 127.0.0.1/32 password"),
		PoolPasswd: []string{md5User + ":" + auth.MD5Secret(md5User, md5Pass)},
	})
	mustLogin(t, connString(p, md5User, md5Pass))
	_, err := login(t, connString(p, md5User, "wrong"))
	refused(t, err, "28P01", "")
	// scramuser has no entry: its clear text goes to the node (SCRAM), or
	// is compared with the one the node accepted when a cached connection
	// is reused.
	mustLogin(t, connString(p, scramUser, scramPass))
	_, err = login(t, connString(p, scramUser, "wrong"))
	refused(t, err, "28P01", "")
	mustLogin(t, connString(p, scramUser, scramPass))
}

// TestPoolHBAUnixSocket: local lines apply to the unix socket.
func TestPoolHBAUnixSocket(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		HBA: hbaWith(
			"local all md5user md5",
			"local all all     reject",
		),
		PoolPasswd: []string{md5User + ":" + auth.MD5Secret(md5User, md5Pass)},
	})
	sock := "host=" + p.SocketDir() + " port=" + itoa(p.Port()) + " dbname=" + pgcluster.Database
	out, err := psql(t, sock+" user="+md5User+" password='"+md5Pass+"'", "-c", "select current_user")
	if err != nil || strings.TrimSpace(out) != md5User {
		t.Fatalf("md5 over the unix socket: %v\n%s", err, out)
	}
	out, err = psql(t, sock+" user="+scramUser+" password=x", "-c", "select 1")
	if err == nil || !strings.Contains(out, `pool_hba.conf rejects connection for host "[local]"`) {
		t.Fatalf("reject over the unix socket: %v\n%s", err, out)
	}
}
