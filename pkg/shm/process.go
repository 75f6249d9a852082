package shm

import (
	"bytes"
	"sync/atomic"
	"time"
)

// Process is one consistent reading of a child slot.
type Process struct {
	Pid         int
	StartTime   time.Time
	Status      ProcessStatus
	EverUsed    bool // served at least one client (child_life_time applies)
	Connections int  // client_connection_count
	CurrentPool int  // pool slot the client uses, -1 none
	Pooled      int  // occupied pool slots
	LBNode      int  // load-balance node of the current session, -1 none
	NeedRestart bool
	WaitSince   time.Time // waiting for a client since (zero while serving)
	ClientHost  string
	ClientPort  int
	Statement   string
	StmtNodes   [MaxBackends / 64]uint64 // nodes the statement was sent to
}

// SentTo reports whether the last statement was sent to node.
func (p *Process) SentTo(node int) bool {
	return node >= 0 && node < MaxBackends && p.StmtNodes[node/64]&(1<<(node%64)) != 0
}

// Pool is one consistent reading of a pool slot of a child.
type Pool struct {
	Connected     bool // a client uses the slot now
	Database      string
	User          string
	Major, Minor  int
	Counter       int // reuse count, 1 on creation
	IdleSeconds   int
	CreateTime    time.Time // backend connection creation; zero when empty
	ClientConnect time.Time
	ClientLeave   time.Time
}

// Conn is a backend connection of a pool slot.
type Conn struct {
	Pid int // backend process id, 0 = none
	Key []byte
}

// ReadProcess reads child slot i.
func (s *Segment) ReadProcess(i int) Process {
	p := &s.procSlots()[i]
	out := Process{
		Pid:         int(atomic.LoadInt32(&p.pid)),
		Status:      ProcessStatus(atomic.LoadUint32(&p.status)),
		EverUsed:    atomic.LoadUint32(&p.everUsed) == 1,
		Connections: int(atomic.LoadUint32(&p.connections)),
		CurrentPool: int(atomic.LoadInt32(&p.currentPool)),
		Pooled:      int(atomic.LoadInt32(&p.pooled)),
		LBNode:      int(atomic.LoadInt32(&p.lbNode)),
		NeedRestart: atomic.LoadUint32(&p.needRestart) == 1,
		StartTime:   time.Unix(atomic.LoadInt64(&p.startTime), 0),
		WaitSince:   unixOrZero(atomic.LoadInt64(&p.waitSince)),
	}
	var host [HostLen]byte
	var stmt [StatementLen]byte
	seqRead(&p.seq, func() {
		host, stmt, out.StmtNodes = p.clientHost, p.statement, p.stmtNodes
		out.ClientPort = int(p.clientPort)
	})
	out.ClientHost, out.Statement = getString(host[:]), getString(stmt[:])
	return out
}

// ReadPool reads pool slot `slot` of child `child`.
func (s *Segment) ReadPool(child, slot int) Pool {
	ps := s.pool(child, slot)
	var out Pool
	var db, user [NameLen]byte
	seqRead(&ps.seq, func() {
		db, user = ps.database, ps.user
		out.Major, out.Minor, out.Counter = int(ps.major), int(ps.minor), int(ps.counter)
		out.CreateTime = unixOrZero(ps.createTime)
		out.ClientConnect = unixOrZero(ps.clientConnect)
		out.ClientLeave = unixOrZero(ps.clientLeave)
	})
	out.Database, out.User = getString(db[:]), getString(user[:])
	out.Connected = atomic.LoadUint32(&ps.connected) == 1
	out.IdleSeconds = int(atomic.LoadInt32(&ps.idleSeconds))
	return out
}

// ReadConn reads the backend connection of node in a pool slot. The key
// is copied.
func (s *Segment) ReadConn(child, slot, node int) Conn {
	c := s.conn(child, slot, node)
	pid := atomic.LoadInt32(&c.pid)
	if pid == 0 {
		return Conn{}
	}
	n := int(atomic.LoadInt32(&c.keyLen))
	return Conn{Pid: int(pid), Key: append([]byte(nil), c.key[:min(n, MaxKeyLen)]...)}
}

func unixOrZero(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(t, 0)
}

// FindCancel finds the pool slot that holds a backend connection with this
// pid and cancel key, in any child (Pgpool's cancel_request, §3.6).
func (s *Segment) FindCancel(pid int32, key []byte) (child, slot int, ok bool) {
	child, slot, _, ok = s.findConn(func(c *backendConn) bool {
		return atomic.LoadInt32(&c.pid) == pid && int(atomic.LoadInt32(&c.keyLen)) == len(key) && bytes.Equal(c.key[:len(key)], key)
	})
	return child, slot, ok
}

