package conformance

import (
	"testing"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

var cluster *pgcluster.Cluster

// The cluster: a primary and one standby. The standby is synchronous with
// synchronous_commit = remote_apply, so a read balanced to it right after
// a commit sees the commit, as a read of the primary would: without that
// an autocommit write followed by a balanced read is a race that no proxy
// can hide, and the transcripts would differ by chance.
// max_prepared_transactions > 0 for the two-phase commit scenario.
func TestMain(m *testing.M) {
	pgcluster.Main(m, pgcluster.Options{
		SynchronousCommit: "remote_apply",
		ExtraConf: []string{
			"synchronous_standby_names = 'node1'",
			"max_prepared_transactions = 10",
		},
	}, func(c *pgcluster.Cluster) { cluster = c })
}
