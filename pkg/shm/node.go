package shm

import (
	"math"
	"sync/atomic"
	"time"
)

// NodeState is one consistent reading of a node's status word.
type NodeState struct {
	Status     NodeStatus
	Role       Role
	Quarantine bool
	Changed    time.Time // last status or role change
}

// Valid reports whether the node may receive queries.
func (n NodeState) Valid() bool { return n.Status.Valid() }

// StatusText is the status as SHOW pool_nodes prints it ("quarantine" for a
// quarantined down node).
func (n NodeState) StatusText() string {
	if n.Status == StatusDown && n.Quarantine {
		return "quarantine"
	}
	return n.Status.String()
}

func packState(st NodeState) uint64 {
	w := uint64(st.Status) | uint64(st.Role)<<8
	if st.Quarantine {
		w |= 1 << 16
	}
	return w | uint64(st.Changed.Unix())<<24
}

func unpackState(w uint64) NodeState {
	return NodeState{
		Status:     NodeStatus(w & 0xff),
		Role:       Role(w >> 8 & 0xff),
		Quarantine: w>>16&1 == 1,
		Changed:    time.Unix(int64(w>>24), 0),
	}
}

// NumBackends is the number of configured node slots.
func (s *Segment) NumBackends() int { return int(atomic.LoadInt32(&s.h.numBackends)) }

// SetNumBackends records the configured slot count (supervisor; a reload
// may add nodes in unused slots).
func (s *Segment) SetNumBackends(n int) {
	if n > MaxBackends {
		n = MaxBackends
	}
	atomic.StoreInt32(&s.h.numBackends, int32(n))
	s.bump()
}

// Node reads node i's state. Out-of-range ids read as unused.
func (s *Segment) Node(i int) NodeState {
	if i < 0 || i >= MaxBackends {
		return NodeState{}
	}
	return unpackState(atomic.LoadUint64(&s.nodeSlots()[i].state))
}

// SetNode writes node i's state and bumps the generation. Only the
// supervisor calls it.
func (s *Segment) SetNode(i int, st NodeState) {
	if st.Changed.IsZero() {
		st.Changed = time.Now()
	}
	atomic.StoreUint64(&s.nodeSlots()[i].state, packState(st))
	s.bump()
}

// CompareAndSetStatus moves node i from status old to new (keeping its role)
// and reports whether it did. Children use it for the one transition
// Pgpool lets them make: waiting → up on the first successful connection.
func (s *Segment) CompareAndSetStatus(i int, old, new NodeStatus) bool {
	p := &s.nodeSlots()[i].state
	for {
		w := atomic.LoadUint64(p)
		st := unpackState(w)
		if st.Status != old {
			return false
		}
		st.Status, st.Changed = new, time.Now()
		if atomic.CompareAndSwapUint64(p, w, packState(st)) {
			s.bump()
			return true
		}
	}
}

// Generation changes whenever any node's status or role, the primary or
// the main node changes.
func (s *Segment) Generation() uint64 { return atomic.LoadUint64(&s.h.generation) }

func (s *Segment) bump() { atomic.AddUint64(&s.h.generation, 1) }

// Primary is Req_info->primary_node_id: -2 before the first primary search
// ended, -1 when there is no primary.
func (s *Segment) Primary() int { return int(atomic.LoadInt32(&s.h.primaryNode)) }

// SetPrimary records the primary node id (supervisor only).
func (s *Segment) SetPrimary(id int) {
	atomic.StoreInt32(&s.h.primaryNode, int32(id))
	s.bump()
}

// Main is the lowest-numbered valid node, -1 when none.
func (s *Segment) Main() int { return int(atomic.LoadInt32(&s.h.mainNode)) }

// SetMain records the main node id (supervisor only).
func (s *Segment) SetMain(id int) {
	atomic.StoreInt32(&s.h.mainNode, int32(id))
	s.bump()
}

// PrimaryOrMain is Pgpool's PRIMARY_NODE_ID: the primary if it is known
// and valid, otherwise the main node (reference §2.5, behaviour 7).
func (s *Segment) PrimaryOrMain() int {
	if p := s.Primary(); p >= 0 && s.Node(p).Valid() {
		return p
	}
	return s.Main()
}

// Switching reports whether a failover or failback is in progress.
func (s *Segment) Switching() bool { return atomic.LoadUint32(&s.h.switching) != 0 }

