package show

import (
	"strconv"

	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/version"
)

// status is SHOW pool_status: item, value, description, Pgpool's rows
// with the runtime ones filled from shared memory (§7.4).
func status(env Env) Result {
	r := Result{Columns: []string{"item", "value", "description"}}
	for _, row := range StatusRows(env) {
		r.Rows = append(r.Rows, []string{row.Item, row.Value, row.Description})
	}
	return r
}

// StatusRows are the rows of SHOW pool_status and pcp_pool_status.
func StatusRows(env Env) []config.StatusRow {
	rows := env.Cfg.StatusRows()
	for i := range rows {
		switch rows[i].Runtime {
		case config.RuntimeBackendStatus:
			rows[i].Value = env.Seg.Node(rows[i].Node).StatusText()
		case config.RuntimeStandbyDelay:
			rows[i].Value = strconv.FormatUint(env.Seg.Replication(rows[i].Node).Delay, 10)
		case config.RuntimeMemqcacheStatsStartTime:
			rows[i].Value = timestamp(env.Seg.StartTime())
		}
	}
	return rows
}

// versionResult is SHOW pool_version.
func versionResult() Result {
	return Result{Columns: []string{"pool_version"}, Rows: [][]string{{version.String()}}}
}