// findConn returns the first pooled backend connection of a live child
// for which match holds.
func (s *Segment) findConn(match func(c *backendConn) bool) (child, slot, node int, ok bool) {
	nb := s.NumBackends()
	for ch := 0; ch < s.layout.NumChildren; ch++ {
		if atomic.LoadInt32(&s.procSlots()[ch].pid) == 0 {
			continue
		}
		for sl := 0; sl < s.layout.MaxPool; sl++ {
			for n := 0; n < nb; n++ {
				if match(s.conn(ch, sl, n)) {
					return ch, sl, n, true
				}
			}
		}
	}
	return 0, 0, -1, false
}

// ChildSlot is the writer's handle on one child slot. Only the child that
// owns the slot writes through it (and the supervisor, to clear the slot
// of a dead child).
type ChildSlot struct {
	s *Segment
	i int
	p *process
}

// Child returns the handle for child slot i.
func (s *Segment) Child(i int) *ChildSlot { return &ChildSlot{s: s, i: i, p: &s.procSlots()[i]} }

// Index is the slot number.
func (c *ChildSlot) Index() int { return c.i }

// Start records a new child process in the slot, clearing what its
// predecessor left (supervisor, at spawn).
func (c *ChildSlot) Start(pid int) {
	p := c.p
	seqWrite(&p.seq, func() {
		p.clientHost, p.statement, p.stmtNodes, p.clientPort = [HostLen]byte{}, [StatementLen]byte{}, [MaxBackends / 64]uint64{}, 0
	})
	atomic.StoreUint32(&p.status, uint32(ProcWaitForConnect))
	atomic.StoreInt64(&p.waitSince, time.Now().Unix())
	atomic.StoreUint32(&p.everUsed, 0)
	atomic.StoreUint32(&p.connections, 0)
	atomic.StoreUint32(&p.needRestart, 0)
	atomic.StoreInt32(&p.terminate, 0)
	atomic.StoreInt32(&p.currentPool, -1)
	atomic.StoreInt32(&p.pooled, 0)
	atomic.StoreInt32(&p.lbNode, -1)
	atomic.StoreInt64(&p.startTime, time.Now().Unix())
	for sl := 0; sl < c.s.layout.MaxPool; sl++ {
		c.ClearPool(sl)
	}
	atomic.StoreInt32(&p.pid, int32(pid))
}

// Clear empties the slot of a child that exited (supervisor).
func (c *ChildSlot) Clear() {
	atomic.StoreInt32(&c.p.pid, 0)
	for sl := 0; sl < c.s.layout.MaxPool; sl++ {
		c.ClearPool(sl)
	}
	atomic.StoreInt32(&c.p.currentPool, -1)
	atomic.StoreInt32(&c.p.pooled, 0)
}

// Pid is the pid of the child in the slot, 0 when empty.
func (c *ChildSlot) Pid() int { return int(atomic.LoadInt32(&c.p.pid)) }

// SetStatus records what the child does now; waiting for a connection
// also records since when (child_life_time countdown in SHOW
// pool_processes).
func (c *ChildSlot) SetStatus(st ProcessStatus) {
	if st == ProcWaitForConnect {
		atomic.StoreInt64(&c.p.waitSince, time.Now().Unix())
	} else if ProcessStatus(atomic.LoadUint32(&c.p.status)) == ProcWaitForConnect {
		atomic.StoreInt64(&c.p.waitSince, 0)
	}
	atomic.StoreUint32(&c.p.status, uint32(st))
}

// SetNeedRestart asks the child to exit at its next session boundary.
func (c *ChildSlot) SetNeedRestart() { atomic.StoreUint32(&c.p.needRestart, 1) }

// Terminate asks the child to end its session now because node failed
// (the supervisor signals it afterwards).
func (c *ChildSlot) Terminate(node int) { atomic.StoreInt32(&c.p.terminate, int32(node+1)) }

// TerminateRequested returns the node whose failure ends the session.
func (c *ChildSlot) TerminateRequested() (node int, ok bool) {
	v := atomic.LoadInt32(&c.p.terminate)
	return int(v) - 1, v != 0
}

// NeedRestart reports whether the supervisor asked for a restart.
func (c *ChildSlot) NeedRestart() bool { return atomic.LoadUint32(&c.p.needRestart) == 1 }

// ClientConnected records a new client session on pool slot `slot`.
func (c *ChildSlot) ClientConnected(host string, port int) {
	p := c.p
	seqWrite(&p.seq, func() {
		putString(p.clientHost[:], host)
		p.clientPort = int32(port)
		clear(p.statement[:])
		p.stmtNodes = [MaxBackends / 64]uint64{}
	})
	atomic.StoreUint32(&p.everUsed, 1)
	atomic.AddUint32(&p.connections, 1)
}

