package supervisor

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/failover"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
	"github.com/pgpool-go/pgpool-go/pkg/version"
)

// Options are the command-line choices the supervisor needs.
type Options struct {
	ConfigFile    string // pgpool.conf, absolute
	PCPFile       string // pcp.conf, absolute
	HBAFile       string // pool_hba.conf, absolute
	KeyFile       string // AES key file for pool_passwd
	DiscardStatus bool   // -D: ignore the saved pgpool_status
	JSONLog       bool
	// Started is called once every initial worker reported ready (the
	// daemon's parent waits for it so start-up errors reach the terminal).
	Started func()
	// Workers are the roles started besides the children (PCP, sr-worker,
	// health checks); a role not listed is not run.
	Workers []spawn.Role
	// Passwords resolves the password of an internal connection from its
	// configured value and pool_passwd.
	Passwords func(user, configured string) backend.Password
}

func (o Options) runs(r spawn.Role) bool {
	for _, w := range o.Workers {
		if w == r {
			return true
		}
	}
	return false
}

// Supervisor is pgpoold's main process state.
type Supervisor struct {
	cfg      *config.Config
	opts     Options
	log      zerolog.Logger
	seg      *shm.Segment
	exe      string
	snapshot string // config file workers load

	lifeR, lifeW *os.File
	pool         []Listener // the pool's sockets (children)
	pcpSockets   []Listener

	children []*proc // by slot; nil while a slot waits for respawn
	workers  map[workerKey]*proc
	backoff  []time.Time // per child slot: not before this time

	events  chan any
	sigs    chan os.Signal
	stop    stopMode
	stopAt  time.Time
	started bool

	failover *failover.Manager
	loopDone chan struct{} // closed when the loop returns
}

type workerKey struct {
	role spawn.Role
	slot int
}

// Run starts the pool from cfg and returns when it has stopped. The pid
// file and the port lock are taken first; everything Run creates is gone
// when it returns.
func Run(cfg *config.Config, opts Options, log zerolog.Logger) (err error) {
	s := &Supervisor{cfg: cfg, opts: opts, log: log, events: make(chan any, 64), workers: map[workerKey]*proc{}}
	if s.exe, err = os.Executable(); err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	s.exe = "/proc/self/exe" // re-exec the running image even if the file was replaced
	stale, err := ClaimPidFile(cfg.PidFileName)
	if err != nil {
		return err
	}
	defer RemovePidFile(cfg.PidFileName)
	if stale {
		log.Info().Str(logKeyLevel, "notice").Str("pid_file", cfg.PidFileName).Msg("removing stale pid file of a pgpool that is no longer running")
	}
	s.seg, err = shm.Create(shm.Path(cfg.Port), shm.Layout{NumChildren: cfg.NumInitChildren + shm.StandaloneSlots, MaxPool: cfg.MaxPool, NumBackends: len(cfg.Backends)})
	if err != nil {
		if errors.Is(err, shm.ErrInUse) {
			return fmt.Errorf("another pgpool is already serving port %d: %w", cfg.Port, err)
		}
		return err
	}
	defer s.seg.Remove()
	if err := s.writeSnapshot(); err != nil {
		return err
	}
	defer os.Remove(s.snapshot)
	s.loopDone = make(chan struct{})
	s.failover = failover.New(cfg, s.seg, log, actions{s}, opts.Passwords)
	s.failover.Restore(opts.DiscardStatus)
	s.failover.FindInitialPrimary(5 * time.Second)
	if s.lifeR, s.lifeW, err = os.Pipe(); err != nil {
		return fmt.Errorf("create life pipe: %w", err)
	}
	defer s.lifeW.Close()
	defer s.lifeR.Close()
	if err := s.listen(); err != nil {
		return err
	}
	defer s.closeListeners()

	s.sigs = make(chan os.Signal, 8)
	signal.Notify(s.sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGCHLD)
	signal.Ignore(syscall.SIGPIPE)
	defer signal.Stop(s.sigs)

	s.children = make([]*proc, cfg.NumInitChildren)
	s.backoff = make([]time.Time, cfg.NumInitChildren)
	for i := range s.children {
		if err := s.startChild(i); err != nil {
			s.killAll(syscall.SIGKILL)
			return err
		}
	}
	s.startWorkers()
	s.failover.Start()
	err = s.loop()
	close(s.loopDone)
	s.failover.Shutdown(10 * time.Second)
	return err
}

