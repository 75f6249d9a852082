package show

import "strconv"

// nodes is SHOW pool_nodes: 14 columns (4.3+), one row per node slot
// including unused gaps (§7.1).
func nodes(env Env) Result {
	r := Result{Columns: []string{"node_id", "hostname", "port", "status", "pg_status", "lb_weight", "role",
		"pg_role", "select_cnt", "load_balance_node", "replication_delay", "replication_state",
		"replication_sync_state", "last_status_change"}}
	for i := 0; i < env.Seg.NumBackends(); i++ {
		st := env.Seg.Node(i)
		pgStatus, pgRole := "unknown", "unknown"
		if env.Probe != nil && st.Status.String() != "unused" {
			pgStatus = env.Probe.PgStatus(i)
			if env.Cfg.ClusteringModeStreaming() {
				if pgStatus == "up" {
					pgRole = env.Probe.PgRole(i)
				}
			} else {
				pgRole = role(env, i)
			}
		}
		lb := "false"
		if i == env.LBNode {
			lb = "true"
		}
		r.Rows = append(r.Rows, []string{
			itoa(i), hostname(env.Cfg, i), itoa(port(env.Cfg, i)), st.StatusText(), pgStatus,
			ftoa(env.Cfg.NormalizedWeight(i)), role(env, i), pgRole,
			u64(env.Seg.Stats(i)[0]), lb, delay(env, i),
			env.Seg.Replication(i).State, env.Seg.Replication(i).SyncState, timestamp(st.Changed),
		})
	}
	return r
}

// delay formats replication_delay: 0 for the primary and outside
// streaming replication, bytes, or seconds with " second(s)" in time mode.
func delay(env Env, i int) string {
	if !env.Cfg.ClusteringModeStreaming() || i == env.Seg.Primary() {
		return "0"
	}
	rep := env.Seg.Replication(i)
	if !rep.ByTime {
		return strconv.FormatUint(rep.Delay, 10)
	}
	sec := float64(rep.Delay) / 1e6
	unit := " second"
	if sec >= 2 {
		unit = " seconds"
	}
	return strconv.FormatFloat(sec, 'f', 6, 64) + unit
}
