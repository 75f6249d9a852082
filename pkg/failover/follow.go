package failover

import (
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// followPrimary is Pgpool's follow-primary step (§5.5): after the primary
// failed (or a promotion, or when there was no primary and one was
// found), every node other than the new primary is detached, and
// follow_primary_command runs once for every node that is down at that
// moment (including nodes already down before), sequentially, in the
// background. The command is expected to re-attach them (pcp_recovery_node
// or pcp_attach_node).
//
// It applies when follow_primary_command is set or the request is a
// promotion (then the nodes are detached even without a command, as
// Pgpool does).
func (m *Manager) followPrimary(oldPrimary, newPrimary int, primaryFailed, promote, noPrimaryBefore bool) {
	cfg := m.config()
	if !cfg.ClusteringModeStreaming() || newPrimary < 0 {
		return
	}
	if !(primaryFailed || promote || noPrimaryBefore) {
		return
	}
	if cfg.FollowPrimaryCommand == "" && !promote {
		return
	}
	degenerated := false
	for i, b := range cfg.Backends {
		if !b.InUse() || i == newPrimary {
			continue
		}
		st := m.seg.Node(i)
		if st.Valid() {
			st.Status, st.Changed = shm.StatusDown, time.Now()
			m.seg.SetNode(i, st)
			degenerated = true
			m.log.Info().Int("node", i).Msg("follow primary: detaching the node so that it can follow the new primary")
		}
	}
	m.updateMain()
	m.writeStatus()
	if !degenerated || cfg.FollowPrimaryCommand == "" {
		return
	}
	m.act.EndSessions(true, -1)
	var down []int
	for i, b := range cfg.Backends {
		if b.InUse() && i != newPrimary && m.seg.Node(i).Status == shm.StatusDown {
			down = append(down, i)
		}
	}
	m.following.Store(true)
	go func() {
		defer m.following.Store(false)
		for _, n := range down {
			cmd := Expand(cfg.FollowPrimaryCommand, Placeholders{Node: n, NewMain: newPrimary, OldMain: oldPrimary, OldPrimary: oldPrimary}, cfg)
			runCommand(m.log, "follow_primary_command", cmd, 0)
		}
	}()
}
