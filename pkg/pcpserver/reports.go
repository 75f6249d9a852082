package pcpserver

import (
	"context"
	"strconv"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/show"
)

func (h *handler) showEnv() show.Env {
	cfg := h.config()
	return show.Env{Cfg: cfg, Base: cfg, Seg: h.seg, LBNode: -1, Now: time.Now(),
		Probe: show.LiveProber{Cfg: cfg, Passwords: h.passwords}}
}

// NodeCount is the number of configured node slots, whatever their status.
func (h *handler) NodeCount(context.Context) (int, error) { return h.seg.NumBackends(), nil }

// NodeInfo reports one node or all (-1), with the live pg_status and
// pg_role probes Pgpool runs for it.
func (h *handler) NodeInfo(_ context.Context, id int) ([]pcp.NodeInfo, error) {
	n := h.seg.NumBackends()
	if id != -1 && (id < 0 || id >= n) {
		return nil, pcp.ErrNodeInfoInvalidID(id)
	}
	env := h.showEnv()
	var out []pcp.NodeInfo
	for i := 0; i < n; i++ {
		if id != -1 && i != id {
			continue
		}
		st := h.seg.Node(i)
		rep := h.seg.Replication(i)
		info := pcp.NodeInfo{
			Status: pcp.NodeStatus(st.Status), Quarantine: st.Quarantine,
			PGStatus: "unknown", PGRole: "unknown",
			StandbyDelayByTime: rep.ByTime, StandbyDelay: int64(rep.Delay),
			ReplicationState: rep.State, ReplicationSyncState: rep.SyncState,
			StatusChanged: st.Changed,
		}
		if i < len(env.Cfg.Backends) {
			info.Hostname, info.Port = env.Cfg.Backends[i].Hostname, env.Cfg.Backends[i].Port
			info.Weight = env.Cfg.NormalizedWeight(i)
		}
		if env.Cfg.ClusteringModeStreaming() {
			info.Role = pcp.RoleStandby
			if i == h.seg.Primary() {
				info.Role = pcp.RolePrimary
				info.StandbyDelay = 0
			}
		} else {
			info.Role = pcp.RoleReplica
			if i == h.seg.Main() {
				info.Role = pcp.RoleMain
			}
		}
		if st.Status != shm.StatusUnused {
			info.PGStatus = env.Probe.PgStatus(i)
			if !env.Cfg.ClusteringModeStreaming() {
				info.PGRole = info.Role.String()
			} else if info.PGStatus == "up" {
				info.PGRole = env.Probe.PgRole(i)
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// HealthCheckStats reports one node's health-check statistics (the row of
// SHOW pool_health_check_stats).
func (h *handler) HealthCheckStats(_ context.Context, id int) (pcp.HealthCheckStats, error) {
	n := h.seg.NumBackends()
	if id < 0 || id > n {
		return pcp.HealthCheckStats{}, pcp.ErrHealthCheckStatsInvalidID(id)
	}
	if id == n {
		return pcp.HealthCheckStats{}, pcp.ErrHealthCheckStatsNoData(id)
	}
	r := show.HealthCheckRow(h.showEnv(), id)
	atoi := func(s string) int64 { v, _ := strconv.ParseInt(s, 10, 64); return v }
	atof := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	port, _ := strconv.Atoi(r[2])
	return pcp.HealthCheckStats{
		NodeID: id, Hostname: r[1], Port: port, Status: r[3], Role: r[4], LastStatusChange: r[5],
		TotalCount: atoi(r[6]), SuccessCount: atoi(r[7]), FailCount: atoi(r[8]), SkipCount: atoi(r[9]),
		RetryCount: atoi(r[10]), AverageRetryCount: atof(r[11]), MaxRetryCount: atoi(r[12]),
		MaxDuration: atoi(r[13]), MinDuration: atoi(r[14]), AverageDuration: atof(r[15]),
		LastHealthCheck: r[16], LastSuccessfulHealthCheck: r[17], LastSkipHealthCheck: r[18], LastFailedHealthCheck: r[19],
	}, nil
}

// ProcessCount lists the pids of the live children.
func (h *handler) ProcessCount(context.Context) ([]int, error) {
	var pids []int
	for i := 0; i < h.seg.NumChildren(); i++ {
		if p := h.seg.ReadProcess(i); p.Pid != 0 {
			pids = append(pids, p.Pid)
		}
	}
	return pids, nil
}

// ProcessInfo reports the rows of SHOW pool_pools, of one child or all (0).
func (h *handler) ProcessInfo(_ context.Context, pid int) ([]pcp.ProcessInfo, error) {
	env := h.showEnv()
	res, _, _ := show.Run(show.Command{Kind: show.PoolPools}, env)
	var out []pcp.ProcessInfo
	found := false
	for _, r := range res.Rows {
		p, _ := strconv.Atoi(r[0])
		if pid != 0 && p != pid {
			continue
		}
		found = true
		atoi := func(s string) int { v, _ := strconv.Atoi(s); return v }
		out = append(out, pcp.ProcessInfo{
			PID: p, StartTime: r[1], ClientConnectionCount: atoi(r[2]), PoolID: atoi(r[3]), BackendID: atoi(r[4]),
			Database: r[5], Username: r[6], BackendConnectionTime: r[7], ClientConnectionTime: r[8],
			ClientDisconnectionTime: r[9], ClientIdleDuration: r[10], MajorVersion: atoi(r[11]), MinorVersion: atoi(r[12]),
			PoolCounter: atoi(r[13]), BackendPID: atoi(r[14]), Connected: r[15] == "1", Status: r[16],
			LoadBalanceNode: r[17] == "1", ClientHost: r[18], ClientPort: r[19], Statement: r[20],
		})
	}
	if pid != 0 && !found {
		return nil, pcp.ErrProcessInfoInvalidPID(pid)
	}
	return out, nil
}

// PoolStatus reports the rows of SHOW pool_status.
func (h *handler) PoolStatus(context.Context) ([]pcp.StatusRow, error) {
	var out []pcp.StatusRow
	for _, r := range show.StatusRows(h.showEnv()) {
		out = append(out, pcp.StatusRow{Name: r.Item, Value: r.Value, Desc: r.Description})
	}
	return out, nil
}

// WatchdogInfo: pgpool-go has no watchdog yet.
func (h *handler) WatchdogInfo(context.Context, int) (pcp.WatchdogInfo, error) {
	return pcp.WatchdogInfo{}, pcp.ErrWatchdogNotEnabled()
}

// SetParameter: Pgpool knows no parameter but client_min_messages, which
// the server handles.
func (h *handler) SetParameter(_ context.Context, name, _ string) error {
	return pcp.ErrInvalidParameter(name)
}

// LogRotate needs the logging collector, which pgpool-go does not have.
func (h *handler) LogRotate(context.Context, pcp.Scope) error {
	return pcp.ErrLogRotateDisabled()
}

// InvalidateQueryCache needs the query cache, which pgpool-go does not have.
func (h *handler) InvalidateQueryCache(context.Context) error {
	return pcp.ErrQueryCacheDisabled()
}
