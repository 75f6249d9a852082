package supervisor

import (
	"os"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/logging"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// stopMode is how the pool shuts down (Pgpool's -m smart|fast|immediate).
type stopMode int

const (
	stopNone      stopMode = iota
	stopSmart              // SIGTERM: wait for clients to end their sessions
	stopFast               // SIGINT: disconnect clients now
	stopImmediate          // SIGQUIT: kill everything now
)

var stopModeNames = [...]string{"", "smart", "fast", "immediate"}

func (m stopMode) String() string { return stopModeNames[m] }

// signal each mode sends to the workers, as Pgpool forwards its own.
func (m stopMode) signal() syscall.Signal {
	switch m {
	case stopSmart:
		return syscall.SIGTERM
	case stopFast:
		return syscall.SIGINT
	default:
		return syscall.SIGQUIT
	}
}

func (s *Supervisor) onSignal(sig syscall.Signal) {
	switch sig {
	case syscall.SIGTERM:
		s.beginStop(stopSmart)
	case syscall.SIGINT:
		s.beginStop(stopFast)
	case syscall.SIGQUIT:
		s.beginStop(stopImmediate)
	case syscall.SIGHUP:
		s.reload()
	case syscall.SIGUSR1:
		s.onRequests()
	case syscall.SIGUSR2:
		for _, p := range s.children {
			if p != nil {
				spawn.Signal(p.pid, syscall.SIGUSR2)
			}
		}
	}
}

// beginStop starts (or escalates) a shutdown. A second signal of a
// stronger mode escalates; a repeated one is ignored (PgBouncer).
func (s *Supervisor) beginStop(m stopMode) {
	if m <= s.stop {
		return
	}
	first := s.stop == stopNone
	s.stop = m
	s.stopAt = time.Now()
	s.log.Info().Str("mode", m.String()).Msgf("received %s shutdown request", m)
	if first {
		// New clients must not reach a stopping pool through our copies
		// of the sockets; children close theirs as they leave.
		s.closeListeners()
	}
	for _, p := range s.children {
		if p != nil {
			p.stopped = true
			spawn.Signal(p.pid, m.signal())
		}
	}
	if m == stopImmediate {
		s.killAll(syscall.SIGKILL)
	}
	s.stopWorkersIfIdle()
}

// stopWorkersIfIdle stops PCP, health checks and the sr-worker once no
// child is left (a smart stop keeps them while sessions still run, so
// failover keeps working for those sessions).
func (s *Supervisor) stopWorkersIfIdle() {
	for _, p := range s.children {
		if p != nil && s.stop == stopSmart {
			return
		}
	}
	for _, p := range s.workers {
		if !p.stopped {
			p.stopped = true
			spawn.Signal(p.pid, syscall.SIGTERM)
		}
	}
}

// escalateIfOverdue kills what a fast stop left after a deadline.
func (s *Supervisor) escalateIfOverdue() {
	s.stopWorkersIfIdle()
	if s.stop >= stopFast && time.Since(s.stopAt) > fastStopTimeout {
		s.log.Warn().Dur("after", fastStopTimeout).Msg("processes still running after a fast shutdown; killing them")
		s.killAll(syscall.SIGKILL)
	}
}

const fastStopTimeout = 10 * time.Second

// reload re-reads pgpool.conf: reloadable parameters take effect in every
// process, restart-only ones are reported and ignored (Pgpool does the
// same, reference §8.1).
func (s *Supervisor) reload() {
	s.log.Info().Str("file", s.opts.ConfigFile).Msg("reloading config file")
	next, diags, err := s.cfg.Reload(s.opts.ConfigFile, s.nodeDown)
	for _, d := range diags {
		s.logDiagnostic(d)
	}
	if err != nil {
		s.log.Warn().Err(err).Str("hint", "fix the file and reload again; the running configuration is unchanged").Msg("reload failed")
		return
	}
	s.cfg = next
	if log, _, err := logging.New(logging.Options{
		Destination: next.LogDestination, LinePrefix: next.LogLinePrefix, MinMessages: next.LogMinMessages,
		SyslogFacility: next.SyslogFacility, SyslogIdent: next.SyslogIdent, JSON: s.opts.JSONLog, App: "main",
	}, os.Stderr); err == nil {
		s.log = log
	} else {
		s.log.Warn().Err(err).Msg("could not apply the new logging settings")
	}
	if err := s.writeSnapshot(); err != nil {
		s.log.Error().Err(err).Msg("could not write the configuration for the workers")
		return
	}
	s.applyNodeConfig()
	s.failover.SetConfig(next)
	for _, p := range s.children {
		if p != nil {
			spawn.Signal(p.pid, syscall.SIGHUP)
		}
	}
	for _, p := range s.workers {
		spawn.Signal(p.pid, syscall.SIGHUP)
	}
}

func (s *Supervisor) nodeDown(node int) bool {
	st := s.seg.Node(node)
	return !st.Valid()
}

func (s *Supervisor) logDiagnostic(d config.Diagnostic) {
	logDiagnostic(s.log, d)
}

// logDiagnostic logs a config finding at Pgpool's level for it.
func logDiagnostic(log zerolog.Logger, d config.Diagnostic) {
	ev := log.Info()
	switch d.Level {
	case config.LevelWarning:
		ev = log.Warn()
	case config.LevelNotice:
		ev = ev.Str(logKeyLevel, "notice")
	case config.LevelInfo:
		ev = ev.Str(logKeyLevel, "info")
	}
	if d.File != "" {
		ev = ev.Str("file", d.File).Int("line", d.Line)
	}
	ev.Msg(d.Message)
}
