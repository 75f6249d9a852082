package child

import (
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/logging"
	"github.com/pgpool-go/pgpool-go/pkg/pool"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/router"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// Child is one session child process.
type Child struct {
	cfg       *config.Config
	env       *spawn.Env
	log       zerolog.Logger
	seg       *shm.Segment
	slot      *shm.ChildSlot
	pool      *pool.Pool
	flags     *flags
	listeners []int
	epfd      int
	rng       *rand.Rand

	// passwords resolves the password of an internal connection
	// (SHOW pool_nodes' probes) from its configured value and pool_passwd.
	passwords func(cfg *config.Config, user, configured string) backend.Password

	// ropts are the router's options (rebuilt on reload), rcache the
	// process's relation cache (Pgpool's relcache).
	ropts  *router.Options
	rcache *router.Cache

	idleSince time.Time // waiting for a client since
	// wakeAt: when between() has something to do again without a client
	// or a signal (child_life_time, connection_life_time); zero: never.
	wakeAt   time.Time
	sessions int      // sessions served
	sess     *session // reused for every session: buffers are allocated once
}

// Main runs a child started by the supervisor and returns its exit code.
func Main(env *spawn.Env, passwords func(cfg *config.Config, user, configured string) backend.Password) int {
	spawn.SetName("pgpool")
	// Between two clients under connect-per-transaction loads a child
	// waits tens of milliseconds: keep that wait raw (relay.Poll).
	relay.SetRawWait(50 * time.Millisecond)
	c, err := start(env)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgpool child %d: %v\n", env.Slot, err)
		return spawn.ExitRestart
	}
	c.passwords = passwords
	code := c.run()
	if env.Standalone() {
		c.slot.Clear() // no supervisor reaps a child started by hand
	}
	return code
}

