package auth

import (
	"testing"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
	"github.com/pgpool-go/pgpool-go/pkg/auth"
)

// TestPassThrough: with enable_pool_hba off the client is asked the way
// the node asks (Pgpool's pool_do_auth).
func TestPassThrough(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		PoolPasswd: []string{
			md5User + ":" + auth.MD5Secret(md5User, md5Pass),
			scramUser + ":TEXT" + scramPass,
		},
	})
	t.Run("md5 node: md5 against pool_passwd", func(t *testing.T) {
		mustLogin(t, connString(p, md5User, md5Pass))
		_, err := login(t, connString(p, md5User, "wrong"))
		refused(t, err, "28P01", "md5 authentication failed")
	})
	t.Run("SCRAM node: SCRAM against pool_passwd", func(t *testing.T) {
		mustLogin(t, connString(p, scramUser, scramPass))
		_, err := login(t, connString(p, scramUser, "wrong"))
		refused(t, err, "28P01", "")
	})
	t.Run("clear-text node: clear text forwarded", func(t *testing.T) {
		mustLogin(t, connString(p, clearUser, clearPass))
		_, err := login(t, connString(p, clearUser, "wrong"))
		refused(t, err, "28P01", "")
	})
	t.Run("trusting node: no password asked", func(t *testing.T) {
		mustLogin(t, connString(p, certUser, ""))
	})
	t.Run("SCRAM node, no entry, no clear text allowed", func(t *testing.T) {
		_, err := login(t, connString(p, lateUser, latePass))
		refused(t, err, "28P01", `pool_passwd file does not contain an entry for "lateuser"`)
	})
	t.Run("allow_clear_text_frontend_auth after a reload", func(t *testing.T) {
		if err := p.Reload(map[string]string{"allow_clear_text_frontend_auth": "on"}); err != nil {
			t.Fatal(err)
		}
		pgcluster.Eventually(t, 20e9, 100e6, func() error {
			_, err := login(t, connString(p, lateUser, latePass))
			return err
		})
		_, err := login(t, connString(p, lateUser, "wrong"))
		refused(t, err, "28P01", "")
	})
}
