package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/logging"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
	"github.com/pgpool-go/pgpool-go/pkg/supervisor"
)

type startOptions struct {
	foreground bool
	discard    bool
	json       bool
}

// envDaemon marks the detached copy of pgpoold; its value is the fd of
// the pipe on which it reports start-up to the process that detached it.
const envDaemon = "PGPOOLGO_DAEMON"

func start(p paths, cfg *config.Config, diags []config.Diagnostic, o startOptions) error {
	if !o.foreground && os.Getenv(envDaemon) == "" {
		return detach()
	}
	report := daemonReport()
	if p.key != "" {
		os.Setenv(spawn.EnvKey, p.key) // the supervisor's own connections read AES entries too
	}
	if cfg.EnablePoolHba {
		// Pgpool loads pool_hba.conf at start; a file that does not load
		// must stop the start, not leave every client refused.
		if _, err := auth.LoadHBA(p.hba); err != nil {
			err = fmt.Errorf("enable_pool_hba is on and pool_hba.conf does not load: %w", err)
			report(err)
			return err
		}
	}
	log, closeLog, err := logging.New(logging.Options{
		Destination: cfg.LogDestination, LinePrefix: cfg.LogLinePrefix, MinMessages: cfg.LogMinMessages,
		SyslogFacility: cfg.SyslogFacility, SyslogIdent: cfg.SyslogIdent, JSON: o.json, App: "main",
	}, os.Stderr)
	if err != nil {
		report(err)
		return err
	}
	defer closeLog()
	for _, d := range diags {
		ev := log.Info().Str(logging.KeyLevel, d.Level.String())
		if d.Level == config.LevelWarning {
			ev = log.Warn()
		}
		if d.File != "" {
			ev = ev.Str("file", d.File).Int("line", d.Line)
		}
		ev.Msg(d.Message)
	}
	err = supervisor.Run(cfg, supervisor.Options{
		ConfigFile: p.conf, PCPFile: p.pcp, HBAFile: p.hba, KeyFile: p.key,
		DiscardStatus: o.discard, JSONLog: o.json,
		Started:   func() { report(nil) },
		Workers:   []spawn.Role{spawn.RolePCP, spawn.RoleHealth, spawn.RoleSRWorker},
		Passwords: func(user, configured string) backend.Password { return passwords(cfg, user, configured) },
	}, log)
	if err != nil {
		log.Error().Err(err).Msg("pgpool could not start")
		report(err)
	}
	return err
}

// detach starts a copy of pgpoold in a new session with its standard
// files on /dev/null (Pgpool's daemonize), and waits until it reports
// that it started, so that a start-up error (port in use, bad backend
// definition) reaches the terminal and the exit code.
func detach() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	cmd := exec.Command("/proc/self/exe", os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), envDaemon+"=3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/"
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the daemon: %w", err)
	}
	w.Close()
	line, _ := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "ok" {
		return nil
	}
	if line == "" {
		return errors.New("the daemon exited during start-up; run with -n to see its log")
	}
	return errors.New(line)
}

// daemonReport returns how a detached daemon tells its parent it started
// (nil) or failed; in the foreground it does nothing.
func daemonReport() func(error) {
	fdText := os.Getenv(envDaemon)
	if fdText == "" {
		return func(error) {}
	}
	os.Unsetenv(envDaemon)
	unix.CloseOnExec(3)
	f := os.NewFile(3, "daemon-report")
	done := false
	return func(err error) {
		if done {
			return
		}
		done = true
		if err == nil {
			f.WriteString("ok\n")
		} else {
			f.WriteString(strings.ReplaceAll(err.Error(), "\n", "; ") + "\n")
		}
		f.Close()
	}
}