func start(env *spawn.Env) (*Child, error) {
	cfg, err := config.LoadSnapshot(env.Config)
	if err != nil {
		return nil, err
	}
	seg, err := shm.Attach(env.Shm)
	if err != nil {
		return nil, err
	}
	if env.Slot < 0 || env.Slot >= seg.NumChildren() {
		return nil, fmt.Errorf("child slot %d out of range (num_init_children %d)", env.Slot, seg.NumChildren())
	}
	fl, err := newFlags()
	if err != nil {
		return nil, fmt.Errorf("create eventfd: %w", err)
	}
	c := &Child{env: env, seg: seg, slot: seg.Child(env.Slot), flags: fl, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
	if err := c.setConfig(cfg); err != nil {
		return nil, err
	}
	c.pool = pool.New(seg.MaxPool(), shm.MaxBackends, c.slot)
	for _, f := range env.Listeners {
		fd := int(f.Fd())
		if err := unix.SetNonblock(fd, true); err != nil {
			return nil, fmt.Errorf("listening socket %s: %w", f.Name(), err)
		}
		c.listeners = append(c.listeners, fd)
	}
	if c.epfd, err = acceptPoller(c.listeners, fl.wakefd); err != nil {
		return nil, err
	}
	fl.watch()
	env.WatchParent(func() { os.Exit(spawn.ExitNoRestart) })
	c.sess = newSession(c)
	c.sess.refreshAuth() // pool_hba, pool_passwd and TLS problems show at start
	return c, nil
}

// setConfig installs a (re)loaded configuration and its logger.
func (c *Child) setConfig(cfg *config.Config) error {
	log, _, err := logging.New(logging.Options{
		Destination: cfg.LogDestination, LinePrefix: cfg.LogLinePrefix, MinMessages: cfg.LogMinMessages,
		SyslogFacility: cfg.SyslogFacility, SyslogIdent: cfg.SyslogIdent, JSON: c.env.JSONLog, App: "child",
	}, os.Stderr)
	if err != nil {
		return err
	}
	ropts, err := router.NewOptions(cfg)
	if err != nil {
		return fmt.Errorf("routing parameters: %w", err)
	}
	// The relation cache starts empty with the new settings (Pgpool
	// discards its relcache on reload too).
	c.rcache = router.NewCache(cfg.RelcacheSize, time.Duration(cfg.RelcacheExpire)*time.Second)
	c.cfg, c.ropts = cfg, ropts
	c.log = log.With().Int("child", c.env.Slot).Logger()
	return nil
}

func (c *Child) reload() {
	// The supervisor reloaded pgpool.conf (reporting what it ignored)
	// and wrote the result before signalling us.
	cfg, err := config.LoadSnapshot(c.env.Config)
	if err != nil {
		c.log.Warn().Err(err).Msg("reload of the configuration failed; keeping the running one")
		return
	}
	if err := c.setConfig(cfg); err != nil {
		c.log.Warn().Err(err).Msg("reload of the logging configuration failed")
	}
	c.sess.refreshAuth()
}

// run is the accept loop; it returns the exit code.
func (c *Child) run() int {
	if err := c.env.Ready(); err != nil {
		c.log.Error().Err(err).Msg("cannot report readiness")
		return spawn.ExitRestart
	}
	c.idleSince = time.Now()
	for {
		if code, exit := c.between(); exit {
			c.pool.CloseAll()
			return code
		}
		fd, host, port, err := c.accept()
		if err != nil {
			c.log.Error().Err(err).Msg("waiting for connections failed")
			return spawn.ExitRestart
		}
		if fd < 0 {
			continue
		}
		c.serve(fd, host, port)
		c.sessions++
		c.idleSince = time.Now()
		spawn.SetTitle("pgpool: wait for connection request")
		c.slot.SetStatus(shm.ProcWaitForConnect)
	}
}

// between handles what happens between sessions: stop and restart
// requests, reload, idle-connection expiry and the child's own lifetime.
func (c *Child) between() (code int, exit bool) {
	if c.flags.fast.Load() || c.flags.smart.Load() {
		return spawn.ExitNoRestart, true
	}
	if _, ok := c.slot.TerminateRequested(); ok || c.slot.NeedRestart() {
		return spawn.ExitRestart, true
	}
	if c.cfg.ChildMaxConnections > 0 && c.sessions >= c.cfg.ChildMaxConnections {
		c.log.Info().Int("sessions", c.sessions).Msg("child_max_connections reached; restarting the child")
		return spawn.ExitRestart, true
	}
	// child_life_time recycles a child only after it served a client
	// (Pgpool: a never-used child is never recycled).
	now := time.Now()
	c.wakeAt = time.Time{}
	if c.cfg.ChildLifeTime > 0 && c.sessions > 0 {
		end := c.idleSince.Add(time.Duration(c.cfg.ChildLifeTime) * time.Second)
		if !now.Before(end) {
			c.log.Debug().Msg("child_life_time reached; restarting the child")
			return spawn.ExitRestart, true
		}
		c.wakeAt = end
	}
	if c.flags.reload.Swap(false) {
		c.reload()
	}
	if c.flags.closeIdle.Swap(false) {
		c.pool.CloseIdle()
	}
	if c.cfg.ConnectionLifeTime > 0 {
		next := c.pool.ExpireIdle(now, time.Duration(c.cfg.ConnectionLifeTime)*time.Second)
		if !next.IsZero() && (c.wakeAt.IsZero() || next.Before(c.wakeAt)) {
			c.wakeAt = next
		}
	}
	return 0, false
}

// closeIdleEverywhere asks every child to close its idle pooled
// connections (after DROP DATABASE, Pgpool's CLOSE_IDLE_REQUEST).
func (c *Child) closeIdleEverywhere() {
	if _, err := c.seg.Post(shm.Request{Kind: shm.ReqCloseIdle}); err == nil {
		c.notifySupervisor()
	}
}

// random is the child's source for load-balancing draws, seeded once.
func (c *Child) random() float64 { return c.rng.Float64() }
