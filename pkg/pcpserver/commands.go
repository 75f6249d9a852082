package pcpserver

import (
	"context"
	"os"
	"syscall"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/recovery"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// post queues a request for the supervisor and wakes it.
func (h *handler) post(r shm.Request) (uint64, error) {
	seq, err := h.seg.Post(r)
	if err != nil {
		return 0, pcp.Errorf("failed to process PCP request at the moment", "the request queue is full; retry when the current failovers are done")
	}
	spawn.Signal(h.seg.SupervisorPid(), syscall.SIGUSR1)
	return seq, nil
}

// wait waits for a posted request to finish (graceful operations).
func (h *handler) wait(ctx context.Context, seq uint64) {
	for {
		if _, ok := h.seg.WaitDone(seq, 100*time.Millisecond); ok {
			return
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// waitClients waits until no client is connected (graceful detach and
// promote), for at most recovery_timeout, as Pgpool's
// wait_connection_closed does; new sessions wait meanwhile.
func (h *handler) waitClients(ctx context.Context, state shm.Recovery) func() {
	h.seg.SetRecovery(state)
	deadline := time.Now().Add(time.Duration(h.config().RecoveryTimeout) * time.Second)
	for h.seg.ConnCounter() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
	}
	return func() { h.seg.SetRecovery(shm.RecoveryInit) }
}

// checkDetach applies Pgpool's checks for a detach (§1.7).
func (h *handler) checkDetach(id int) error {
	if id < 0 || id >= shm.MaxBackends {
		return pcp.ErrDetachOutOfRange(id, shm.MaxBackends)
	}
	st := h.seg.Node(id)
	if !st.Valid() && !st.Quarantine {
		return pcp.ErrDetachInvalidStatus(id, int(st.Status))
	}
	cfg := h.config()
	if id < len(cfg.Backends) && cfg.Backends[id].Flag&config.DisallowToFailover != 0 {
		return pcp.ErrDetachDisallowed(id, os.Getpid())
	}
	return nil
}

// DetachNode queues a node-down request (switchover: only sessions using
// the node are cut) and answers at once; graceful first waits for clients
// to leave and answers when the failover is done.
func (h *handler) DetachNode(ctx context.Context, id int, graceful bool) error {
	if err := h.checkDetach(id); err != nil {
		return err
	}
	req := shm.Request{Kind: shm.ReqNodeDown, Details: shm.DetailSwitchover | shm.DetailConfirmed, Nodes: []int{id}}
	return h.request(ctx, req, graceful, shm.RecoveryDetach)
}

// request queues req. A plain request is answered at once; a graceful one
// first waits for the clients to leave (new sessions wait, held by state)
// and is answered when the supervisor has handled it.
func (h *handler) request(ctx context.Context, req shm.Request, graceful bool, state shm.Recovery) error {
	if !graceful {
		_, err := h.post(req)
		return err
	}
	done := h.waitClients(ctx, state)
	defer done()
	seq, err := h.post(req)
	if err != nil {
		return err
	}
	h.wait(ctx, seq)
	return nil
}

// AttachNode queues a failback request and answers at once. Attaching a
// node that is up is accepted and ignored, as Pgpool does (except in raw
// mode, where Pgpool refuses it).
func (h *handler) AttachNode(_ context.Context, id int) error {
	if id < 0 || id >= shm.MaxBackends {
		return pcp.ErrAttachOutOfRange(id, shm.MaxBackends)
	}
	cfg := h.config()
	st := h.seg.Node(id)
	if id >= len(cfg.Backends) || !cfg.Backends[id].InUse() ||
		cfg.BackendClusteringMode == "raw" && st.Status != shm.StatusDown && st.Valid() {
		return pcp.ErrAttachInvalidStatus(id, int(st.Status))
	}
	_, err := h.post(shm.Request{Kind: shm.ReqNodeUp, Details: shm.DetailConfirmed, Nodes: []int{id}})
	return err
}

// PromoteNode makes a standby the primary: plainly (pgpool takes it as
// primary, failover_command does not run) or as a switchover (the primary
// is detached, failover_command promotes the node, the others follow).
func (h *handler) PromoteNode(ctx context.Context, id int, switchover, graceful bool) error {
	cfg := h.config()
	if id < 0 || id >= len(cfg.Backends) || !cfg.Backends[id].InUse() {
		return pcp.ErrPromoteInvalidNode(id)
	}
	if !cfg.ClusteringModeStreaming() {
		return pcp.ErrPromoteMode()
	}
	if id == h.seg.Primary() {
		return pcp.ErrPromotePrimary(id)
	}
	req := shm.Request{Kind: shm.ReqPromoteNode, Details: shm.DetailConfirmed, Nodes: []int{id}}
	if switchover {
		req = shm.Request{Kind: shm.ReqNodeDown, Details: shm.DetailPromote | shm.DetailSwitchover | shm.DetailConfirmed, Nodes: []int{id}}
	}
	return h.request(ctx, req, graceful, shm.RecoveryPromote)
}

// busy refuses recovery and stop while a failover runs with requests
// queued (§1.7).
func (h *handler) busy() error {
	if h.seg.Switching() && h.seg.Pending() > 0 {
		return pcp.ErrBusy("failover is in progress")
	}
	return nil
}

// RecoverNode runs online recovery of node id and answers when it is
// done (§5.2).
func (h *handler) RecoverNode(ctx context.Context, id int) error {
	if err := h.busy(); err != nil {
		return err
	}
	cfg := h.config()
	if id < 0 || id >= len(cfg.Backends) {
		return pcp.ErrRecoveryInvalidNode(id)
	}
	switch cfg.BackendClusteringMode {
	case "streaming_replication":
		if id == h.seg.PrimaryOrMain() {
			return pcp.ErrRecoveryPrimary()
		}
	default:
		return pcp.ErrRecoveryMode()
	}
	if !h.recovering.CompareAndSwap(false, true) {
		return pcp.ErrRecoveryInProgress()
	}
	defer h.recovering.Store(false)
	return recovery.Run(ctx, id, recovery.Deps{
		Cfg: cfg, Seg: h.seg, Log: *h.logger(), Passwords: h.passwords,
		Attach: func(node int) error {
			seq, err := h.post(shm.Request{Kind: shm.ReqNodeUp, Details: shm.DetailConfirmed, Nodes: []int{node}})
			if err != nil {
				return err
			}
			// Pgpool waits up to 5 s for the failback (FAILBACK_WAIT_MAX_RETRY).
			h.seg.WaitDone(seq, 5*time.Second)
			return nil
		},
	})
}

// StopPgpool answers first, then asks the supervisor to stop (§1.8).
func (h *handler) StopPgpool(_ context.Context, mode pcp.StopMode, _ pcp.Scope) (func(), error) {
	if err := h.busy(); err != nil {
		return nil, err
	}
	sig := syscall.SIGTERM
	switch mode {
	case pcp.StopFast:
		sig = syscall.SIGINT
	case pcp.StopImmediate:
		sig = syscall.SIGQUIT
	}
	return func() { spawn.Signal(h.seg.SupervisorPid(), sig) }, nil
}

// ReloadConfig makes the supervisor reload pgpool.conf (SIGHUP, as Pgpool).
func (h *handler) ReloadConfig(context.Context, pcp.Scope) error {
	return spawn.Signal(h.seg.SupervisorPid(), syscall.SIGHUP)
}
