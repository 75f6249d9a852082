package session

import (
	"context"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

var cluster *pgcluster.Cluster

func TestMain(m *testing.M) {
	pgcluster.Main(m, pgcluster.Options{}, func(c *pgcluster.Cluster) { cluster = c })
}

// rawPool starts pgpoold in raw mode in front of the primary only: this
// issue's sessions, before load balancing.
func rawPool(t *testing.T, opts pgcluster.PgpoolOptions) *pgcluster.Pgpool {
	t.Helper()
	if opts.Params == nil {
		opts.Params = map[string]string{}
	}
	opts.Params["backend_clustering_mode"] = "raw"
	return pgcluster.StartPgpoold(t, cluster, opts)
}

// sameAsDirect runs script on a connection through pgpoold and on one
// directly to the primary, and fails the test when what the client sees
// differs.
func sameAsDirect(t *testing.T, ctx context.Context, p *pgcluster.Pgpool, script func(context.Context, *pgx.Conn) []string) {
	t.Helper()
	via := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	direct := pgcluster.Dial(t, cluster.Node(0).ConnString(pgcluster.Database))
	if got, want := script(ctx, via), script(ctx, direct); !reflect.DeepEqual(got, want) {
		t.Errorf("through pgpoold:\n%q\ndirectly:\n%q", got, want)
	}
}
