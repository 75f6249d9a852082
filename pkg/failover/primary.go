package failover

import (
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/srcheck"
)

// findPrimaryRepeatedly retries findPrimary every second until a primary
// is found or search_primary_node_timeout passes (0: forever), returning
// -1 when every node is down (find_primary_node_repeatedly). stop ends
// the search early (shutdown).
func (m *Manager) findPrimaryRepeatedly(stop <-chan struct{}) (int, []int) {
	cfg := m.config()
	if !cfg.ClusteringModeStreaming() {
		return -1, nil
	}
	if m.following.Load() && m.seg.Primary() >= 0 {
		return m.seg.Primary(), nil
	}
	deadline := time.Now().Add(time.Duration(cfg.SearchPrimaryNodeTimeout) * time.Second)
	for attempt := 0; ; attempt++ {
		if m.seg.Main() < 0 {
			m.log.Warn().Msg("all backend nodes are down; no primary to find")
			return -1, nil
		}
		p, invalid := srcheck.FindPrimary(cfg, m.seg, m.ask)
		if p >= 0 {
			return p, invalid
		}
		if cfg.SearchPrimaryNodeTimeout > 0 && time.Now().After(deadline) {
			m.log.Warn().Int("search_primary_node_timeout", cfg.SearchPrimaryNodeTimeout).
				Str("hint", "check that a node is a primary and that sr_check_user can connect to every node").
				Msg("failed to find the primary node")
			return -1, nil
		}
		if attempt == 0 {
			m.log.Info().Msg("no primary node found yet; retrying every second")
		}
		select {
		case <-stop:
			return -1, nil
		case <-time.After(time.Second):
		}
		cfg = m.config()
	}
}

// ask runs sql on node with the sr_check credentials.
func (m *Manager) ask(node int, sql string) (*backend.Result, error) {
	cfg := m.config()
	return srcheck.Query(cfg, node, m.passwords(cfg.SrCheckUser, cfg.SrCheckPassword), sql)
}
