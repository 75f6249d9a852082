package pgcluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StopMode is a shutdown mode of PostgreSQL's pg_ctl and of pgpool's
// `pgpool -m MODE stop`.
type StopMode int

const (
	// Smart waits for clients to disconnect (pgpool: SIGTERM).
	Smart StopMode = iota
	// Fast disconnects clients (pgpool: SIGINT).
	Fast
	// Immediate quits at once; PostgreSQL recovers from WAL at the next start (pgpool: SIGQUIT).
	Immediate
)

var stopModeNames = [...]string{Smart: "smart", Fast: "fast", Immediate: "immediate"}

// String is the mode as pg_ctl -m and pgpool -m spell it.
func (m StopMode) String() string {
	if m < 0 || int(m) >= len(stopModeNames) {
		return "StopMode(" + strconv.Itoa(int(m)) + ")"
	}
	return stopModeNames[m]
}

// Signal is the signal pgpool's main process gets for this mode.
func (m StopMode) Signal() syscall.Signal {
	switch m {
	case Fast:
		return syscall.SIGINT
	case Immediate:
		return syscall.SIGQUIT
	default:
		return syscall.SIGTERM
	}
}

// Node is one PostgreSQL server of a [Cluster]. Node i is called "node<i>":
// that is its data directory name, its cluster_name, the application_name
// of its walreceiver (what pg_stat_replication shows and what pgpool's
// backend_application_name<i> must match) and the name of its replication
// slot on the primary.
type Node struct {
	c       *Cluster
	id      int
	name    string
	port    int // fixed for the cluster's life (pgpool configs refer to it)
	dataDir string
	logPath string
	proc    *process // the postmaster last started by the harness, nil before
}

// ID is the node's index, the same as pgpool's backend node id.
func (n *Node) ID() int { return n.id }

// Name is "node<ID>".
func (n *Node) Name() string { return n.name }

// Port is the TCP port on 127.0.0.1 (and of the socket in SocketDir).
func (n *Node) Port() int { return n.port }

// SocketDir is the directory of the node's unix socket.
func (n *Node) SocketDir() string { return n.c.sockDir }

// DataDir is the node's data directory (owned by [ServerUser] under root).
func (n *Node) DataDir() string { return n.dataDir }

// LogPath is the node's server log (stderr of the postmaster).
func (n *Node) LogPath() string { return n.logPath }

// ConnString is a libpq/pgx keyword=value connection string to db over TCP
// 127.0.0.1 as the superuser. Append " user=x password=y" to override: the
// last setting of a keyword wins.
func (n *Node) ConnString(db string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable connect_timeout=10", n.port, Superuser, db)
}

// SocketConnString is like ConnString over the unix socket, which always
// trusts the superuser whatever the test's pg_hba rules.
func (n *Node) SocketConnString(db string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable connect_timeout=10", n.c.sockDir, n.port, Superuser, db)
}

