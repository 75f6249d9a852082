package failover

import (
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/srcheck"
)

// Actions are what the failover asks of the supervisor's process table.
// Each runs on the supervisor's loop and returns when done.
type Actions interface {
	// EndSessions ends at once the sessions of every child (all) or of
	// the children whose session uses node as its load-balance node; their
	// clients are told the node failed, and the children are respawned.
	EndSessions(all bool, node int)
	// RestartChildrenAfterSession makes every child exit at the end of its
	// current session (or now, if idle), to start over on the new
	// topology.
	RestartChildrenAfterSession()
	// RestartSRWorker restarts the replication-delay worker.
	RestartSRWorker()
	// StartHealthCheck starts node's health check if it is not running.
	StartHealthCheck(node int)
	// CloseIdleConnections asks children to close idle pooled connections.
	CloseIdleConnections()
	// Stop and Reload are PCP's requests to the supervisor.
	Stop(mode byte)
	Reload()
}

// Manager runs failover requests.
type Manager struct {
	cfg       atomic.Pointer[config.Config]
	seg       *shm.Segment
	log       zerolog.Logger
	act       Actions
	passwords func(user, configured string) backend.Password

	wake chan struct{}
	stop chan struct{}
	done chan struct{}
	// following is set while follow_primary_command runs: the primary
	// search then keeps the current primary (Pgpool's
	// follow_primary_ongoing).
	following atomic.Bool
}