const logKeyLevel = "pglevel"

func (s *Supervisor) listen() error {
	warn := func(what string, err error) {
		s.log.Warn().Err(err).Msg("could not " + what + "; skipping it")
	}
	backlog := s.cfg.NumInitChildren * s.cfg.ListenBacklogMultiplier
	if backlog > 10000 || backlog <= 0 {
		backlog = 10000
	}
	var err error
	s.pool, err = Listen(SocketOptions{
		Addresses: s.cfg.ListenAddresses, Port: s.cfg.Port, SocketDirs: s.cfg.UnixSocketDirectories,
		Group: s.cfg.UnixSocketGroup, Permissions: s.cfg.UnixSocketPermissions, Backlog: backlog,
	}, warn)
	if err != nil {
		return err
	}
	s.pcpSockets, err = Listen(SocketOptions{
		Addresses: s.cfg.PcpListenAddresses, Port: s.cfg.PcpPort, SocketDirs: s.cfg.PcpSocketDir,
		Permissions: 0777, Backlog: 64,
	}, warn)
	if err != nil {
		return fmt.Errorf("PCP: %w", err)
	}
	for _, l := range append(append([]Listener{}, s.pool...), s.pcpSockets...) {
		s.log.Info().Str("socket", l.Name).Msg("listening")
	}
	return nil
}

func (s *Supervisor) closeListeners() {
	for _, l := range s.pool {
		l.Close()
	}
	for _, l := range s.pcpSockets {
		l.Close()
	}
	s.pool, s.pcpSockets = nil, nil
}

func (s *Supervisor) startChild(slot int) error {
	p, err := s.start(spawn.RoleChild, slot, s.pool)
	if err != nil {
		return err
	}
	s.children[slot] = p
	s.seg.Child(slot).Start(p.pid)
	return nil
}

// startWorkers starts the PCP process, the sr-worker and one health check
// per configured node.
func (s *Supervisor) startWorkers() {
	s.startWorker(spawn.RolePCP, 0, s.pcpSockets)
	s.startWorker(spawn.RoleSRWorker, 0, nil)
	for i, b := range s.cfg.Backends {
		if b.InUse() {
			s.startWorker(spawn.RoleHealth, i, nil)
		}
	}
}

func (s *Supervisor) startWorker(role spawn.Role, slot int, l []Listener) {
	if !s.opts.runs(role) {
		return
	}
	p, err := s.start(role, slot, l)
	if err != nil {
		s.log.Error().Err(err).Str("hint", "check the log above; the supervisor retries every second").Msg("could not start worker")
		return
	}
	s.workers[workerKey{role, slot}] = p
	s.recordWorkerPids()
}

func (s *Supervisor) recordWorkerPids() {
	var sr, pcp int
	if p := s.workers[workerKey{spawn.RoleSRWorker, 0}]; p != nil {
		sr = p.pid
	}
	if p := s.workers[workerKey{spawn.RolePCP, 0}]; p != nil {
		pcp = p.pid
	}
	s.seg.SetWorkerPids(sr, pcp)
	for i := range s.cfg.Backends {
		pid := 0
		if p := s.workers[workerKey{spawn.RoleHealth, i}]; p != nil {
			pid = p.pid
		}
		s.seg.SetHealthPid(i, pid)
	}
}

// loop is the supervisor's event loop; it returns when the pool stopped.
func (s *Supervisor) loop() error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case sig := <-s.sigs:
			s.onSignal(sig.(syscall.Signal))
		case ev := <-s.events:
			switch ev := ev.(type) {
			case exitEvent:
				s.onExit(ev)
			case readyEvent:
				s.onReady(ev)
			case loopCall:
				ev.fn()
				close(ev.done)
			}
		case <-tick.C:
			s.onTick()
		}
		if s.stop != stopNone && s.allGone() {
			s.log.Info().Msg("all processes have exited; pgpool-II is shut down")
			return nil
		}
	}
}

func (s *Supervisor) onReady(ev readyEvent) {
	p := ev.p
	if !ev.ok {
		if p.pid != 0 && !p.stopped {
			s.log.Error().Str("process", p.String()).Msg("worker did not report ready in time; killing it")
			p.os.Kill()
		}
		return
	}
	p.ready = true
	if !s.started && s.allChildrenReady() {
		s.started = true
		s.log.Info().Msgf("pgpool-II successfully started. version %s", version.String())
		if s.opts.Started != nil {
			s.opts.Started()
		}
	}
}

