package session

import (
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

// both returns a connection through pgpoold and one directly to the
// primary, for comparing what a client sees.
func both(t *testing.T, p *pgcluster.Pgpool) (via, direct *pgx.Conn) {
	return pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser)), pgcluster.Dial(t, cluster.Node(0).ConnString(pgcluster.Database))
}
