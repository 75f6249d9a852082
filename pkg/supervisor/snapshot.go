package supervisor

import (
	"fmt"
	"os"

	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// writeSnapshot writes the running configuration where the workers load
// it (beside the segment), atomically: a worker started at any time runs
// exactly the supervisor's configuration, even if pgpool.conf was edited
// without a reload, as a forked Pgpool child inherits its parent's.
func (s *Supervisor) writeSnapshot() error {
	path := shm.Path(s.cfg.Port) + ".conf"
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, s.cfg.Snapshot(), 0600); err != nil {
		return fmt.Errorf("write the configuration snapshot for the workers: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write the configuration snapshot for the workers: %w", err)
	}
	s.snapshot = path
	return nil
}

// applyNodeConfig copies reloaded weights and flags to shared memory;
// nodes added in unused slots come up down, to be attached or recovered
// (§8.1: Pgpool's CON_DOWN for a node added by reload).
func (s *Supervisor) applyNodeConfig() {
	for i, b := range s.cfg.Backends {
		s.seg.SetWeight(i, b.Weight)
		s.seg.SetFlags(i, uint32(b.Flag))
		if b.InUse() && s.seg.Node(i).Status == shm.StatusUnused {
			role := shm.RoleStandby
			if !s.cfg.ClusteringModeStreaming() {
				role = shm.RoleReplica
			}
			s.seg.SetNode(i, shm.NodeState{Status: shm.StatusDown, Role: role})
			s.log.Info().Int("node", i).Msg("new backend node added by reload; it is down until attached or recovered")
		}
	}
	if n := len(s.cfg.Backends); n > s.seg.NumBackends() {
		s.seg.SetNumBackends(n)
	}
}

// onRequests wakes the failover goroutine, the queue's consumer.
func (s *Supervisor) onRequests() { s.failover.Wake() }
