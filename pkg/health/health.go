package health

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/bgproc"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// Passwords resolves a health-check password (health_check_password, or
// pool_passwd when it is empty).
type Passwords func(cfg *config.Config, user, configured string) backend.Password

// checker is the state of one node's health check.
type checker struct {
	*bgproc.Proc
	node         int
	passwords    Passwords
	lastFailback time.Time
}

// Main runs the health check of node env.Slot and returns the exit code.
func Main(env *spawn.Env, passwords Passwords) int {
	p, err := bgproc.Start(env, fmt.Sprintf("health_check%d", env.Slot), env.Slot)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return spawn.ExitRestart
	}
	c := &checker{Proc: p, node: env.Slot, passwords: passwords}
	return c.Run(func() int { return c.Cfg.HealthCheck(c.node).Period }, func() { c.check(c.Cfg.HealthCheck(c.node)) })
}

// check runs one health check round of the node.
func (c *checker) check(hc config.HealthCheck) {
	st := c.Seg.Node(c.node)
	now := time.Now()
	c.Seg.UpdateHealthStats(c.node, func(s *shm.HealthStats) { s.Total++; s.Last = now })
	if st.Status == shm.StatusUnused || st.Status == shm.StatusDown && !st.Quarantine {
		c.Seg.UpdateHealthStats(c.node, func(s *shm.HealthStats) { s.Skip++; s.LastSkip = now })
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
		c.Log.Info().Err(err).Int("retry", retries).Int("max_retries", hc.MaxRetries).Msg("health check failed; retrying")
		if code, exit := c.Sleep(time.Duration(hc.RetryDelay) * time.Second); exit {
			os.Exit(code)
		}
	}
	ms := time.Since(start).Milliseconds()
	c.Seg.UpdateHealthStats(c.node, func(s *shm.HealthStats) {
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
	b := c.Cfg.Backends[c.node]
	c.Log.Warn().Err(err).Str("backend", backend.Target{Host: b.Host(), Port: b.Port}.String()).
		Msgf("health check failed on node %d (timeout:%v)", c.node, errors.Is(err, relay.ErrTimeout))
	if b.Flag&config.DisallowToFailover != 0 {
		c.Log.Info().Msg("failover is disallowed on this node (DISALLOW_TO_FAILOVER); not detaching it")
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
	b := c.Cfg.Backends[c.node]
	db := hc.Database
	if db == "" {
		db = "postgres"
	}
	var deadline time.Time
	if hc.Timeout > 0 {
		deadline = time.Now().Add(time.Duration(hc.Timeout) * time.Second)
	}
	ct := time.Duration(hc.ConnectTimeout) * time.Millisecond
	if c.Cfg.ConnectTimeout > 0 {
		// Pgpool uses the global connect_timeout for connect(), whatever
		// the per-node value says (trap T3).
		ct = time.Duration(c.Cfg.ConnectTimeout) * time.Millisecond
	}
	conn, err := backend.Connect(backend.Target{Node: c.node, Host: b.Host(), Port: b.Port},
		relay.StartupPacket(relay.Param{Name: "database", Value: db}, relay.Param{Name: "user", Value: hc.User}),
		backend.Options{ConnectTimeout: ct, Deadline: deadline, User: hc.User, Password: c.passwords(c.Cfg, hc.User, hc.Password)})
	if err != nil {
		return err
	}
	conn.Terminate()
	return nil
}

// autoFailback attaches a down standby back once it streams from the
// primary again (§5.6).
func (c *checker) autoFailback(hc config.HealthCheck) {
	cfg := c.Cfg
	if !cfg.AutoFailback || !cfg.ClusteringModeStreaming() || c.Seg.Switching() {
		return
	}
	if c.Seg.Replication(c.node).State != "streaming" {
		return
	}
	if time.Since(c.lastFailback) < time.Duration(cfg.AutoFailbackInterval)*time.Second {
		return
	}
	c.lastFailback = time.Now()
	if err := c.connect(hc); err != nil {
		return
	}
	c.Log.Info().Msg("auto_failback: the node streams from the primary again; requesting its failback")
	c.post(shm.ReqNodeUp, shm.DetailConfirmed)
}

func (c *checker) post(kind shm.RequestKind, details shm.RequestDetail) {
	c.Request(shm.Request{Kind: kind, Details: details, Nodes: []int{c.node}})
}
