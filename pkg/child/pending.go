package child

import "github.com/pgpool-go/pgpool-go/pkg/router"

// pendEntry is one message sent to a backend whose response the session
// still expects, in the order the client sent them: responses from
// several nodes reach the client in request order (Pgpool's pending
// message list).
type pendEntry struct {
	node int16
	kind byte // 'Q' query, 'F' function call, 'P' 'B' 'D' 'E' 'C' 'S' extended protocol
	// eff is an Execute's statement effect, for write tracking when its
	// CommandComplete arrives (track: only on the main node's entry).
	eff   router.Effect
	track bool
	fwd   bool  // forward the response to the client, or swallow it
	stmt  bool  // Describe of a statement: ParameterDescription comes first
	last  bool  // the last entry of a group: its ReadyForQuery goes to the client
	main  bool  // the group's main node: its transaction status is the client's
	abort bool  // the statement that fails the primary's transaction (abortPrimary)
	move  int16 // a Parse moving a statement to the primary: 1 + its index in session.moves
	// deferred: a Sync not sent yet, which releaseSync sends when the
	// entry reaches the head of the queue.
	deferred bool
}

// pending is a growable ring of pendEntry; pipelines of thousands of
// messages before a Sync are normal (JDBC batches).
type pending struct {
	ring  []pendEntry
	head  int
	n     int
	waitZ int // groups waiting for their ReadyForQuery
}

func (p *pending) reset() { p.head, p.n, p.waitZ = 0, 0, 0 }

func (p *pending) empty() bool { return p.n == 0 }

func (p *pending) push(e pendEntry) {
	if p.n == len(p.ring) {
		nr := make([]pendEntry, max(64, 2*len(p.ring)))
		for i := 0; i < p.n; i++ {
			nr[i] = p.ring[(p.head+i)%len(p.ring)]
		}
		p.ring, p.head = nr, 0
	}
	p.ring[(p.head+p.n)%len(p.ring)] = e
	p.n++
}

func (p *pending) front() *pendEntry { return &p.ring[p.head] }

// pushFront puts e before every other entry.
func (p *pending) pushFront(e pendEntry) {
	p.push(e) // grows the ring when full
	p.n--
	p.head = (p.head - 1 + len(p.ring)) % len(p.ring)
	p.ring[p.head] = e
	p.n++
}

func (p *pending) pop() {
	p.head = (p.head + 1) % len(p.ring)
	p.n--
}

// dropUntilSync removes the entries of node that precede its next Sync:
// after an error a node discards every message until Sync (a simple Query
// too) and answers none of them. Entries of other nodes stay in place.
// It returns the number of dropped entries that ended a group, which the
// caller no longer waits for, and whether node has a Sync queued.
// A dropped Parse that moved a statement marks that move failed.
func (p *pending) dropUntilSync(node int16, moves []move) (groups int, synced bool) {
	out := 0
	dropping := true
	for i := 0; i < p.n; i++ {
		e := p.ring[(p.head+i)%len(p.ring)]
		if e.node == node && dropping {
			if e.kind == 'S' {
				dropping = false
			} else {
				if e.last && (e.kind == 'Q' || e.kind == 'F') {
					groups++
				}
				if e.move > 0 && int(e.move) <= len(moves) {
					moves[e.move-1].failed = true
				}
				continue
			}
		}
		p.ring[(p.head+out)%len(p.ring)] = e
		out++
	}
	p.n = out
	return groups, !dropping
}

// has reports whether node has an entry waiting.
func (p *pending) has(node int16) bool {
	for i := 0; i < p.n; i++ {
		if p.ring[(p.head+i)%len(p.ring)].node == node {
			return true
		}
	}
	return false
}

// describe lists the entries for a protocol-violation message: kind and
// node of each, the head first ("B1 D1 S0 S1").
func (p *pending) describe() string {
	var b []byte
	for i := 0; i < p.n && i < 32; i++ {
		e := p.ring[(p.head+i)%len(p.ring)]
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, e.kind)
		b = append(b, itoa(int(e.node))...)
		if e.deferred {
			b = append(b, '*')
		}
	}
	return string(b)
}