func (s *Supervisor) allChildrenReady() bool {
	for _, p := range s.children {
		if p == nil || !p.ready {
			return false
		}
	}
	return true
}

func (s *Supervisor) onExit(ev exitEvent) {
	p := ev.p
	code, sig := exitStatus(ev.state)
	lg := s.log.Info()
	if sig != 0 && sig != syscall.SIGTERM && sig != syscall.SIGINT && sig != syscall.SIGQUIT {
		lg = s.log.Warn()
	}
	switch {
	case sig != 0:
		lg.Str("process", p.String()).Str("signal", sig.String()).Msg("worker was terminated by signal")
	case code == spawn.ExitRestart || p.stopped:
		s.log.Debug().Str("process", p.String()).Int("exit_code", code).Msg("worker exited")
	default:
		lg.Str("process", p.String()).Int("exit_code", code).Msg("worker exited")
	}
	switch p.role {
	case spawn.RoleChild:
		if s.children[p.slot] == p {
			s.children[p.slot] = nil
			s.seg.Child(p.slot).Clear()
		}
	default:
		if s.workers[workerKey{p.role, p.slot}] == p {
			delete(s.workers, workerKey{p.role, p.slot})
			s.recordWorkerPids()
		}
	}
	if code == spawn.ExitFatal && sig == 0 {
		s.log.Error().Str("process", p.String()).Msg("worker reported a fatal error; shutting pgpool down")
		s.beginStop(stopFast)
		return
	}
	if s.stop != stopNone || p.stopped {
		return
	}
	// A worker that dies right after starting would otherwise respawn in
	// a tight loop: wait a little more each time (at most 5 s).
	if time.Since(p.started) < time.Second {
		s.log.Warn().Str("process", p.String()).Msg("worker exited within a second of starting; delaying its restart")
		if p.role == spawn.RoleChild {
			s.backoff[p.slot] = time.Now().Add(time.Second)
		}
		return
	}
	s.respawn(p.role, p.slot)
}

func (s *Supervisor) respawn(role spawn.Role, slot int) {
	switch role {
	case spawn.RoleChild:
		if err := s.startChild(slot); err != nil {
			s.log.Error().Err(err).Int("child", slot).Msg("could not restart child; retrying in a second")
			s.backoff[slot] = time.Now().Add(time.Second)
		}
	case spawn.RoleHealth:
		if slot < len(s.cfg.Backends) && s.cfg.Backends[slot].InUse() {
			s.startWorker(role, slot, nil)
		}
	case spawn.RolePCP:
		s.startWorker(role, slot, s.pcpSockets)
	default:
		s.startWorker(role, slot, nil)
	}
}

// onTick restarts what waited for its back-off and missing workers.
func (s *Supervisor) onTick() {
	if s.stop != stopNone {
		s.escalateIfOverdue()
		return
	}
	now := time.Now()
	for i, p := range s.children {
		if p == nil && now.After(s.backoff[i]) {
			s.respawn(spawn.RoleChild, i)
		}
	}
	if s.opts.runs(spawn.RolePCP) && s.workers[workerKey{spawn.RolePCP, 0}] == nil {
		s.respawn(spawn.RolePCP, 0)
	}
	if s.opts.runs(spawn.RoleSRWorker) && s.workers[workerKey{spawn.RoleSRWorker, 0}] == nil {
		s.respawn(spawn.RoleSRWorker, 0)
	}
	for i, b := range s.cfg.Backends {
		if b.InUse() && s.opts.runs(spawn.RoleHealth) && s.workers[workerKey{spawn.RoleHealth, i}] == nil {
			s.respawn(spawn.RoleHealth, i)
		}
	}
}

func exitStatus(st *os.ProcessState) (code int, sig syscall.Signal) {
	if st == nil {
		return -1, 0
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, ws.Signal()
	}
	return st.ExitCode(), 0
}

func (s *Supervisor) allGone() bool {
	for _, p := range s.children {
		if p != nil {
			return false
		}
	}
	return len(s.workers) == 0
}

func (s *Supervisor) killAll(sig syscall.Signal) {
	for _, p := range s.children {
		if p != nil {
			spawn.Signal(p.pid, sig)
		}
	}
	for _, p := range s.workers {
		spawn.Signal(p.pid, sig)
	}
}