// Pid is the postmaster's pid from postmaster.pid, or 0 when the node is not
// running. Servers started outside the harness (a recovery script's pg_ctl
// start) count too. A killed postmaster leaves its pid file behind, so the
// pid only counts while it is a live process whose working directory is
// this data directory (a postmaster chdirs there): a recycled pid must never
// be signalled.
func (n *Node) Pid() int {
	b, err := os.ReadFile(filepath.Join(n.dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	pid, err := strconv.Atoi(strings.TrimSpace(string(line)))
	if err != nil || !PidAlive(pid) {
		return 0
	}
	if cwd, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd"); err != nil || cwd != n.dataDir {
		return 0
	}
	return pid
}

// IsRunning reports whether the node's postmaster is alive.
func (n *Node) IsRunning() bool { return n.Pid() != 0 }

// Start starts the node's postmaster and waits until it accepts
// connections (a standby: once it is consistent). The server runs as
// [ServerUser] in its own process group, with its output appended to
// LogPath.
func (n *Node) Start() error {
	if pid := n.Pid(); pid != 0 {
		return fmt.Errorf("start %s: already running (pid %d)", n.name, pid)
	}
	off := logSize(n.logPath)
	cmd := n.c.user.command(n.c.prog("postgres"), "-D", n.dataDir)
	if err := n.c.user.chown(n.c.logDir); err != nil {
		return err
	}
	p, err := startProcess(cmd, n.logPath)
	if err != nil {
		return fmt.Errorf("start %s: %w", n.name, err)
	}
	if err := n.c.user.chown(n.logPath); err != nil {
		return err
	}
	n.proc = p
	if err := n.WaitReady(); err != nil {
		if p.exited() {
			return &startError{node: n.name, err: p.err, log: logSince(n.logPath, off)}
		}
		return fmt.Errorf("start %s: %w\n%s", n.name, err, tailFile(n.logPath, 20))
	}
	return nil
}

// startError is a postmaster that exited while starting.
type startError struct {
	node string
	err  error
	log  string // what it logged during this start
}

func (e *startError) Error() string {
	return fmt.Sprintf("start %s: postmaster exited (%v):\n%s", e.node, e.err, tail([]byte(e.log), 20))
}

func (e *startError) Unwrap() error { return e.err }

// portTaken reports whether the server exited because its port was taken.
func (e *startError) portTaken() bool {
	return strings.Contains(e.log, "could not bind") ||
		strings.Contains(e.log, "could not create any TCP/IP sockets") ||
		strings.Contains(e.log, "Address already in use")
}

// startFirst writes node.conf and starts a node for the first time; when
// another process took its port since FreePorts chose it, it picks a new
// port and tries again.
func (n *Node) startFirst() error {
	for attempt := 1; ; attempt++ {
		if err := n.writeNodeConf(); err != nil {
			return err
		}
		err := n.Start()
		var se *startError
		if err == nil || !errors.As(err, &se) || !se.portTaken() || attempt == 5 {
			return err
		}
		port, perr := FreePort()
		if perr != nil {
			return errors.Join(err, perr)
		}
		n.port = port
	}
}

// writeNodeConf writes the settings that differ between nodes; the
// postgresql.conf of every node includes it last.
func (n *Node) writeNodeConf() error {
	conf := fmt.Sprintf("# written by pgcluster: settings of %s\nport = %d\ncluster_name = '%s'\n", n.name, n.port, n.name)
	return n.c.user.writeFile(filepath.Join(n.dataDir, "node.conf"), []byte(conf), 0o644)
}

// WaitReady waits until the node answers "select 1" on its unix socket.
func (n *Node) WaitReady() error {
	err := WaitFor(n.c.opts.Timeout, 20*time.Millisecond, func() error {
		if n.proc != nil && n.proc.exited() && n.Pid() == 0 {
			return Abort(errStopped)
		}
		var one int
		return n.QueryRowIn("postgres", "select 1").Scan(&one)
	})
	if err != nil {
		return fmt.Errorf("%s not ready: %w", n.name, err)
	}
	return nil
}

var errStopped = errors.New("postmaster is not running")

// Stop stops the node with pg_ctl stop -m mode and waits until the
// postmaster and all its processes are gone. Stopping a stopped node is not
// an error.
func (n *Node) Stop(mode StopMode) error {
	pid := n.Pid()
	if pid == 0 {
		return nil
	}
	pids := ProcessTree(pid)
	t := strconv.Itoa(int(n.c.opts.Timeout / time.Second))
	if _, err := n.c.user.run(n.c.prog("pg_ctl"), "stop", "-D", n.dataDir, "-m", mode.String(), "-w", "-t", t); err != nil {
		return fmt.Errorf("stop %s: %w", n.name, err)
	}
	if err := n.waitGone(pid, pids); err != nil {
		return fmt.Errorf("stop %s: %w", n.name, err)
	}
	return nil
}

// Kill kills the postmaster and all its processes with SIGKILL, like a
// crash of the machine as far as clients can tell, and waits until they are
// gone. The next Start runs crash recovery.
func (n *Node) Kill() error {
	pid := n.Pid()
	if pid == 0 {
		return nil
	}
	// Stopped, the postmaster cannot fork a backend we would miss.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill %s (pid %d): %w", n.name, pid, err)
	}
	pids := ProcessTree(pid)
	for _, p := range pids {
		if err := syscall.Kill(p, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("kill %s (pid %d): %w", n.name, p, err)
		}
	}
	if err := n.waitGone(pid, pids); err != nil {
		return fmt.Errorf("kill %s: %w", n.name, err)
	}
	return nil
}

// Pids lists the node's live processes: the postmaster and its
// descendants (nil when it is not running).
func (n *Node) Pids() []int {
	pid := n.Pid()
	if pid == 0 {
		return nil
	}
	return ProcessTree(pid)
}

// waitGone waits until postmaster pid and the processes it had (pids) have
// exited: their shared memory must be released before the next start.
func (n *Node) waitGone(pid int, pids []int) error {
	if n.proc != nil && n.proc.pid == pid {
		if err := n.proc.wait(n.c.opts.Timeout); err != nil {
			return err
		}
	}
	return waitPidsGone(pids, n.c.opts.Timeout)
}

// Restart is Stop(Fast) then Start.
func (n *Node) Restart() error {
	if err := n.Stop(Fast); err != nil {
		return err
	}
	return n.Start()
}

// Promote promotes a standby (pg_ctl promote) and waits until it has left
// recovery and accepts writes.
func (n *Node) Promote() error {
	t := strconv.Itoa(int(n.c.opts.Timeout / time.Second))
	if _, err := n.c.user.run(n.c.prog("pg_ctl"), "promote", "-D", n.dataDir, "-w", "-t", t); err != nil {
		return fmt.Errorf("promote %s: %w", n.name, err)
	}
	err := WaitFor(n.c.opts.Timeout, 20*time.Millisecond, func() error {
		rec, err := n.IsInRecovery()
		if err == nil && rec {
			err = errors.New("still in recovery")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("promote %s: %w", n.name, err)
	}
	return nil
}

// Reload makes the server re-read its configuration files (pg_ctl reload).
func (n *Node) Reload() error {
	if _, err := n.c.user.run(n.c.prog("pg_ctl"), "reload", "-D", n.dataDir); err != nil {
		return fmt.Errorf("reload %s: %w", n.name, err)
	}
	return nil
}

// IsInRecovery reports pg_is_in_recovery(): true on a standby.
func (n *Node) IsInRecovery() (bool, error) {
	var rec bool
	if err := n.QueryRowIn("postgres", "select pg_is_in_recovery()").Scan(&rec); err != nil {
		return false, err
	}
	return rec, nil
}

func logSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// logSince returns what was appended to path after offset off.
func logSince(path string, off int64) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	if off > int64(len(b)) {
		off = 0
	}
	return string(b[off:])
}