// SetCurrentPool records which pool slot the session uses (-1 none) and its
// load-balance node.
func (c *ChildSlot) SetCurrentPool(slot, lbNode int) {
	atomic.StoreInt32(&c.p.currentPool, int32(slot))
	atomic.StoreInt32(&c.p.lbNode, int32(lbNode))
}

// SetPooled records the number of occupied pool slots.
func (c *ChildSlot) SetPooled(n int) { atomic.StoreInt32(&c.p.pooled, int32(n)) }

// SetStatement records the last statement and the nodes it was sent to.
// It copies at most StatementLen-1 bytes and does not allocate.
func (c *ChildSlot) SetStatement(sql []byte, nodes [MaxBackends / 64]uint64) {
	p := c.p
	seqWrite(&p.seq, func() {
		n := copy(p.statement[:StatementLen-1], sql)
		p.statement[n] = 0
		p.stmtNodes = nodes
	})
}

// PoolInfo is what a child records when it fills a pool slot.
type PoolInfo struct {
	Database, User string
	Major, Minor   int
}

// FillPool records a new set of backend connections in slot.
func (c *ChildSlot) FillPool(slot int, info PoolInfo) {
	ps := c.s.pool(c.i, slot)
	now := time.Now().Unix()
	seqWrite(&ps.seq, func() {
		putString(ps.database[:], info.Database)
		putString(ps.user[:], info.User)
		ps.major, ps.minor = int32(info.Major), int32(info.Minor)
		ps.counter = 1
		ps.createTime = now
	})
}

// ReusePool counts one more reuse of slot.
func (c *ChildSlot) ReusePool(slot int) {
	ps := c.s.pool(c.i, slot)
	seqWrite(&ps.seq, func() { ps.counter++ })
}

// SetPoolConnected records a client taking (true) or releasing (false) slot.
func (c *ChildSlot) SetPoolConnected(slot int, connected bool) {
	ps := c.s.pool(c.i, slot)
	now := time.Now().Unix()
	seqWrite(&ps.seq, func() {
		if connected {
			ps.clientConnect = now
		} else {
			ps.clientLeave = now
		}
	})
	var v uint32
	if connected {
		v = 1
	}
	atomic.StoreInt32(&ps.idleSeconds, 0)
	atomic.StoreUint32(&ps.connected, v)
}

// SetIdleSeconds records how long the session on slot has been idle.
func (c *ChildSlot) SetIdleSeconds(slot, sec int) {
	atomic.StoreInt32(&c.s.pool(c.i, slot).idleSeconds, int32(sec))
}

// ClearPool empties slot and its backend connections.
func (c *ChildSlot) ClearPool(slot int) {
	ps := c.s.pool(c.i, slot)
	atomic.StoreUint32(&ps.connected, 0)
	seqWrite(&ps.seq, func() {
		ps.database, ps.user = [NameLen]byte{}, [NameLen]byte{}
		ps.major, ps.minor, ps.counter = 0, 0, 0
		ps.createTime, ps.clientConnect, ps.clientLeave = 0, 0, 0
	})
	for n := 0; n < c.s.NumBackends(); n++ {
		if cn := c.s.conn(c.i, slot, n); atomic.LoadInt32(&cn.pid) != 0 {
			atomic.StoreInt32(&cn.pid, 0)
		}
	}
}

// SetConn records the backend connection to node in slot, with the cancel
// key PostgreSQL gave it.
func (c *ChildSlot) SetConn(slot, node int, pid int32, key []byte) {
	cn := c.s.conn(c.i, slot, node)
	atomic.StoreInt32(&cn.pid, 0) // hide the entry while the key changes
	n := copy(cn.key[:], key)
	atomic.StoreInt32(&cn.keyLen, int32(n))
	atomic.StoreInt64(&cn.createTime, time.Now().Unix())
	atomic.StoreInt32(&cn.pid, pid)
}

// ClearConn forgets the backend connection to node in slot.
func (c *ChildSlot) ClearConn(slot, node int) {
	atomic.StoreInt32(&c.s.conn(c.i, slot, node).pid, 0)
}

// FindBackendPid reports the node of the pooled backend connection whose
// PostgreSQL pid is pid, in any child (pg_terminate_backend routing).
func (s *Segment) FindBackendPid(pid int32) (node int, ok bool) {
	_, _, node, ok = s.findConn(func(c *backendConn) bool { return atomic.LoadInt32(&c.pid) == pid })
	return node, ok
}

// ClaimStandaloneSlot takes a free slot among the standalone ones for a
// child started by hand, and returns its index.
func (s *Segment) ClaimStandaloneSlot(pid int) (int, bool) {
	for i := int(s.h.spareStart); i < s.layout.NumChildren; i++ {
		if atomic.CompareAndSwapInt32(&s.procSlots()[i].pid, 0, int32(pid)) {
			s.Child(i).Start(pid)
			return i, true
		}
	}
	return -1, false
}
