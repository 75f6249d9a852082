package conformance

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestPgx(t *testing.T) {
	runDriver(t, pgxDriver("pgx", pgx.QueryExecModeCacheStatement, pgxScenarios))
}

func TestPgxSimpleProtocol(t *testing.T) {
	runDriver(t, pgxDriver("pgx-simple", pgx.QueryExecModeSimpleProtocol, pgxSimpleScenarios))
}
