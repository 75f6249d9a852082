package shm

import (
	"runtime"
	"sync/atomic"
)

// seqWrite runs write under the seqlock seq. Each seqlock has exactly one
// writing process, so writers never contend.
func seqWrite(seq *uint32, write func()) {
	atomic.AddUint32(seq, 1) // odd: a write is in progress
	write()
	atomic.AddUint32(seq, 1)
}

// seqRead runs read until it saw no concurrent write. A writer that died in
// the middle of a write leaves the sequence odd forever; after a bounded
// number of attempts the reader takes what it read rather than hang the
// monitoring that asked.
func seqRead(seq *uint32, read func()) {
	for try := 0; ; try++ {
		s1 := atomic.LoadUint32(seq)
		read()
		if s1&1 == 0 && atomic.LoadUint32(seq) == s1 || try > 1000 {
			return
		}
		runtime.Gosched()
	}
}
