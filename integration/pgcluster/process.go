package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a long-running server (postmaster, pgpool) started by the
// harness. It runs in its own process group (pgid == pid) so that the whole
// server, children included, can be signalled at once, and with a parent-death
// signal so that a test binary killed by `go test -timeout` takes its servers
// with it.
type process struct {
	cmd  *exec.Cmd
	pid  int
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // exit status; read only after done is closed
}

type spawnRequest struct {
	cmd   *exec.Cmd
	reply chan error
}

var (
	spawnOnce sync.Once
	spawnCh   = make(chan spawnRequest)
)

// spawnLoop starts every long-running process from one OS thread that never
// exits: Linux delivers the parent-death signal when the *thread* that forked
// the child exits, and Go may retire idle threads (see STYLE §5).
func spawnLoop() {
	runtime.LockOSThread()
	for r := range spawnCh {
		r.reply <- r.cmd.Start()
	}
}

// startProcess starts cmd with stdout and stderr appended to logPath.
func startProcess(cmd *exec.Cmd, logPath string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open log %s: %w", logPath, err)
	}
	defer logf.Close() // the child has its own copy
	cmd.Stdout, cmd.Stderr, cmd.Stdin = logf, logf, nil
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL

	spawnOnce.Do(func() { go spawnLoop() })
	reply := make(chan error)
	spawnCh <- spawnRequest{cmd: cmd, reply: reply}
	if err := <-reply; err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	p := &process{cmd: cmd, pid: cmd.Process.Pid, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to timeout for the process to exit.
func (p *process) wait(timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
		return fmt.Errorf("pid %d still running after %s", p.pid, timeout)
	}
}

// procStat is what the harness needs from /proc/PID/stat.
type procStat struct {
	state byte // R, S, D, Z, T, ...
	ppid  int
	pgrp  int
}

func readProcStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// "pid (comm) S ppid pgrp ...": comm may hold spaces and parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return procStat{}, false
	}
	f := strings.Fields(s[i+2:])
	if len(f) < 3 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	pgrp, _ := strconv.Atoi(f[2])
	return procStat{state: f[0][0], ppid: ppid, pgrp: pgrp}, true
}

// PidAlive reports whether pid is a live process. Zombies count as dead: an
// exited server whose parent (often pid 1) has not reaped it yet no longer
// serves anything.
func PidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	st, ok := readProcStat(pid)
	return ok && st.state != 'Z' && st.state != 'X'
}

// GroupPids lists the live (non-zombie) processes of process group pgid.
// A pgpool started by the harness leads its own group (pgid = pid of its
// main process) and its children stay in it. PostgreSQL's do not: every
// postmaster child calls setsid(); see [ProcessTree].
func GroupPids(pgid int) []int {
	var pids []int
	for _, p := range liveProcs() {
		if p.pgrp == pgid {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

// ProcessTree lists root and its live descendants (a postmaster and its
// backends and auxiliary processes; a pgpool and its children). Orphans
// whose parent already died are not found: collect the tree before killing.
func ProcessTree(root int) []int {
	procs := liveProcs()
	children := make(map[int][]int, len(procs))
	alive := false
	for _, p := range procs {
		children[p.ppid] = append(children[p.ppid], p.pid)
		alive = alive || p.pid == root
	}
	if !alive {
		return nil
	}
	tree := []int{root}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

type liveProc struct{ pid, ppid, pgrp int }

// liveProcs reads every non-zombie process from /proc.
func liveProcs() []liveProc {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	procs := make([]liveProc, 0, len(ents))
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readProcStat(pid); ok && st.state != 'Z' && st.state != 'X' {
			procs = append(procs, liveProc{pid: pid, ppid: st.ppid, pgrp: st.pgrp})
		}
	}
	return procs
}

// alivePids returns the pids that are still alive.
func alivePids(pids []int) []int {
	var left []int
	for _, p := range pids {
		if PidAlive(p) {
			left = append(left, p)
		}
	}
	return left
}

// waitPidsGone waits until every pid has exited; after timeout it sends
// them SIGKILL and waits a little more.
func waitPidsGone(pids []int, timeout time.Duration) error {
	gone := func() error {
		if left := alivePids(pids); len(left) > 0 {
			return fmt.Errorf("processes %v still alive", left)
		}
		return nil
	}
	if WaitFor(timeout, 10*time.Millisecond, gone) == nil {
		return nil
	}
	for _, p := range alivePids(pids) {
		syscall.Kill(p, syscall.SIGKILL)
	}
	if err := WaitFor(10*time.Second, 10*time.Millisecond, gone); err != nil {
		return fmt.Errorf("after SIGKILL: %w", err)
	}
	return nil
}

// killGroup sends sig to process group pgid; a group that is already gone is
// not an error.
func killGroup(pgid int, sig syscall.Signal) error {
	if pgid <= 1 {
		return fmt.Errorf("refusing to signal process group %d", pgid)
	}
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %v to process group %d: %w", sig, pgid, err)
	}
	return nil
}
