package auth

import (
	"github.com/jackc/pgx/v5"
	"testing"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
	"github.com/pgpool-go/pgpool-go/pkg/auth"
)

// cachedThenWrong is the case of Pgpool-II's 2025 bug (CVE-2025-46801):
// client A logs in as user with the right password and disconnects, its
// backend connection stays cached in the only child; client B connects as
// the same user with a wrong password to the same child and must be
// refused; client C with the right password then gets A's cached backend
// connection (same backend pid), so B was checked against the cached
// connection, and its failure did not spoil the pool. The pgpools run with
// load_balance_mode off so that pg_backend_pid() always names the
// primary's connection.
func cachedThenWrong(t *testing.T, p *pgcluster.Pgpool, user, password string) {
	t.Helper()
	pidA := mustLogin(t, connString(p, user, password))
	_, err := login(t, connString(p, user, password+"-wrong"))
	refused(t, err, "28P01", "")
	_, err = login(t, connString(p, user, ""))
	if err == nil {
		t.Fatal("an empty password got in")
	}
	if pidC := mustLogin(t, connString(p, user, password)); pidC != pidA {
		t.Fatalf("client C got backend pid %d, A had %d: the cached connection was not reused", pidC, pidA)
	}
}

func TestCachedConnectionNeedsThePassword(t *testing.T) {
	cluster.Reset(t)
	t.Run("pool_hba off", func(t *testing.T) {
		p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
			NumInitChildren: 1, MaxPool: 4,
			Params: map[string]string{"allow_clear_text_frontend_auth": "on", "load_balance_mode": "off"},
			PoolPasswd: []string{
				md5User + ":" + auth.MD5Secret(md5User, md5Pass),
				scramUser + ":TEXT" + scramPass,
			},
		})
		t.Run("SCRAM node, TEXT entry", func(t *testing.T) { cachedThenWrong(t, p, scramUser, scramPass) })
		t.Run("md5 node, md5 entry", func(t *testing.T) { cachedThenWrong(t, p, md5User, md5Pass) })
		t.Run("clear-text node, no entry", func(t *testing.T) { cachedThenWrong(t, p, clearUser, clearPass) })
		t.Run("SCRAM node, no entry, clear text allowed", func(t *testing.T) { cachedThenWrong(t, p, lateUser, latePass) })
	})
	t.Run("pool_hba password line without entry", func(t *testing.T) {
		p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
			NumInitChildren: 1, MaxPool: 4, Params: map[string]string{"load_balance_mode": "off"},
			HBA: hbaWith("host all all 127.0.0.1/32 password"),
		})
		cachedThenWrong(t, p, scramUser, scramPass)
		cachedThenWrong(t, p, md5User, md5Pass)
	})
	t.Run("pool_hba md5 and scram lines", func(t *testing.T) {
		p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
			NumInitChildren: 1, MaxPool: 4, Params: map[string]string{"load_balance_mode": "off"},
			HBA: hbaWith("host all md5user 127.0.0.1/32 md5", "host all scramuser 127.0.0.1/32 scram-sha-256"),
			PoolPasswd: []string{
				md5User + ":" + auth.MD5Secret(md5User, md5Pass),
				scramUser + ":TEXT" + scramPass,
			},
		})
		cachedThenWrong(t, p, scramUser, scramPass)
		cachedThenWrong(t, p, md5User, md5Pass)
	})
}

// TestBruteForceDisturbsNoOne: a stream of wrong passwords fails only its
// own sessions: a session in progress goes on, the children live, the
// cached connection stays, and the right password still works.
func TestBruteForceDisturbsNoOne(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		NumInitChildren: 2, MaxPool: 2, Params: map[string]string{"load_balance_mode": "off"},
		PoolPasswd: []string{scramUser + ":TEXT" + scramPass},
	})
	pidCached := mustLogin(t, connString(p, scramUser, scramPass))
	// The session in progress: scramuser in a transaction on one child.
	c, err := connect(t, connString(p, scramUser, scramPass))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(t.Context())
	if _, err := c.Exec(t.Context(), "begin; create temp table bf (n int)"); err != nil {
		t.Fatal(err)
	}
	children := p.Pids()
	for i := 0; i < 30; i++ {
		_, err := login(t, connString(p, scramUser, "guess-"+itoa(i)))
		refused(t, err, "28P01", "")
		if _, err := c.Exec(t.Context(), "insert into bf values ($1)", i); err != nil {
			t.Fatalf("the session in progress failed after %d wrong passwords: %v", i+1, err)
		}
	}
	var n int
	if err := c.QueryRow(t.Context(), "select count(*) from bf").Scan(&n); err != nil || n != 30 {
		t.Fatalf("session in progress: %d rows, %v", n, err)
	}
	if _, err := c.Exec(t.Context(), "commit"); err != nil {
		t.Fatal(err)
	}
	after := p.Pids()
	if len(after) != len(children) {
		t.Fatalf("pgpool processes before %v, after %v: a child died", children, after)
	}
	for i := range children {
		if children[i] != after[i] {
			t.Fatalf("pgpool processes before %v, after %v: a child was replaced", children, after)
		}
	}
	c.Close(t.Context())
	// The cached connection is still in its child's pool (which child
	// the kernel hands the next client to is not ours to choose, so look
	// in SHOW pool_pools rather than hope to land on it), and the right
	// password still works.
	mustLogin(t, connString(p, scramUser, scramPass))
	pgcluster.Eventually(t, 10e9, 100e6, func() error {
		admin, err := connect(t, connString(p, pgcluster.Superuser, ""))
		if err != nil {
			return err
		}
		defer admin.Close(t.Context())
		rows, err := admin.Query(t.Context(), "show pool_pools", pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			vals, _ := rows.Values()
			for i, f := range rows.FieldDescriptions() {
				if f.Name == "pool_backendpid" && vals[i].(string) == itoa(pidCached) {
					return nil
				}
			}
		}
		return errNotCached
	})
}
