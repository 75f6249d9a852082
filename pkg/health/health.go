package health

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
	"github.com/pgpool-go/pgpool-go/pkg/logging"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// Passwords resolves a health-check password (health_check_password, or
// pool_passwd when it is empty).
type Passwords func(cfg *config.Config, user, configured string) backend.Password

// checker is the state of one node's health check.
type checker struct {
	node         int
	env          *spawn.Env
	cfg          *config.Config
	seg          *shm.Segment
	log          zerolog.Logger
	passwords    Passwords
	lastFailback time.Time
	sigs         chan os.Signal
}

// Main runs the health check of node env.Slot and returns the exit code.
func Main(env *spawn.Env, passwords Passwords) int {
	spawn.SetName("pgpool")
	cfg, err := config.LoadSnapshot(env.Config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "health check %d: %v\n", env.Slot, err)
		return spawn.ExitRestart
	}
	seg, err := shm.Attach(env.Shm)
	if err != nil {
		fmt.Fprintf(os.Stderr, "health check %d: %v\n", env.Slot, err)
		return spawn.ExitRestart
	}
	c := &checker{node: env.Slot, env: env, seg: seg, passwords: passwords, sigs: make(chan os.Signal, 4)}
	c.setConfig(cfg)
	signal.Notify(c.sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR1)
	env.WatchParent(func() { os.Exit(spawn.ExitNoRestart) })
	env.Ready()
	return c.run()
}

func (c *checker) setConfig(cfg *config.Config) {
	c.cfg = cfg
	log, _, err := logging.New(logging.Options{
		Destination: cfg.LogDestination, LinePrefix: cfg.LogLinePrefix, MinMessages: cfg.LogMinMessages,
		SyslogFacility: cfg.SyslogFacility, SyslogIdent: cfg.SyslogIdent, JSON: c.env.JSONLog,
		App: fmt.Sprintf("health_check%d", c.node),
	}, os.Stderr)
	if err == nil {
		c.log = log.With().Int("node", c.node).Logger()
	}
}

// run loops until a signal ends the process.
func (c *checker) run() int {
	for {
		wait := 30 * time.Second // health check off: look again later
		if hc := c.cfg.HealthCheck(c.node); hc.Period > 0 {
			c.check(hc)
			wait = time.Duration(hc.Period) * time.Second
		}
		if code, exit := c.sleep(wait); exit {
			return code
		}
	}
}

// sleep waits, handling signals: SIGHUP reloads, SIGUSR1 restarts the
// process, SIGTERM/SIGINT/SIGQUIT end it.
func (c *checker) sleep(d time.Duration) (int, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			return 0, false
		case sig := <-c.sigs:
			switch sig {
			case syscall.SIGHUP:
				if cfg, err := config.LoadSnapshot(c.env.Config); err == nil {
					c.setConfig(cfg)
				}
			case syscall.SIGUSR1:
				return spawn.ExitRestart, true
			default:
				return spawn.ExitNoRestart, true
			}
		}
	}
}

// check runs one health check round of the node.
func (c *checker) check(hc config.HealthCheck) {
	st := c.seg.Node(c.node)
	now := time.Now()
	c.seg.UpdateHealthStats(c.node, func(s *shm.HealthStats) { s.Total++; s.Last = now })
	if st.Status == shm.StatusUnused || st.Status == shm.StatusDown && !st.Quarantine {
		c.seg.UpdateHealthStats(c.node, func(s *shm.HealthStats) { s.Skip++; s.LastSkip = now })
		if st.Status == shm.StatusDown {
			c.autoFailback(hc)
		}
		return
	}
	start := time.Now()
	var err error
	retries := 0
	for {
		err = c.connect(hc)
		if err == nil || retries >= hc.MaxRetries {
			break
		}
		retries++
		c.log.Info().Err(err).Int("retry", retries).Int("max_retries", hc.MaxRetries).Msg("health check failed; retrying")
		if code, exit := c.sleep(time.Duration(hc.RetryDelay) * time.Second); exit {
			os.Exit(code)
		}
	}
	ms := time.Since(start).Milliseconds()
	c.seg.UpdateHealthStats(c.node, func(s *shm.HealthStats) {
		s.Retry += uint64(retries)
		if uint32(retries) > s.MaxRetry {
			s.MaxRetry = uint32(retries)
		}
		s.Duration += uint64(ms)
		if int32(ms) > s.MaxDuration {
			s.MaxDuration = int32(ms)
		}
		if int32(ms) < s.MinDuration {
			s.MinDuration = int32(ms)
		}
		if err == nil {
			s.Success++
			s.LastSuccess = time.Now()
		} else {
			s.Fail++
			s.LastFail = time.Now()
		}
	})
	if err == nil {
		if st.Quarantine {
			c.post(shm.ReqNodeUp, shm.DetailUpdate|shm.DetailWatchdog)
		}
		return
	}
	c.failed(hc, err, st)
}

