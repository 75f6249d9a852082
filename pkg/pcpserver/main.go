package pcpserver

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/rs/zerolog"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/logging"
	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// Passwords resolves the password of an internal connection.
type Passwords func(cfg *config.Config, user, configured string) backend.Password

// Main runs the PCP process and returns its exit code.
func Main(env *spawn.Env, passwords Passwords) int {
	spawn.SetName("pgpool")
	cfg, err := config.LoadSnapshot(env.Config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pcp: %v\n", err)
		return spawn.ExitRestart
	}
	seg, err := shm.Attach(env.Shm)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pcp: %v\n", err)
		return spawn.ExitRestart
	}
	h := &handler{env: env, seg: seg, passwords: passwords}
	h.setConfig(cfg)
	var ls []net.Listener
	for _, f := range env.Listeners {
		l, err := net.FileListener(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pcp: listening socket %s: %v\n", f.Name(), err)
			return spawn.ExitRestart
		}
		f.Close()
		ls = append(ls, l)
	}
	layout, err := pcp.ParseLayout(cfg.PcpReplyLayout)
	if err != nil {
		layout = pcp.Layout47
	}
	srv := &pcp.Server{Handler: h, Authenticate: h.authenticate, Logger: *h.logger(), Layout: layout}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR1)
	env.WatchParent(func() { os.Exit(spawn.ExitNoRestart) })
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ls) }()
	env.Ready()
	for {
		select {
		case err := <-done:
			if err != nil {
				h.logger().Error().Err(err).Msg("PCP server stopped")
				return spawn.ExitRestart
			}
			return spawn.ExitNoRestart
		case sig := <-sigs:
			switch sig {
			case syscall.SIGHUP:
				if cfg, err := config.LoadSnapshot(env.Config); err == nil {
					h.setConfig(cfg)
				}
			case syscall.SIGUSR1:
				srv.Close()
				return spawn.ExitRestart
			default:
				srv.Close()
				return spawn.ExitNoRestart
			}
		}
	}
}

// handler implements pcp.Handler.
type handler struct {
	env       *spawn.Env
	seg       *shm.Segment
	passwords Passwords

	recovering atomic.Bool // one online recovery at a time

	mu  sync.Mutex
	cfg *config.Config
	log zerolog.Logger
}

func (h *handler) setConfig(cfg *config.Config) {
	log, _, err := logging.New(logging.Options{
		Destination: cfg.LogDestination, LinePrefix: cfg.LogLinePrefix, MinMessages: cfg.LogMinMessages,
		SyslogFacility: cfg.SyslogFacility, SyslogIdent: cfg.SyslogIdent, JSON: h.env.JSONLog, App: "pcp_main",
	}, os.Stderr)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cfg = cfg
	if err == nil {
		h.log = log
	}
}

func (h *handler) config() *config.Config {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg
}

func (h *handler) logger() *zerolog.Logger {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.log
	return &l
}

// authenticate reads pcp.conf at every login (Pgpool: no reload needed).
func (h *handler) authenticate(user string) (string, bool, error) {
	users, err := config.LoadPCPConf(h.env.PCPConf)
	if err != nil {
		return "", false, err
	}
	for _, u := range users {
		if u.User == user {
			return u.MD5, true, nil
		}
	}
	return "", false, nil
}
