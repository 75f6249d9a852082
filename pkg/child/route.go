package child

import (
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// routing is where one statement goes.
type routing struct {
	nodes   nodeMask
	main    int          // the node whose answer the client gets
	rewrite []byte       // the frame the other nodes get instead (BEGIN rewrite), or nil
	kind    shm.StatKind // counter to bump per node
	count   bool         // whether the statement is counted (Pgpool counts parsed statements)
}

// last is the highest node of r (its ReadyForQuery ends the group).
func (r routing) last() int {
	last := -1
	for n := r.nodes.first(); n >= 0; n = r.nodes.next(n) {
		last = n
	}
	return last
}

// route decides where a statement goes.
// TODO(#6): the router: load balancing of reads, BOTH-class statements,
// write tracking. Until then everything goes to the primary, which is
// Pgpool's raw mode.
func (s *session) route(sql []byte, extended bool) routing {
	return s.primaryOnly()
}

func (s *session) primaryOnly() routing {
	return routing{nodes: maskOf(s.primary), main: s.primary}
}

func (s *session) primaryTarget() target {
	return target{nodes: maskOf(s.primary), main: s.primary}
}

// countStatement bumps the per-node statement counters.
func (s *session) countStatement(r routing) {
	if !r.count {
		return
	}
	for n := r.nodes.first(); n >= 0; n = r.nodes.next(n) {
		s.c.seg.CountStatement(n, r.kind)
	}
}
