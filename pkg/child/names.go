package child

import (
	"github.com/pgpool-go/pgpool-go/pkg/router"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// nodeMask is a set of node ids.
type nodeMask [shm.MaxBackends / 64]uint64

func (m *nodeMask) set(n int)     { m[n/64] |= 1 << (n % 64) }
func (m nodeMask) has(n int) bool { return m[n/64]&(1<<(n%64)) != 0 }
func (m nodeMask) empty() bool    { return m == nodeMask{} }
func maskOf(n int) (m nodeMask)   { m.set(n); return m }
func (m *nodeMask) clear()        { *m = nodeMask{} }
func (m nodeMask) union(o nodeMask) nodeMask {
	for i := range m {
		m[i] |= o[i]
	}
	return m
}

// first is the lowest node in m, -1 when empty.
func (m nodeMask) first() int {
	for i, w := range m {
		if w != 0 {
			for b := 0; b < 64; b++ {
				if w&(1<<b) != 0 {
					return i*64 + b
				}
			}
		}
	}
	return -1
}

// next is the lowest node in m above n, -1 when none.
func (m nodeMask) next(n int) int {
	for i := n + 1; i < shm.MaxBackends; i++ {
		if m.has(i) {
			return i
		}
	}
	return -1
}

// target is where a prepared statement or portal lives, and what the
// router must remember about it.
type target struct {
	nodes nodeMask
	// also holds the nodes that have the statement but do not run it: it
	// was moved to the primary (parse before bind). Close goes there too.
	also nodeMask
	main int // the node whose responses the client sees
	dest router.Destination
	eff  router.Effect
	// parse is the Parse message, kept for a statement that did not go to
	// the primary, in case a writing transaction makes the router send it
	// there before a Bind ("parse before bind"), and for a statement that
	// is routed again at each Bind (reroute).
	parse []byte
	// parsed are the nodes that hold a statement that is routed again at
	// each Bind (it may have run elsewhere before).
	parsed nodeMask
	// reroute: route the statement's SQL again at each Bind (named
	// statement, disable_load_balance_on_write = dml_adaptive).
	reroute bool
}

// move is a statement moved to the primary since the last Sync, with its
// target before the move: if the primary skips the Parse (an error
// earlier in the batch), the move is undone when the Sync's
// ReadyForQuery arrives.
type move struct {
	name   string
	orig   target
	failed bool
}

// names maps prepared statement or portal names to their nodes. The
// unnamed one, used for every statement by most drivers, lives outside
// the map so it costs no allocation.
type names struct {
	unnamed    target
	hasUnnamed bool
	m          map[string]target
}

func newNames() names { return names{m: map[string]target{}} }

func (n *names) reset() {
	n.hasUnnamed = false
	clear(n.m)
}

func (n *names) set(name []byte, t target) {
	if len(name) == 0 {
		// Reuse the unnamed statement's Parse buffer: drivers send one
		// unnamed Parse per statement.
		t.parse = append(n.unnamed.parse[:0], t.parse...)
		n.unnamed, n.hasUnnamed = t, true
		return
	}
	if t.parse != nil {
		t.parse = append([]byte(nil), t.parse...)
	}
	n.m[string(name)] = t
}

func (n *names) get(name []byte) (target, bool) {
	if len(name) == 0 {
		return n.unnamed, n.hasUnnamed
	}
	t, ok := n.m[string(name)]
	return t, ok
}

func (n *names) del(name []byte) {
	if len(name) == 0 {
		n.hasUnnamed = false
		return
	}
	delete(n.m, string(name))
}
