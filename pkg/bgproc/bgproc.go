package bgproc

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/logging"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// idleRecheck is how often a process whose check is switched off
// (period 0) looks at its configuration again.
const idleRecheck = 30 * time.Second

// Proc is one background process.
type Proc struct {
	Env *spawn.Env
	Cfg *config.Config // replaced on SIGHUP
	Seg *shm.Segment
	Log zerolog.Logger

	app  string
	node int
	sigs chan os.Signal
}

// Start loads the config snapshot, attaches shared memory, installs the
// signal handlers and tells the supervisor the process is ready. app
// names the process in log lines; node is the backend it watches, or -1.
// On error the caller exits with spawn.ExitRestart.
func Start(env *spawn.Env, app string, node int) (*Proc, error) {
	spawn.SetName("pgpool")
	cfg, err := config.LoadSnapshot(env.Config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", app, err)
	}
	seg, err := shm.Attach(env.Shm)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", app, err)
	}
	p := &Proc{Env: env, Seg: seg, app: app, node: node, sigs: make(chan os.Signal, 4)}
	p.setConfig(cfg)
	signal.Notify(p.sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR1)
	env.WatchParent(func() { os.Exit(spawn.ExitNoRestart) })
	env.Ready()
	return p, nil
}

func (p *Proc) setConfig(cfg *config.Config) {
	p.Cfg = cfg
	log, _, err := logging.New(logging.Options{
		Destination: cfg.LogDestination, LinePrefix: cfg.LogLinePrefix, MinMessages: cfg.LogMinMessages,
		SyslogFacility: cfg.SyslogFacility, SyslogIdent: cfg.SyslogIdent, JSON: p.Env.JSONLog, App: p.app,
	}, os.Stderr)
	if err != nil {
		return // keep the previous logger; the supervisor reported the bad setting
	}
	if p.node >= 0 {
		log = log.With().Int("node", p.node).Logger()
	}
	p.Log = log
}

// Run calls round every period() seconds until a signal ends the process,
// and returns the exit code. A period of 0 switches the rounds off.
func (p *Proc) Run(period func() int, round func()) int {
	for {
		wait := idleRecheck
		if s := period(); s > 0 {
			round()
			wait = time.Duration(s) * time.Second
		}
		if code, exit := p.Sleep(wait); exit {
			return code
		}
	}
}

// Sleep waits d while handling signals: SIGHUP reloads the snapshot,
// SIGUSR1 (sent by the supervisor after a failover) restarts the process,
// the others end it. exit reports that the process must return code.
func (p *Proc) Sleep(d time.Duration) (code int, exit bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			return 0, false
		case sig := <-p.sigs:
			switch sig {
			case syscall.SIGHUP:
				if cfg, err := config.LoadSnapshot(p.Env.Config); err == nil {
					p.setConfig(cfg)
				}
			case syscall.SIGUSR1:
				return spawn.ExitRestart, true
			default:
				return spawn.ExitNoRestart, true
			}
		}
	}
}

// Request queues a request for the supervisor and wakes it.
func (p *Proc) Request(req shm.Request) {
	if _, err := p.Seg.Post(req); err != nil {
		p.Log.Error().Err(err).Str("hint", "the request queue is full; the supervisor is busy with earlier failovers").
			Msg("could not post a request to the supervisor")
		return
	}
	spawn.Signal(p.Seg.SupervisorPid(), syscall.SIGUSR1)
}
