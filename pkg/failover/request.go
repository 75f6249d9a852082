package failover

import (
	"fmt"
	"os"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

func removeFile(path string) { os.Remove(path) }

// handle runs one request (Pgpool's failover(), §5.3) and returns its
// result for the poster.
func (m *Manager) handle(r shm.Request) int32 {
	switch r.Kind {
	case shm.ReqStop:
		m.act.Stop(r.Param)
		return shm.ResultOK
	case shm.ReqReload:
		m.act.Reload()
		return shm.ResultOK
	case shm.ReqCloseIdle:
		m.act.CloseIdleConnections()
		return shm.ResultOK
	}
	m.seg.SetSwitching(true)
	defer m.seg.SetSwitching(false)
	switch r.Kind {
	case shm.ReqNodeDown:
		if r.Details&shm.DetailPromote != 0 {
			return m.switchover(r)
		}
		return m.nodeDown(r, -1)
	case shm.ReqPromoteNode:
		return m.promote(r)
	case shm.ReqNodeUp:
		return m.nodeUp(r)
	}
	m.log.Warn().Str("request", r.Kind.String()).Msg("unsupported request dropped")
	return shm.ResultRejected
}

// validFailoverTargets keeps the nodes a down request may act on: valid
// (or quarantined) nodes without DISALLOW_TO_FAILOVER (§5.2).
func (m *Manager) validFailoverTargets(nodes []int) []int {
	cfg := m.config()
	var out []int
	for _, n := range nodes {
		if n < 0 || n >= len(cfg.Backends) || !cfg.Backends[n].InUse() {
			m.log.Warn().Int("node", n).Msg("failover request for a node that is not configured; ignored")
			continue
		}
		st := m.seg.Node(n)
		if !st.Valid() && !st.Quarantine {
			m.log.Info().Int("node", n).Str("status", st.StatusText()).Msg("failover request for a node that is not up; ignored")
			continue
		}
		if cfg.Backends[n].Flag&config.DisallowToFailover != 0 {
			m.log.Info().Int("node", n).Msg(fmt.Sprintf("degenerate backend request for node_id: %d is canceled because failover is disallowed on the node", n))
			continue
		}
		out = append(out, n)
	}
	return out
}

// nodeDown detaches nodes (failover). promoteNode ≥ 0 is a switchover:
// the current primary is detached and promoteNode becomes the primary.
func (m *Manager) nodeDown(r shm.Request, promoteNode int) int32 {
	cfg := m.config()
	targets := m.validFailoverTargets(r.Nodes)
	if len(targets) == 0 {
		return shm.ResultRejected
	}
	oldMain := m.seg.Main()
	oldPrimary := m.seg.Primary()
	now := time.Now()
	for _, n := range targets {
		st := m.seg.Node(n)
		st.Status, st.Quarantine, st.Changed = shm.StatusDown, false, now
		m.seg.SetNode(n, st)
		m.log.Info().Int("node", n).Str("host", cfg.Backends[n].Host()).Int("port", cfg.Backends[n].Port).
			Msgf("starting degeneration. shutdown host %s(%d)", cfg.Backends[n].Host(), cfg.Backends[n].Port)
	}
	m.writeStatus()
	newMain := m.updateMain()
	primaryFailed := false
	for _, n := range targets {
		if n == oldPrimary {
			primaryFailed = true
		}
	}
	// Sessions: a failed standby cuts only the sessions balancing on it
	// when the request says it is a switchover; a failed primary, a
	// health-check timeout or any non-SR mode cuts them all. Pgpool tests
	// the primary after marking it down (trap T7); we use the recorded
	// primary.
	partial := cfg.ClusteringModeStreaming() && r.Details&shm.DetailSwitchover != 0 && !primaryFailed
	if partial {
		for _, n := range targets {
			m.act.EndSessions(false, n)
		}
	} else {
		m.act.EndSessions(true, -1)
	}
	// failover_command, once per failed node, synchronously.
	if cfg.FailoverCommand != "" {
		for _, n := range targets {
			newm := newMain
			if promoteNode >= 0 {
				newm = promoteNode
			}
			cmd := Expand(cfg.FailoverCommand, Placeholders{Node: n, NewMain: newm, OldMain: oldMain, OldPrimary: oldPrimary}, cfg)
			runCommand(m.log, "failover_command", cmd, 0)
		}
	}
	// The new primary.
	newPrimary := oldPrimary
	switch {
	case !cfg.ClusteringModeStreaming():
		newPrimary = -1
	case promoteNode >= 0 && m.seg.Node(promoteNode).Valid():
		newPrimary = promoteNode
	case primaryFailed || oldPrimary < 0:
		m.setPrimary(-1)
		newPrimary, _ = m.findPrimaryRepeatedly(m.stop)
	}
	m.followPrimary(oldPrimary, newPrimary, primaryFailed, promoteNode >= 0, oldPrimary < 0)
	m.setPrimary(newPrimary)
	m.updateMain()
	m.writeStatus()
	if partial {
		m.act.RestartChildrenAfterSession()
	}
	m.act.RestartSRWorker()
	for _, n := range targets {
		m.log.Info().Int("node", n).Msgf("=== Failover done. shutdown host %s(%d) ===", cfg.Backends[n].Host(), cfg.Backends[n].Port)
	}
	if newPrimary >= 0 && newPrimary != oldPrimary {
		m.log.Info().Int("node", newPrimary).Msg("new primary node")
	}
	return shm.ResultOK
}

// switchover is pcp_promote_node -s: a down request for the node to
// promote, marked PROMOTE. The current primary is detached instead, and
// failover_command gets the node to promote as %m (§5.3 step 5); the new
// primary is then searched, and follow primary runs for the others.
func (m *Manager) switchover(r shm.Request) int32 {
	if len(r.Nodes) != 1 {
		return shm.ResultRejected
	}
	node := r.Nodes[0]
	primary := m.seg.Primary()
	if !m.seg.Node(node).Valid() || primary < 0 || primary == node {
		m.log.Warn().Int("node", node).Int("primary", primary).Msg("switchover request ignored: the node is not an up standby")
		return shm.ResultRejected
	}
	res := m.nodeDown(shm.Request{Kind: shm.ReqNodeDown, Details: r.Details, Nodes: []int{primary}}, node)
	if res == shm.ResultOK {
		cfg := m.config()
		m.log.Info().Int("node", node).Msgf("=== Promotion done. promoted host %s(%d) ===", cfg.Backends[node].Host(), cfg.Backends[node].Port)
	}
	return res
}

// promote is pcp_promote_node without -s: pgpool takes node as the
// primary without running failover_command (PostgreSQL is expected to be
// promoted already, or by follow_primary_command's logic); every other
// node is detached and follow_primary_command runs for them (§4).
func (m *Manager) promote(r shm.Request) int32 {
	if len(r.Nodes) != 1 {
		return shm.ResultRejected
	}
	node := r.Nodes[0]
	if !m.seg.Node(node).Valid() {
		m.log.Warn().Int("node", node).Msg("promote request for a node that is not up; ignored")
		return shm.ResultRejected
	}
	oldPrimary := m.seg.Primary()
	m.setPrimary(node)
	m.followPrimary(oldPrimary, node, false, true, false)
	m.updateMain()
	m.writeStatus()
	m.act.EndSessions(true, -1)
	m.act.RestartSRWorker()
	cfg := m.config()
	m.log.Info().Int("node", node).Msgf("=== Promotion done. promoted host %s(%d) ===", cfg.Backends[node].Host(), cfg.Backends[node].Port)
	return shm.ResultOK
}

// nodeUp attaches nodes (failback): they wait for their first
// connection; failback_command runs; the primary is searched again.
func (m *Manager) nodeUp(r shm.Request) int32 {
	cfg := m.config()
	oldMain, oldPrimary := m.seg.Main(), m.seg.PrimaryOrMain()
	allDown := m.seg.Main() < 0
	var attached []int
	for _, n := range r.Nodes {
		if n < 0 || n >= len(cfg.Backends) || !cfg.Backends[n].InUse() {
			continue
		}
		st := m.seg.Node(n)
		if st.Valid() {
			m.log.Info().Int("node", n).Msg("failback request for a node that is already up; ignored")
			continue
		}
		st.Status, st.Quarantine, st.Changed = shm.StatusConnectWait, false, time.Now()
		m.seg.SetNode(n, st)
		attached = append(attached, n)
	}
	if len(attached) == 0 {
		return shm.ResultRejected
	}
	m.writeStatus()
	newMain := m.updateMain()
	for _, n := range attached {
		if cfg.FailbackCommand != "" {
			cmd := Expand(cfg.FailbackCommand, Placeholders{Node: n, NewMain: newMain, OldMain: oldMain, OldPrimary: oldPrimary}, cfg)
			runCommand(m.log, "failback_command", cmd, 0)
		}
		m.act.StartHealthCheck(n)
	}
	if cfg.ClusteringModeStreaming() {
		p, _ := m.findPrimaryRepeatedly(m.stop)
		m.setPrimary(p)
	}
	m.updateMain()
	m.writeStatus()
	// In SR mode with a primary that was not the node attached, sessions
	// go on; children restart after their session to use the new node.
	p := m.seg.Primary()
	if cfg.ClusteringModeStreaming() && !allDown && p >= 0 && !contains(attached, p) {
		m.act.RestartChildrenAfterSession()
	} else {
		m.act.EndSessions(true, -1)
	}
	m.act.RestartSRWorker()
	for _, n := range attached {
		m.log.Info().Int("node", n).Msgf("=== Failback done. reconnect host %s(%d) ===", cfg.Backends[n].Host(), cfg.Backends[n].Port)
	}
	return shm.ResultOK
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
