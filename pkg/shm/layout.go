package shm

import "unsafe"

// The layout below is mapped directly onto the segment. Every struct holds
// only fixed-size values (no Go pointers), fields are ordered so that every
// 8-byte value sits at an 8-byte offset, and LayoutVersion changes whenever
// any of them changes: processes of different builds must never share a
// segment they read differently.

const (
	magic         = "PGPOOLGO"
	LayoutVersion = 1

	// MaxBackends is the number of node slots, as Pgpool-II's MAX_NUM_BACKENDS.
	MaxBackends = 128
	// QueueSize is the capacity of the request queue. Pgpool-II has 10; a
	// larger queue means a burst of health-check and child reports during
	// a failover is never refused.
	QueueSize = 64
	// MaxKeyLen is the longest cancel key (protocol 3.2 allows 256 bytes).
	MaxKeyLen = 256
	// StatementLen is how much of the last statement a child records.
	StatementLen = 1024
	// NameLen bounds database and user names kept for reporting (the pool
	// itself matches full names, held privately by the child).
	NameLen = 64
	// HostLen bounds a client host text.
	HostLen = 64
)

type header struct {
	magic       [8]byte
	version     uint32
	headerSize  uint32
	size        uint64
	numChildren uint32
	maxPool     uint32
	numBackends int32 // configured node slots (highest backend_portN index + 1)
	supervisor  int32 // pid of the supervisor, the only consumer of the queue
	spareStart  uint32
	_           uint32
	startTime   int64

	generation  uint64 // bumped on every node status or role change
	primaryNode int32  // -2 until the first primary search ends, -1 none
	mainNode    int32  // lowest-numbered valid node, -1 none
	switching   uint32 // 1 while a failover or failback runs
	connCounter int32  // clients connected to the pool
	recovery    int32  // Recovery
	followLock  uint32 // follow-primary lock (holder pid)

	queueLock uint32 // holder pid, 0 = free
	_         uint32
	queueHead uint64 // next sequence number to take
	queueTail uint64 // next sequence number to assign
	doneSeq   uint64 // highest sequence number the supervisor finished

	srWorker       int32
	pcp            int32
	queryCacheFlag uint32
	_              uint32
	queue          [QueueSize]requestSlot
	health         [MaxBackends]int32 // pids of the health-check workers
}

type requestSlot struct {
	seq     uint64 // sequence number + 1 once published, 0 while empty
	kind    uint8
	details uint8
	param   uint8
	_       [1]byte
	poster  int32
	result  int32
	_       uint32
	nodes   [MaxBackends / 64]uint64
}

type node struct {
	// state packs status, role, the quarantine flag and the time of the
	// last change into one atomic word (net/http's curState): readers
	// never see a status with another status's timestamp.
	state       uint64
	weight      uint64 // float64 bits of the configured weight
	flags       uint32 // config.BackendFlag bits
	delayByTime uint32 // 1: delay is microseconds, 0: bytes
	delay       uint64
	replSeq     uint32 // seqlock over replState and replSync
	_           uint32
	replState   [32]byte
	replSync    [32]byte
	stats       [numStats]uint64
	health      healthRecord
}

type healthRecord struct {
	seq         uint32
	maxRetry    uint32
	maxDuration int32
	minDuration int32
	total       uint64
	success     uint64
	fail        uint64
	skip        uint64
	retry       uint64
	duration    uint64 // total milliseconds
	last        int64
	lastSuccess int64
	lastSkip    int64
	lastFail    int64
}

type process struct {
	pid         int32
	status      uint32 // ProcessStatus
	startTime   int64
	everUsed    uint32 // a client was served at least once
	connections uint32 // client_connection_count
	needRestart uint32 // exit at the next session boundary
	currentPool int32  // pool slot in use by the client, -1 none
	pooled      int32  // occupied pool slots
	lbNode      int32
	terminate   int32  // node+1 whose failure ends the current session, 0 none
	waitSince   int64  // when the child last started waiting for a client
	seq         uint32 // seqlock over the fields below
	clientPort  int32
	stmtNodes   [MaxBackends / 64]uint64
	clientHost  [HostLen]byte
	statement   [StatementLen]byte
}

type poolSlot struct {
	seq           uint32 // seqlock over the names and times
	connected     uint32 // a client uses this slot now
	major         int32
	minor         int32
	counter       int32
	idleSeconds   int32
	createTime    int64
	clientConnect int64
	clientLeave   int64
	database      [NameLen]byte
	user          [NameLen]byte
}

type backendConn struct {
	pid        int32 // backend process id, 0 = no connection
	keyLen     int32
	createTime int64
	key        [MaxKeyLen]byte
}

// StandaloneSlots are child slots beyond num_init_children for children
// started by hand (cmd/pgpool-child) to join a running pool.
const StandaloneSlots = 2

// Layout is what the segment is sized from.
type Layout struct {
	NumChildren int // child slots: num_init_children + StandaloneSlots
	MaxPool     int // max_pool
	NumBackends int // configured node slots
}

type offsets struct {
	nodes, procs, pools, conns, size uintptr
}

func (l Layout) offsets() offsets {
	var o offsets
	o.nodes = align(unsafe.Sizeof(header{}))
	o.procs = align(o.nodes + MaxBackends*unsafe.Sizeof(node{}))
	o.pools = align(o.procs + uintptr(l.NumChildren)*unsafe.Sizeof(process{}))
	o.conns = align(o.pools + uintptr(l.NumChildren*l.MaxPool)*unsafe.Sizeof(poolSlot{}))
	o.size = align(o.conns + uintptr(l.NumChildren*l.MaxPool*MaxBackends)*unsafe.Sizeof(backendConn{}))
	return o
}

// Size is the segment size for l.
func (l Layout) Size() int { return int(l.offsets().size) }

func align(n uintptr) uintptr { return (n + 63) &^ 63 }
