package supervisor

// writeSnapshot points the workers at the configuration they must load.
// TODO(#3): write the effective configuration to a snapshot beside the
// segment, so a worker respawned after the file was edited (without a
// reload) still runs the supervisor's configuration.
func (s *Supervisor) writeSnapshot() error {
	s.snapshot = s.opts.ConfigFile
	return nil
}

// applyNodeConfig copies reloaded weights and flags to shared memory;
// nodes added in unused slots come up down, to be attached (§8.1).
func (s *Supervisor) applyNodeConfig() {
	for i, b := range s.cfg.Backends {
		s.seg.SetWeight(i, b.Weight)
		s.seg.SetFlags(i, uint32(b.Flag))
	}
	if n := len(s.cfg.Backends); n > s.seg.NumBackends() {
		s.seg.SetNumBackends(n)
	}
}

// onRequests handles the requests queued in shared memory. Until the
// failover package takes node requests, stop and reload requests from the
// PCP process are handled here and node requests are rejected.
func (s *Supervisor) onRequests() {
	for {
		r, ok := s.seg.Take()
		if !ok {
			return
		}
		s.handleRequest(r)
	}
}
