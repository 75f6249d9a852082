package show

import "fmt"

// healthCheckStats is SHOW pool_health_check_stats: 20 columns per node.
func healthCheckStats(env Env) Result {
	r := Result{Columns: HealthCheckColumns}
	for i := 0; i < env.Seg.NumBackends(); i++ {
		r.Rows = append(r.Rows, HealthCheckRow(env, i))
	}
	return r
}

// HealthCheckColumns are the columns of SHOW pool_health_check_stats,
// also the fields of pcp_health_check_stats.
var HealthCheckColumns = []string{"node_id", "hostname", "port", "status", "role", "last_status_change",
	"total_count", "success_count", "fail_count", "skip_count", "retry_count", "average_retry_count",
	"max_retry_count", "max_duration", "min_duration", "average_duration", "last_health_check",
	"last_successful_health_check", "last_skip_health_check", "last_failed_health_check"}

// HealthCheckRow is node i's row. Averages divide by the checks that ran
// (total minus skipped), and are 0 when the node's health check is off.
func HealthCheckRow(env Env, i int) []string {
	st := env.Seg.Node(i)
	h := env.Seg.HealthStats(i)
	var avgRetry, avgDuration float64
	minDuration := h.MinDuration
	if env.Cfg.HealthCheck(i).Period > 0 && h.Total > h.Skip {
		n := float64(h.Total - h.Skip)
		avgRetry = float64(h.Retry) / n
		avgDuration = float64(h.Duration) / n
	}
	if h.Total == 0 || minDuration == 1<<31-1 {
		minDuration = 0
	}
	return []string{
		itoa(i), hostname(env.Cfg, i), itoa(port(env.Cfg, i)), st.StatusText(), role(env, i), timestamp(st.Changed),
		u64(h.Total), u64(h.Success), u64(h.Fail), u64(h.Skip), u64(h.Retry), fmt.Sprintf("%f", avgRetry),
		itoa(int(h.MaxRetry)), itoa(int(h.MaxDuration)), itoa(int(minDuration)), fmt.Sprintf("%f", avgDuration),
		timestamp(h.Last), timestamp(h.LastSuccess), timestamp(h.LastSkip), timestamp(h.LastFail),
	}
}

// backendStats is SHOW pool_backend_stats.
func backendStats(env Env) Result {
	r := Result{Columns: []string{"node_id", "hostname", "port", "status", "role", "select_cnt", "insert_cnt",
		"update_cnt", "delete_cnt", "ddl_cnt", "other_cnt", "panic_cnt", "fatal_cnt", "error_cnt"}}
	for i := 0; i < env.Seg.NumBackends(); i++ {
		s := env.Seg.Stats(i)
		row := []string{itoa(i), hostname(env.Cfg, i), itoa(port(env.Cfg, i)), env.Seg.Node(i).StatusText(), role(env, i)}
		for _, v := range s {
			row = append(row, u64(v))
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}
