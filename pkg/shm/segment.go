package shm

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Segment is one process's mapping of the shared segment.
type Segment struct {
	file   *os.File
	mem    []byte
	h      *header
	layout Layout
	off    offsets
}

// ErrLayout reports a segment written by a build with another layout.
var ErrLayout = errors.New("shm: segment layout does not match this build")

// Path is the segment file for a pool listening on port. Tools attach to
// it by port, the way pcp and monitoring address a pool.
func Path(port int) string { return "/dev/shm/pgpool-go." + strconv.Itoa(port) }

// ErrInUse means another live pool holds the segment (and so the port).
var ErrInUse = errors.New("shm: segment is in use by a running pool")

// Create makes the segment at path for layout l and takes the port lock:
// an exclusive flock on the segment file, held by the open file that every
// worker inherits, so a second pool on the same port fails here even with
// another pid file, and no new pool starts while an orphaned worker of the
// old one still runs. A stale file left by a pool that died is reused and
// cleared.
func Create(path string, l Layout) (*Segment, error) {
	if l.NumChildren < 1 || l.MaxPool < 1 || l.NumBackends < 0 || l.NumBackends > MaxBackends {
		return nil, fmt.Errorf("shm: invalid layout %+v", l)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0600)
	if err != nil {
		return nil, fmt.Errorf("create shared memory segment %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		pid := holderPid(f)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %s: %w (supervisor pid %d)", path, ErrInUse, pid)
		}
		return nil, fmt.Errorf("lock shared memory segment %s: %w", path, err)
	}
	size := l.Size()
	if err := f.Truncate(0); err == nil {
		err = f.Truncate(int64(size))
	}
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("size shared memory segment %s to %d bytes: %w", path, size, err)
	}
	s, err := mapSegment(f, l)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	h := s.h
	copy(h.magic[:], magic)
	h.version = LayoutVersion
	h.headerSize = uint32(unsafe.Sizeof(header{}))
	h.size = uint64(size)
	h.numChildren = uint32(l.NumChildren)
	h.spareStart = uint32(max(l.NumChildren-StandaloneSlots, 1))
	h.maxPool = uint32(l.MaxPool)
	h.numBackends = int32(l.NumBackends)
	h.supervisor = int32(os.Getpid())
	h.startTime = time.Now().Unix()
	h.primaryNode = -2
	h.mainNode = -1
	for i := range s.procSlots() {
		s.procSlots()[i].currentPool = -1
		s.procSlots()[i].lbNode = -1
	}
	for i := range s.nodeSlots() {
		s.nodeSlots()[i].health.minDuration = 1<<31 - 1 // INT_MAX, as Pgpool initialises it
	}
	return s, nil
}

// holderPid reads the supervisor pid from an existing segment's header.
func holderPid(f *os.File) int {
	var hdr header
	if n, _ := f.ReadAt(unsafe.Slice((*byte)(unsafe.Pointer(&hdr)), unsafe.Sizeof(hdr)), 0); n == int(unsafe.Sizeof(hdr)) && string(hdr.magic[:]) == magic {
		return int(hdr.supervisor)
	}
	return 0
}

// Attach maps the segment open on f (a worker's inherited descriptor, or
// a file a tool opened by Path). The layout comes from the header.
func Attach(f *os.File) (*Segment, error) {
	var hdr header
	n, err := f.ReadAt(unsafe.Slice((*byte)(unsafe.Pointer(&hdr)), unsafe.Sizeof(hdr)), 0)
	if err != nil || n != int(unsafe.Sizeof(hdr)) {
		return nil, fmt.Errorf("read shared memory header of %s: %w", f.Name(), errOr(err, ErrLayout))
	}
	if string(hdr.magic[:]) != magic || hdr.version != LayoutVersion || hdr.headerSize != uint32(unsafe.Sizeof(hdr)) {
		return nil, fmt.Errorf("attach %s (version %d, this build %d): %w", f.Name(), hdr.version, LayoutVersion, ErrLayout)
	}
	l := Layout{NumChildren: int(hdr.numChildren), MaxPool: int(hdr.maxPool), NumBackends: int(hdr.numBackends)}
	if uint64(l.Size()) != hdr.size {
		return nil, fmt.Errorf("attach %s: size %d, layout wants %d: %w", f.Name(), hdr.size, l.Size(), ErrLayout)
	}
	return mapSegment(f, l)
}

// Open attaches to the segment of the pool on port (read-write), for tools.
func Open(port int) (*Segment, error) {
	f, err := os.OpenFile(Path(port), os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open shared memory of the pool on port %d: %w", port, err)
	}
	s, err := Attach(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func mapSegment(f *os.File, l Layout) (*Segment, error) {
	size := l.Size()
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map shared memory segment %s (%d bytes): %w", f.Name(), size, err)
	}
	return &Segment{file: f, mem: mem, h: (*header)(unsafe.Pointer(&mem[0])), layout: l, off: l.offsets()}, nil
}

func errOr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// File is the open segment file, to be inherited by workers.
func (s *Segment) File() *os.File { return s.file }

// Layout is the layout the segment was created with.
func (s *Segment) Layout() Layout { return s.layout }

// Close unmaps the segment; the file stays.
func (s *Segment) Close() error {
	if s.mem == nil {
		return nil
	}
	err := unix.Munmap(s.mem)
	s.mem, s.h = nil, nil
	if cerr := s.file.Close(); err == nil {
		err = cerr
	}
	return err
}

// Remove deletes the segment file and unmaps it (clean shutdown). The file
// goes first, while the lock is still held, so a new pool never sees it
// half gone.
func (s *Segment) Remove() error {
	err := os.Remove(s.file.Name())
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *Segment) nodeSlots() []node {
	return unsafe.Slice((*node)(unsafe.Pointer(&s.mem[s.off.nodes])), MaxBackends)
}

func (s *Segment) procSlots() []process {
	return unsafe.Slice((*process)(unsafe.Pointer(&s.mem[s.off.procs])), s.layout.NumChildren)
}

func (s *Segment) pool(child, slot int) *poolSlot {
	i := child*s.layout.MaxPool + slot
	return (*poolSlot)(unsafe.Pointer(&s.mem[s.off.pools+uintptr(i)*unsafe.Sizeof(poolSlot{})]))
}

func (s *Segment) conn(child, slot, nodeID int) *backendConn {
	i := (child*s.layout.MaxPool+slot)*MaxBackends + nodeID
	return (*backendConn)(unsafe.Pointer(&s.mem[s.off.conns+uintptr(i)*unsafe.Sizeof(backendConn{})]))
}

// SupervisorPid is the pid of the supervisor that created the segment.
func (s *Segment) SupervisorPid() int { return int(atomic.LoadInt32(&s.h.supervisor)) }

// StartTime is when the supervisor created the segment.
func (s *Segment) StartTime() time.Time { return time.Unix(s.h.startTime, 0) }

// NumChildren is num_init_children at start.
func (s *Segment) NumChildren() int { return s.layout.NumChildren }

// MaxPool is max_pool at start.
func (s *Segment) MaxPool() int { return s.layout.MaxPool }
