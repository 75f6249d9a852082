package show

import (
	"fmt"
	"strconv"
)

// pools is SHOW pool_pools: 21 columns (4.7), num_init_children × max_pool
// × node rows (§7.3).
func pools(env Env) Result {
	r := Result{Columns: []string{"pool_pid", "start_time", "client_connection_count", "pool_id", "backend_id",
		"database", "username", "backend_connection_time", "client_connection_time", "client_disconnection_time",
		"client_idle_duration", "majorversion", "minorversion", "pool_counter", "pool_backendpid", "pool_connected",
		"status", "load_balance_node", "client_host", "client_port", "statement"}}
	nb := env.Seg.NumBackends()
	for i := 0; i < env.Seg.NumChildren(); i++ {
		p := env.Seg.ReadProcess(i)
		if p.Pid == 0 {
			continue
		}
		for slot := 0; slot < env.Seg.MaxPool(); slot++ {
			pool := env.Seg.ReadPool(i, slot)
			connected := pool.Connected && p.CurrentPool == slot
			for node := 0; node < nb; node++ {
				conn := env.Seg.ReadConn(i, slot, node)
				var db, user, created, major, minor, counter string
				major, minor, counter = "0", "0", "0"
				if pool.CreateTime.Unix() > 0 {
					db, user = pool.Database, pool.User
					created = timestamp(pool.CreateTime)
					major, minor, counter = itoa(pool.Major), itoa(pool.Minor), itoa(pool.Counter)
				}
				lb, host, cport, stmt, conText := "0", "", "", "", "0"
				if connected {
					conText = "1"
					host, cport = p.ClientHost, itoa(p.ClientPort)
					if node == p.LBNode {
						lb = "1"
					}
					if p.SentTo(node) {
						stmt = p.Statement
					}
				}
				r.Rows = append(r.Rows, []string{
					itoa(p.Pid), startTime(env, p), itoa(p.Connections), itoa(slot), itoa(node),
					db, user, created, timestamp(pool.ClientConnect), timestamp(pool.ClientLeave),
					idle(env, pool.IdleSeconds, connected), major, minor, counter, itoa(conn.Pid), conText,
					p.Status.String(), lb, host, cport, stmt,
				})
			}
		}
	}
	return r
}

// idle is client_idle_duration, with the time left before
// client_idle_limit disconnects the client.
func idle(env Env, sec int, connected bool) string {
	s := strconv.Itoa(sec)
	if limit := env.Cfg.ClientIdleLimit; limit > 0 && connected {
		left := max(limit-sec, 0)
		s += fmt.Sprintf(" (%d:%02d before client disconnected)", left/60, left%60)
	}
	return s
}
