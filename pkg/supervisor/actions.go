package supervisor

import (
	"syscall"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// do runs fn on the loop goroutine and waits for it: the failover
// goroutine acts on the process table only this way.
func (s *Supervisor) do(fn func()) {
	done := make(chan struct{})
	select {
	case s.events <- loopCall{fn: fn, done: done}:
	case <-s.loopDone:
		return
	}
	select {
	case <-done:
	case <-s.loopDone:
	}
}

type loopCall struct {
	fn   func()
	done chan struct{}
}

// actions implements failover.Actions on the supervisor.
type actions struct{ s *Supervisor }

// EndSessions ends the sessions of every child (all) or of those balancing
// on node: the child tells its client which node failed and exits, and is
// respawned. Children waiting for a client are left alone: they keep no
// per-node state a failover would make stale (their pooled connections to
// down nodes are dropped when a session starts).
func (a actions) EndSessions(all bool, node int) {
	a.s.do(func() {
		for slot, p := range a.s.children {
			if p == nil {
				continue
			}
			info := a.s.seg.ReadProcess(slot)
			if info.Status == shm.ProcWaitForConnect || info.CurrentPool < 0 {
				continue
			}
			if !all && info.LBNode != node {
				continue
			}
			reason := node
			if all && reason < 0 {
				reason = a.s.seg.Primary()
			}
			a.s.seg.Child(slot).Terminate(reason)
			spawn.Signal(p.pid, syscall.SIGUSR2)
			pid := p.pid
			time.AfterFunc(5*time.Second, func() { spawn.Signal(pid, syscall.SIGKILL) })
		}
	})
}

// RestartChildrenAfterSession is where Pgpool makes every child exit after
// its session, to refresh its private copy of the node status. Children
// here read node status from shared memory at every session, so there is
// nothing to refresh.
func (a actions) RestartChildrenAfterSession() {}

// RestartSRWorker restarts the sr-worker so it starts over with the new
// topology (Pgpool sends it SIGUSR1).
func (a actions) RestartSRWorker() {
	a.s.do(func() {
		if p := a.s.workers[workerKey{spawn.RoleSRWorker, 0}]; p != nil {
			spawn.Signal(p.pid, syscall.SIGUSR1)
		}
	})
}

// StartHealthCheck starts node's health check if it does not run.
func (a actions) StartHealthCheck(node int) {
	a.s.do(func() {
		if a.s.stop == stopNone && a.s.workers[workerKey{spawn.RoleHealth, node}] == nil {
			a.s.startWorker(spawn.RoleHealth, node, nil)
		}
	})
}

// CloseIdleConnections asks every child to close its idle pooled
// connections (SIGUSR1), e.g. after a DROP DATABASE.
func (a actions) CloseIdleConnections() {
	a.s.do(func() {
		for _, p := range a.s.children {
			if p != nil {
				spawn.Signal(p.pid, syscall.SIGUSR1)
			}
		}
	})
}

// Stop is a stop requested through PCP.
func (a actions) Stop(mode byte) {
	a.s.do(func() {
		switch mode {
		case 's':
			a.s.beginStop(stopSmart)
		case 'f':
			a.s.beginStop(stopFast)
		default:
			a.s.beginStop(stopImmediate)
		}
	})
}

// Reload is a reload requested through PCP.
func (a actions) Reload() { a.s.do(a.s.reload) }
