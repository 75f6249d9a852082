package supervisor

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// proc is one worker process in the supervisor's table. Only the loop
// goroutine reads or writes it.
type proc struct {
	role    spawn.Role
	slot    int // child slot, or node id for a health check
	pid     int
	os      *os.Process
	started time.Time
	ready   bool
	stopped bool // we asked it to exit; do not respawn
}

func (p *proc) String() string {
	if p.role == spawn.RoleChild || p.role == spawn.RoleHealth {
		return fmt.Sprintf("%s %d (pid %d)", p.role, p.slot, p.pid)
	}
	return fmt.Sprintf("%s (pid %d)", p.role, p.pid)
}

// title is what ps shows for a worker, Pgpool's process titles, because
// operators' monitoring greps for them.
func title(role spawn.Role, slot int) string {
	switch role {
	case spawn.RoleChild:
		return "pgpool: wait for connection request"
	case spawn.RoleHealth:
		return "pgpool: health check process(" + strconv.Itoa(slot) + ")"
	case spawn.RoleSRWorker:
		return "pgpool: worker process"
	case spawn.RolePCP:
		return "pgpool: PCP: wait for connection request"
	}
	return "pgpool: " + string(role)
}

type exitEvent struct {
	p     *proc
	state *os.ProcessState
	err   error
}

type readyEvent struct {
	p  *proc
	ok bool
}

// start re-executes our own image (/proc/self/exe, never a path an
// upgrade may have replaced) as a worker with the given role, passing the
// life pipe, a ready pipe, the segment and the listening sockets at the
// fixed slots of package spawn.
func (s *Supervisor) start(role spawn.Role, slot int, listeners []Listener) (*proc, error) {
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create ready pipe for %s: %w", role, err)
	}
	defer readyW.Close()
	files := []*os.File{os.Stdin, os.Stdout, os.Stderr, s.lifeR, readyW, s.seg.File()}
	names := []string{"life", "ready", "shm"}
	for _, l := range listeners {
		files = append(files, l.File)
		names = append(names, l.Name)
	}
	env := append(os.Environ(),
		spawn.EnvRole+"="+string(role),
		spawn.EnvSlot+"="+strconv.Itoa(slot),
		spawn.EnvFDs+"="+strings.Join(names, ","),
		spawn.EnvConfig+"="+s.snapshot,
		spawn.EnvPCP+"="+s.opts.PCPFile,
		spawn.EnvHBA+"="+s.opts.HBAFile,
		spawn.EnvKey+"="+s.opts.KeyFile,
	)
	if s.opts.JSONLog {
		env = append(env, spawn.EnvLog+"=json")
	}
	if os.Getenv("GOMAXPROCS") == "" && role == spawn.RoleChild {
		// A child serves one session from one goroutine; a second P runs
		// its signal and parent-watch goroutines while the session's
		// goroutine waits in a raw poll (relay.Poll). More would only add
		// idle Ps per process on large machines.
		env = append(env, "GOMAXPROCS=2")
	}
	if role == spawn.RoleChild {
		env = childGODEBUG(env)
	}
	osp, err := os.StartProcess(s.exe, []string{spawn.Argv0(title(role, slot))}, &os.ProcAttr{Env: env, Files: files})
	if err != nil {
		readyR.Close()
		return nil, fmt.Errorf("start %s %d: %w", role, slot, err)
	}
	p := &proc{role: role, slot: slot, pid: osp.Pid, os: osp, started: time.Now()}
	go func() {
		state, err := osp.Wait()
		s.events <- exitEvent{p: p, state: state, err: err}
	}()
	go func() {
		defer readyR.Close()
		readyR.SetReadDeadline(time.Now().Add(readyTimeout))
		var b [1]byte
		n, _ := readyR.Read(b[:])
		s.events <- readyEvent{p: p, ok: n == 1}
	}()
	return p, nil
}

// readyTimeout bounds a worker's start; one that never reports ready is
// killed and respawned (tableflip's notifyReady).
const readyTimeout = 30 * time.Second

// childGODEBUG turns off asynchronous preemption in a child. Its session
// goroutine lives in system calls it re-enters without ever passing
// through the Go scheduler (relay.Poll), so sysmon takes it for a
// goroutine running for more than 10 ms and signals it (SIGURG) every
// tick: each signal interrupts the wait with EINTR, for nothing, since
// there is no other goroutine to give the CPU to. Measured on the sandbox
// (32 children, pgbench -S -c 10): 52 signals a second in every idle
// child, and 42 -> 35 ms of CPU per 1000 transactions without them. The
// child's code calls functions everywhere, so the cooperative preemption
// that remains is enough for the garbage collector.
func childGODEBUG(env []string) []string {
	for i, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			if strings.Contains(v, "asyncpreemptoff=") {
				return env // the operator's choice
			}
			env[i] = kv + ",asyncpreemptoff=1"
			return env
		}
	}
	return append(env, "GODEBUG=asyncpreemptoff=1")
}
