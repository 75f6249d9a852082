package pcptest

import (
	"context"
	"fmt"
	"sync"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
)

// Call records one Handler call.
type Call struct {
	Method     string
	ID         int // node id, pid or watchdog id; -1 when not applicable
	Graceful   bool
	Switchover bool
	Mode       pcp.StopMode
	Scope      pcp.Scope
	Name       string // SetParameter
	Value      string
}

// Handler is a pcp.Handler over fixed data, checking ids as Pgpool does and
// recording every call. Set the fields before serving; Calls is read with
// CallLog.
type Handler struct {
	Nodes     []pcp.NodeInfo
	Stats     []pcp.HealthCheckStats // index = node id
	Processes []pcp.ProcessInfo      // rows of all children; PIDs derive from them
	Status    []pcp.StatusRow
	// Watchdog is returned by WatchdogInfo; nil means the watchdog is off.
	Watchdog *pcp.WatchdogInfo
	// PrimaryNode is the node id that is primary (promote rejects it).
	PrimaryNode int
	// Fail, when set for a method name, is returned by that method.
	Fail map[string]error
	// Notices are sent before each reply of the named method.
	Notices map[string][]string
	// Stopped receives the stop mode once the reply has been sent.
	Stopped chan pcp.StopMode
	// Block, when set, is waited on by the graceful requests and recovery.
	Block chan struct{}

	mu    sync.Mutex
	calls []Call
}

// CallLog returns the calls so far.
func (h *Handler) CallLog() []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Call(nil), h.calls...)
}

func (h *Handler) record(ctx context.Context, c Call) error {
	h.mu.Lock()
	h.calls = append(h.calls, c)
	h.mu.Unlock()
	for _, n := range h.Notices[c.Method] {
		pcp.Notify(ctx, pcp.LevelNotice, n, "")
	}
	if err := h.Fail[c.Method]; err != nil {
		return err
	}
	return nil
}