// failed reports a node that did not answer.
func (c *checker) failed(hc config.HealthCheck, err error, st shm.NodeState) {
	b := c.cfg.Backends[c.node]
	c.log.Warn().Err(err).Str("backend", backend.Target{Host: b.Host(), Port: b.Port}.String()).
		Msgf("health check failed on node %d (timeout:%v)", c.node, errors.Is(err, relay.ErrTimeout))
	if b.Flag&config.DisallowToFailover != 0 {
		c.log.Info().Msg("failover is disallowed on this node (DISALLOW_TO_FAILOVER); not detaching it")
		return
	}
	if st.Quarantine {
		return
	}
	// A refused or broken connection is a switchover: only the sessions
	// using the node are cut. A timeout restarts every session (§5.1).
	var details shm.RequestDetail
	if !errors.Is(err, relay.ErrTimeout) {
		details = shm.DetailSwitchover
	}
	c.post(shm.ReqNodeDown, details)
}

// connect opens and closes one connection to the node, as Pgpool's
// health check does: startup and authentication, no query.
func (c *checker) connect(hc config.HealthCheck) error {
	b := c.cfg.Backends[c.node]
	db := hc.Database
	if db == "" {
		db = "postgres"
	}
	var deadline time.Time
	if hc.Timeout > 0 {
		deadline = time.Now().Add(time.Duration(hc.Timeout) * time.Second)
	}
	ct := time.Duration(hc.ConnectTimeout) * time.Millisecond
	if c.cfg.ConnectTimeout > 0 {
		// Pgpool uses the global connect_timeout for connect(), whatever
		// the per-node value says (trap T3).
		ct = time.Duration(c.cfg.ConnectTimeout) * time.Millisecond
	}
	conn, err := backend.Connect(backend.Target{Node: c.node, Host: b.Host(), Port: b.Port},
		relay.StartupPacket(relay.Param{Name: "database", Value: db}, relay.Param{Name: "user", Value: hc.User}),
		backend.Options{ConnectTimeout: ct, Deadline: deadline, User: hc.User, Password: c.passwords(c.cfg, hc.User, hc.Password)})
	if err != nil {
		return err
	}
	conn.Terminate()
	return nil
}

// autoFailback attaches a down standby back once it streams from the
// primary again (§5.6).
func (c *checker) autoFailback(hc config.HealthCheck) {
	cfg := c.cfg
	if !cfg.AutoFailback || !cfg.ClusteringModeStreaming() || c.seg.Switching() {
		return
	}
	if c.seg.Replication(c.node).State != "streaming" {
		return
	}
	if time.Since(c.lastFailback) < time.Duration(cfg.AutoFailbackInterval)*time.Second {
		return
	}
	c.lastFailback = time.Now()
	if err := c.connect(hc); err != nil {
		return
	}
	c.log.Info().Msg("auto_failback: the node streams from the primary again; requesting its failback")
	c.post(shm.ReqNodeUp, shm.DetailConfirmed)
}

func (c *checker) post(kind shm.RequestKind, details shm.RequestDetail) {
	if _, err := c.seg.Post(shm.Request{Kind: kind, Details: details, Nodes: []int{c.node}}); err != nil {
		c.log.Error().Err(err).Msg("could not post a request to the supervisor")
		return
	}
	spawn.Signal(c.seg.SupervisorPid(), syscall.SIGUSR1)
}
