package shm

import (
	"errors"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

// Request is a queued request to the supervisor (Pgpool's POOL_REQUEST_NODE).
type Request struct {
	Seq     uint64 // assigned by Post
	Kind    RequestKind
	Details RequestDetail
	Param   byte // kind-specific: the stop mode for ReqStop
	Poster  int  // pid of the posting process
	Nodes   []int
}

// Results the supervisor records for a finished request.
const (
	ResultOK       = 0
	ResultRejected = 1 // the request did not apply (node not valid, failover disallowed, ...)
	ResultFailed   = 2
)

// ErrQueueFull is returned when QueueSize requests are waiting.
var ErrQueueFull = errors.New("shm: request queue is full")

// Post appends r to the queue and returns its sequence number. It does not
// signal the supervisor; the caller does (see supervisor.Notify).
func (s *Segment) Post(r Request) (uint64, error) {
	s.lockQueue()
	defer s.unlockQueue()
	h := s.h
	if h.queueTail-h.queueHead >= QueueSize {
		return 0, ErrQueueFull
	}
	seq := h.queueTail
	slot := &h.queue[seq%QueueSize]
	slot.kind, slot.details, slot.param = uint8(r.Kind), uint8(r.Details), r.Param
	slot.poster = int32(os.Getpid())
	slot.result = 0
	slot.nodes = [MaxBackends / 64]uint64{}
	for _, n := range r.Nodes {
		if n >= 0 && n < MaxBackends {
			slot.nodes[n/64] |= 1 << (n % 64)
		}
	}
	atomic.StoreUint64(&slot.seq, seq+1)
	atomic.StoreUint64(&h.queueTail, seq+1)
	return seq, nil
}

// Take removes the oldest request (supervisor only).
func (s *Segment) Take() (Request, bool) {
	s.lockQueue()
	defer s.unlockQueue()
	h := s.h
	if h.queueHead == h.queueTail {
		return Request{}, false
	}
	seq := h.queueHead
	slot := &h.queue[seq%QueueSize]
	r := Request{Seq: seq, Kind: RequestKind(slot.kind), Details: RequestDetail(slot.details), Param: slot.param, Poster: int(slot.poster)}
	for n := 0; n < MaxBackends; n++ {
		if slot.nodes[n/64]&(1<<(n%64)) != 0 {
			r.Nodes = append(r.Nodes, n)
		}
	}
	atomic.StoreUint64(&slot.seq, 0)
	atomic.StoreUint64(&h.queueHead, seq+1)
	return r, true
}

// Pending is the number of queued requests.
func (s *Segment) Pending() int {
	return int(atomic.LoadUint64(&s.h.queueTail) - atomic.LoadUint64(&s.h.queueHead))
}

// Done records that request seq finished with result (supervisor only).
// Requests finish in queue order.
func (s *Segment) Done(seq uint64, result int32) {
	s.h.queue[seq%QueueSize].result = result
	atomic.StoreUint64(&s.h.doneSeq, seq+1)
}

// WaitDone waits until request seq has finished or the timeout expired,
// and returns its result (valid while fewer than QueueSize requests were
// posted after it).
func (s *Segment) WaitDone(seq uint64, timeout time.Duration) (int32, bool) {
	deadline := time.Now().Add(timeout)
	for atomic.LoadUint64(&s.h.doneSeq) <= seq {
		if time.Now().After(deadline) {
			return 0, false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return atomic.LoadInt32(&s.h.queue[seq%QueueSize].result), true
}

// lockQueue takes the queue spinlock. Critical sections are a few dozen
// instructions; a holder that died inside one (kill -9) is detected by pid
// and its lock taken over.
func (s *Segment) lockQueue() {
	me := uint32(os.Getpid())
	for spins := 0; ; spins++ {
		if atomic.CompareAndSwapUint32(&s.h.queueLock, 0, me) {
			return
		}
		if spins%1000 == 999 {
			holder := atomic.LoadUint32(&s.h.queueLock)
			if holder != 0 && !alive(int(holder)) {
				atomic.CompareAndSwapUint32(&s.h.queueLock, holder, me)
				if atomic.LoadUint32(&s.h.queueLock) == me {
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
		runtime.Gosched()
	}
}

func (s *Segment) unlockQueue() { atomic.StoreUint32(&s.h.queueLock, 0) }

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