// New makes a manager. passwords resolves the password of an internal
// connection (sr_check_user) from its configured value and pool_passwd.
func New(cfg *config.Config, seg *shm.Segment, log zerolog.Logger, act Actions, passwords func(user, configured string) backend.Password) *Manager {
	m := &Manager{seg: seg, log: log.With().Str("component", "failover").Logger(), act: act, passwords: passwords,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	m.cfg.Store(cfg)
	return m
}

func (m *Manager) config() *config.Config { return m.cfg.Load() }

// SetConfig installs a reloaded configuration.
func (m *Manager) SetConfig(cfg *config.Config) { m.cfg.Store(cfg) }

// Restore sets the initial node status: from pgpool_status unless
// discard (-D, which removes the file), otherwise every configured node
// waits for its first connection.
func (m *Manager) Restore(discard bool) {
	cfg := m.config()
	path := StatusFile(cfg.WorkDir)
	now := time.Now()
	n := len(cfg.Backends)
	m.seg.SetNumBackends(n)
	var saved []shm.NodeStatus
	ok := false
	if discard {
		m.log.Info().Str("file", path).Msg("discarding the saved node status (-D)")
		removeFile(path)
	} else {
		var err error
		saved, ok, err = ReadStatus(path, n)
		if err != nil {
			m.log.Warn().Err(err).Msg("could not read the saved node status; starting with every node waiting")
		}
	}
	role := shm.RoleStandby
	if !cfg.ClusteringModeStreaming() {
		role = shm.RoleReplica
	}
	for i, b := range cfg.Backends {
		st := shm.NodeState{Status: shm.StatusUnused, Role: role, Changed: now}
		if b.InUse() {
			st.Status = shm.StatusConnectWait
			// A node the file says is down stays down (it must be
			// attached). Pgpool leaves a configured node without a line
			// in the file unused (trap T19); a node added to the
			// configuration since is started waiting instead.
			if ok && saved[i] == shm.StatusDown {
				st.Status = shm.StatusDown
			}
		}
		m.seg.SetNode(i, st)
		m.seg.SetWeight(i, b.Weight)
		m.seg.SetFlags(i, uint32(b.Flag))
	}
	m.updateMain()
	if !cfg.ClusteringModeStreaming() {
		if main := m.seg.Main(); main >= 0 {
			st := m.seg.Node(main)
			st.Role = shm.RoleMain
			m.seg.SetNode(main, st)
		}
	}
}

// FindInitialPrimary looks for the primary before the children start, for
// at most wait: Pgpool forks the children first, so its first sessions
// route "primary" traffic to the main node until the search ends (trap
// T6). When the primary is not found in time, the search goes on in the
// background (Start) and the same fallback applies meanwhile.
func (m *Manager) FindInitialPrimary(wait time.Duration) {
	cfg := m.config()
	if !cfg.ClusteringModeStreaming() {
		m.seg.SetPrimary(-1)
		return
	}
	deadline := time.Now().Add(wait)
	for {
		p, invalid := srcheck.FindPrimary(cfg, m.seg, m.ask)
		if p >= 0 && len(invalid) == 0 {
			m.setPrimary(p)
			m.log.Info().Int("node", p).Msg("primary node found")
			return
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Start runs the request loop in a goroutine, after finishing the startup
// primary search if FindInitialPrimary did not.
func (m *Manager) Start() {
	go m.run()
}

// Wake tells the manager requests may be waiting (SIGUSR1).
func (m *Manager) Wake() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Shutdown stops the loop, waiting for a running request to finish, and
// writes the status file a last time.
func (m *Manager) Shutdown(timeout time.Duration) {
	close(m.stop)
	select {
	case <-m.done:
	case <-time.After(timeout):
		m.log.Warn().Msg("a failover was still running at shutdown")
	}
	m.writeStatus()
}

func (m *Manager) run() {
	defer close(m.done)
	m.initialPrimary()
	for {
		for {
			r, ok := m.seg.Take()
			if !ok {
				break
			}
			res := m.handle(r)
			m.seg.Done(r.Seq, res)
			select {
			case <-m.stop:
				return
			default:
			}
		}
		select {
		case <-m.stop:
			return
		case <-m.wake:
		case <-time.After(2 * time.Second): // a missed signal never strands a request
		}
	}
}

// initialPrimary is the search at startup; false primaries are detached
// when detach_false_primary is on.
func (m *Manager) initialPrimary() {
	cfg := m.config()
	if !cfg.ClusteringModeStreaming() {
		m.seg.SetPrimary(-1)
		return
	}
	if m.seg.Primary() >= 0 {
		m.writeStatus()
		return
	}
	p, invalid := m.findPrimaryRepeatedly(m.stop)
	m.setPrimary(p)
	if p >= 0 {
		m.log.Info().Int("node", p).Msg("primary node found")
	}
	m.writeStatus()
	for _, n := range invalid {
		m.log.Warn().Int("node", n).Msg("detaching a false primary node")
		m.seg.Post(shm.Request{Kind: shm.ReqNodeDown, Details: shm.DetailSwitchover | shm.DetailConfirmed, Nodes: []int{n}})
	}
}

// setPrimary records the primary and every node's role.
func (m *Manager) setPrimary(p int) {
	cfg := m.config()
	for i, b := range cfg.Backends {
		if !b.InUse() {
			continue
		}
		st := m.seg.Node(i)
		want := shm.RoleStandby
		if i == p {
			want = shm.RolePrimary
		}
		if st.Role != want {
			st.Role, st.Changed = want, time.Now()
			m.seg.SetNode(i, st)
		}
	}
	m.seg.SetPrimary(p)
}

// updateMain recomputes the main node: the lowest-numbered valid one.
func (m *Manager) updateMain() int {
	main := -1
	for i := 0; i < m.seg.NumBackends(); i++ {
		if m.seg.Node(i).Valid() {
			main = i
			break
		}
	}
	if main != m.seg.Main() {
		m.seg.SetMain(main)
	}
	return main
}

func (m *Manager) writeStatus() {
	cfg := m.config()
	if err := WriteStatus(StatusFile(cfg.WorkDir), m.seg, len(cfg.Backends)); err != nil {
		m.log.Warn().Err(err).Str("hint", "check that work_dir exists and is writable").Msg("could not save the node status")
	}
}
