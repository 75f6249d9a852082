package shm

import (
	"sync/atomic"
	"time"
)

// HealthStats are a node's health-check statistics (Pgpool's
// POOL_HEALTH_CHECK_STATISTICS), written by that node's health-check worker.
type HealthStats struct {
	Total, Success, Fail, Skip, Retry uint64
	MaxRetry                          uint32
	Duration                          uint64 // total milliseconds
	MaxDuration, MinDuration          int32  // milliseconds; MinDuration starts at INT_MAX
	Last, LastSuccess, LastSkip       time.Time
	LastFail                          time.Time
}

// HealthStats reads node i's statistics consistently.
func (s *Segment) HealthStats(i int) HealthStats {
	h := &s.nodeSlots()[i].health
	var r healthRecord
	seqRead(&h.seq, func() { r = *h })
	return HealthStats{
		Total: r.total, Success: r.success, Fail: r.fail, Skip: r.skip, Retry: r.retry,
		MaxRetry: r.maxRetry, Duration: r.duration, MaxDuration: r.maxDuration, MinDuration: r.minDuration,
		Last: unixOrZero(r.last), LastSuccess: unixOrZero(r.lastSuccess),
		LastSkip: unixOrZero(r.lastSkip), LastFail: unixOrZero(r.lastFail),
	}
}

// UpdateHealthStats applies update to node i's statistics under the
// record's seqlock (the node's health-check worker is the only writer).
func (s *Segment) UpdateHealthStats(i int, update func(*HealthStats)) {
	h := &s.nodeSlots()[i].health
	st := s.HealthStats(i)
	update(&st)
	seqWrite(&h.seq, func() {
		h.total, h.success, h.fail, h.skip, h.retry = st.Total, st.Success, st.Fail, st.Skip, st.Retry
		h.maxRetry, h.duration, h.maxDuration, h.minDuration = st.MaxRetry, st.Duration, st.MaxDuration, st.MinDuration
		h.last, h.lastSuccess = unixOrNil(st.Last), unixOrNil(st.LastSuccess)
		h.lastSkip, h.lastFail = unixOrNil(st.LastSkip), unixOrNil(st.LastFail)
	})
}

func unixOrNil(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// SetWorkerPids records the pids of the sr-worker and the PCP process
// (supervisor), for tools and for posters that must signal them.
func (s *Segment) SetWorkerPids(srWorker, pcp int) {
	atomic.StoreInt32(&s.h.srWorker, int32(srWorker))
	atomic.StoreInt32(&s.h.pcp, int32(pcp))
}

// WorkerPids returns the pids of the sr-worker and the PCP process.
func (s *Segment) WorkerPids() (srWorker, pcp int) {
	return int(atomic.LoadInt32(&s.h.srWorker)), int(atomic.LoadInt32(&s.h.pcp))
}

// SetHealthPid records the pid of node i's health-check worker (0: none).
func (s *Segment) SetHealthPid(i, pid int) { atomic.StoreInt32(&s.h.health[i], int32(pid)) }

// HealthPid is the pid of node i's health-check worker.
func (s *Segment) HealthPid(i int) int { return int(atomic.LoadInt32(&s.h.health[i])) }