func (h *Handler) wait(ctx context.Context) error {
	if h.Block == nil {
		return nil
	}
	select {
	case <-h.Block:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Handler) NodeCount(ctx context.Context) (int, error) {
	if err := h.record(ctx, Call{Method: "NodeCount", ID: -1}); err != nil {
		return 0, err
	}
	return len(h.Nodes), nil
}

func (h *Handler) NodeInfo(ctx context.Context, id int) ([]pcp.NodeInfo, error) {
	if err := h.record(ctx, Call{Method: "NodeInfo", ID: id}); err != nil {
		return nil, err
	}
	if id == -1 {
		return h.Nodes, nil
	}
	if id < 0 || id >= len(h.Nodes) {
		return nil, pcp.ErrNodeInfoInvalidID(id)
	}
	return h.Nodes[id : id+1], nil
}

func (h *Handler) HealthCheckStats(ctx context.Context, id int) (pcp.HealthCheckStats, error) {
	if err := h.record(ctx, Call{Method: "HealthCheckStats", ID: id}); err != nil {
		return pcp.HealthCheckStats{}, err
	}
	if id < 0 || id > len(h.Nodes) {
		return pcp.HealthCheckStats{}, pcp.ErrHealthCheckStatsInvalidID(id)
	}
	if id >= len(h.Stats) {
		return pcp.HealthCheckStats{}, pcp.ErrHealthCheckStatsNoData(id)
	}
	return h.Stats[id], nil
}

func (h *Handler) pids() []int {
	var pids []int
	seen := map[int]bool{}
	for _, p := range h.Processes {
		if p.PID != 0 && !seen[p.PID] {
			seen[p.PID] = true
			pids = append(pids, p.PID)
		}
	}
	return pids
}

func (h *Handler) ProcessCount(ctx context.Context) ([]int, error) {
	if err := h.record(ctx, Call{Method: "ProcessCount", ID: -1}); err != nil {
		return nil, err
	}
	return h.pids(), nil
}

func (h *Handler) ProcessInfo(ctx context.Context, pid int) ([]pcp.ProcessInfo, error) {
	if err := h.record(ctx, Call{Method: "ProcessInfo", ID: pid}); err != nil {
		return nil, err
	}
	if pid == 0 {
		return h.Processes, nil
	}
	var rows []pcp.ProcessInfo
	for _, p := range h.Processes {
		if p.PID == pid {
			rows = append(rows, p)
		}
	}
	if rows == nil {
		return nil, pcp.ErrProcessInfoInvalidPID(pid)
	}
	return rows, nil
}

func (h *Handler) PoolStatus(ctx context.Context) ([]pcp.StatusRow, error) {
	if err := h.record(ctx, Call{Method: "PoolStatus", ID: -1}); err != nil {
		return nil, err
	}
	return h.Status, nil
}

func (h *Handler) checkNode(id int) (*pcp.NodeInfo, bool) {
	if id < 0 || id >= len(h.Nodes) {
		return nil, false
	}
	return &h.Nodes[id], true
}

func (h *Handler) DetachNode(ctx context.Context, id int, graceful bool) error {
	if err := h.record(ctx, Call{Method: "DetachNode", ID: id, Graceful: graceful}); err != nil {
		return err
	}
	n, ok := h.checkNode(id)
	if !ok {
		return pcp.ErrDetachOutOfRange(id, 128)
	}
	if n.Status != pcp.NodeUp && n.Status != pcp.NodeWaiting {
		return pcp.ErrDetachInvalidStatus(id, int(n.Status))
	}
	if graceful {
		return h.wait(ctx)
	}
	return nil
}

func (h *Handler) AttachNode(ctx context.Context, id int) error {
	if err := h.record(ctx, Call{Method: "AttachNode", ID: id}); err != nil {
		return err
	}
	if _, ok := h.checkNode(id); !ok {
		return pcp.ErrAttachOutOfRange(id, 128)
	}
	return nil
}

func (h *Handler) PromoteNode(ctx context.Context, id int, switchover, graceful bool) error {
	if err := h.record(ctx, Call{Method: "PromoteNode", ID: id, Switchover: switchover, Graceful: graceful}); err != nil {
		return err
	}
	if _, ok := h.checkNode(id); !ok {
		return pcp.ErrPromoteInvalidNode(id)
	}
	if id == h.PrimaryNode {
		return pcp.ErrPromotePrimary(id)
	}
	if graceful {
		return h.wait(ctx)
	}
	return nil
}

func (h *Handler) RecoverNode(ctx context.Context, id int) error {
	if err := h.record(ctx, Call{Method: "RecoverNode", ID: id}); err != nil {
		return err
	}
	if _, ok := h.checkNode(id); !ok {
		return pcp.ErrRecoveryInvalidNode(id)
	}
	if id == h.PrimaryNode {
		return pcp.ErrRecoveryPrimary()
	}
	return h.wait(ctx)
}

func (h *Handler) StopPgpool(ctx context.Context, mode pcp.StopMode, scope pcp.Scope) (func(), error) {
	if err := h.record(ctx, Call{Method: "StopPgpool", ID: -1, Mode: mode, Scope: scope}); err != nil {
		return nil, err
	}
	return func() {
		if h.Stopped != nil {
			h.Stopped <- mode
		}
	}, nil
}

func (h *Handler) ReloadConfig(ctx context.Context, scope pcp.Scope) error {
	return h.record(ctx, Call{Method: "ReloadConfig", ID: -1, Scope: scope})
}

func (h *Handler) LogRotate(ctx context.Context, scope pcp.Scope) error {
	return h.record(ctx, Call{Method: "LogRotate", ID: -1, Scope: scope})
}

func (h *Handler) InvalidateQueryCache(ctx context.Context) error {
	return h.record(ctx, Call{Method: "InvalidateQueryCache", ID: -1})
}

func (h *Handler) WatchdogInfo(ctx context.Context, id int) (pcp.WatchdogInfo, error) {
	if err := h.record(ctx, Call{Method: "WatchdogInfo", ID: id}); err != nil {
		return pcp.WatchdogInfo{}, err
	}
	if h.Watchdog == nil {
		return pcp.WatchdogInfo{}, pcp.ErrWatchdogNotEnabled()
	}
	w := *h.Watchdog
	if id >= 0 {
		if id >= len(w.Nodes) {
			return pcp.WatchdogInfo{}, fmt.Errorf("no watchdog node %d", id)
		}
		w.Nodes = w.Nodes[id : id+1]
	}
	return w, nil
}

func (h *Handler) SetParameter(ctx context.Context, name, value string) error {
	if err := h.record(ctx, Call{Method: "SetParameter", ID: -1, Name: name, Value: value}); err != nil {
		return err
	}
	return pcp.ErrInvalidParameter(name)
}