// SetSwitching sets the failover-in-progress flag (supervisor only).
func (s *Segment) SetSwitching(on bool) {
	var v uint32
	if on {
		v = 1
	}
	atomic.StoreUint32(&s.h.switching, v)
}

// SetWeight records node i's configured weight.
func (s *Segment) SetWeight(i int, w float64) {
	atomic.StoreUint64(&s.nodeSlots()[i].weight, math.Float64bits(w))
}

// Weight is node i's configured weight.
func (s *Segment) Weight(i int) float64 {
	return math.Float64frombits(atomic.LoadUint64(&s.nodeSlots()[i].weight))
}

// SetFlags records node i's backend_flag bits.
func (s *Segment) SetFlags(i int, f uint32) { atomic.StoreUint32(&s.nodeSlots()[i].flags, f) }

// Flags is node i's backend_flag bits.
func (s *Segment) Flags(i int) uint32 { return atomic.LoadUint32(&s.nodeSlots()[i].flags) }

// Replication is what the sr-worker last measured for a node.
type Replication struct {
	Delay     uint64 // bytes, or microseconds when ByTime
	ByTime    bool
	State     string // pg_stat_replication.state
	SyncState string // pg_stat_replication.sync_state
}

// SetReplication records node i's replication measurement (sr-worker).
func (s *Segment) SetReplication(i int, r Replication) {
	n := &s.nodeSlots()[i]
	seqWrite(&n.replSeq, func() {
		putString(n.replState[:], r.State)
		putString(n.replSync[:], r.SyncState)
	})
	s.SetDelay(i, r.Delay, r.ByTime)
}

// SetDelay records only node i's delay, keeping the replication state.
func (s *Segment) SetDelay(i int, delay uint64, byTime bool) {
	n := &s.nodeSlots()[i]
	var bt uint32
	if byTime {
		bt = 1
	}
	atomic.StoreUint32(&n.delayByTime, bt)
	atomic.StoreUint64(&n.delay, delay)
}

// Delay is node i's replication delay without the strings (router hot path).
func (s *Segment) Delay(i int) (delay uint64, byTime bool) {
	n := &s.nodeSlots()[i]
	return atomic.LoadUint64(&n.delay), atomic.LoadUint32(&n.delayByTime) == 1
}

// Replication reads node i's replication record consistently.
func (s *Segment) Replication(i int) Replication {
	n := &s.nodeSlots()[i]
	var state, sync [32]byte
	seqRead(&n.replSeq, func() { state, sync = n.replState, n.replSync })
	r := Replication{State: getString(state[:]), SyncState: getString(sync[:])}
	r.Delay, r.ByTime = s.Delay(i)
	return r
}

// CountStatement adds one to node i's counter of kind k.
func (s *Segment) CountStatement(i int, k StatKind) {
	atomic.AddUint64(&s.nodeSlots()[i].stats[k], 1)
}

// Stats reads node i's statement counters, indexed by StatKind.
func (s *Segment) Stats(i int) [numStats]uint64 {
	var out [numStats]uint64
	for k := range out {
		out[k] = atomic.LoadUint64(&s.nodeSlots()[i].stats[k])
	}
	return out
}

// ConnCounter is the number of clients connected to the pool.
func (s *Segment) ConnCounter() int { return int(atomic.LoadInt32(&s.h.connCounter)) }

// ConnCountUp counts a new client in and returns the new count.
func (s *Segment) ConnCountUp() int { return int(atomic.AddInt32(&s.h.connCounter, 1)) }

// ConnCountDown counts a client out.
func (s *Segment) ConnCountDown() { atomic.AddInt32(&s.h.connCounter, -1) }

// Recovery is the online-recovery state.
func (s *Segment) Recovery() Recovery { return Recovery(atomic.LoadInt32(&s.h.recovery)) }

// SetRecovery sets the online-recovery state and reports whether it did:
// moving away from RecoveryInit succeeds only from RecoveryInit, so only
// one recovery runs at a time.
func (s *Segment) SetRecovery(r Recovery) bool {
	if r == RecoveryInit {
		atomic.StoreInt32(&s.h.recovery, 0)
		return true
	}
	return atomic.CompareAndSwapInt32(&s.h.recovery, 0, int32(r))
}

func putString(dst []byte, s string) {
	n := copy(dst[:len(dst)-1], s)
	clear(dst[n:])
}

func getString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
