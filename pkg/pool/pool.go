package pool

import (
	"bytes"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// Key identifies what a slot's connections were opened for. Pgpool
// requires the sorted startup packet to be byte-identical (§3.2), so
// protocol version, application_name and every option participate.
type Key struct {
	User     string
	Database string
	Major    int
	Startup  []byte
}

func (k Key) equal(o Key) bool {
	return k.User == o.User && k.Database == o.Database && k.Major == o.Major && bytes.Equal(k.Startup, o.Startup)
}

// Slot is one set of backend connections.
type Slot struct {
	Index    int
	Key      Key
	Conns    []*backend.Conn // by node id; nil: not connected
	Main     int             // node whose ParameterStatus and key the client got
	Params   []relay.Param   // the main node's ParameterStatus, replayed on reuse
	Released time.Time       // when the last client left (Pgpool's closetime)
	InUse    bool
	// AuthUser is the user a client authenticated as to get this slot;
	// the slot is handed only to a client that authenticated again for
	// the same user (Pgpool-II's 2025 cached-connection bug).
	AuthUser string
}

// Open reports whether the slot holds at least one connection.
func (s *Slot) Open() bool {
	for _, c := range s.Conns {
		if c != nil {
			return true
		}
	}
	return false
}

// Pool is a child's set of slots.
type Pool struct {
	slots []*Slot
	shm   *shm.ChildSlot
}

// New makes a pool of maxPool slots for nodes node slots, reporting into
// the child's shared-memory slot.
func New(maxPool, nodes int, cs *shm.ChildSlot) *Pool {
	p := &Pool{shm: cs}
	for i := 0; i < maxPool; i++ {
		p.slots = append(p.slots, &Slot{Index: i, Conns: make([]*backend.Conn, nodes), Main: -1})
	}
	return p
}

// Slots are all slots, for reporting.
func (p *Pool) Slots() []*Slot { return p.slots }

// Get returns the slot for key: a cached one (reused = true) whose
// connections are still healthy, else an empty slot, else the least
// recently released one emptied (its connections terminated).
func (p *Pool) Get(key Key) (s *Slot, reused bool) {
	for _, s := range p.slots {
		if s.InUse || !s.Open() {
			continue
		}
		if s.Key.User == key.User && s.Key.Database == key.Database && s.Key.Major == key.Major && !s.Key.equal(key) {
			// Same user and database, other options: Pgpool discards it.
			p.Discard(s)
			continue
		}
		if s.Key.equal(key) {
			if !p.healthy(s) {
				p.Discard(s)
				break
			}
			s.InUse = true
			p.shm.ReusePool(s.Index)
			return s, true
		}
	}
	var victim *Slot
	for _, s := range p.slots {
		if s.InUse {
			continue
		}
		if !s.Open() {
			victim = s
			break
		}
		if victim == nil || s.Released.Before(victim.Released) {
			victim = s
		}
	}
	if victim == nil {
		return nil, false // cannot happen: a child serves one session
	}
	p.Discard(victim)
	victim.Key = Key{User: key.User, Database: key.Database, Major: key.Major, Startup: append([]byte(nil), key.Startup...)}
	victim.InUse = true
	return victim, false
}

// healthy checks a cached slot as Pgpool does before reuse: a connection
// with anything to read (an error, a shutdown notice, EOF) while idle is
// not trusted.
func (p *Pool) healthy(s *Slot) bool {
	for _, c := range s.Conns {
		if c == nil {
			continue
		}
		if c.Buffered() > 0 {
			return false
		}
		pfd := [1]unix.PollFd{{Fd: int32(c.FD), Events: unix.POLLIN}}
		if n, _ := unix.Poll(pfd[:], 0); n != 0 {
			return false
		}
	}
	return true
}

// Release gives the slot back after a session. With keep false (no
// caching, failed reset, client vanished) its connections are closed.
func (p *Pool) Release(s *Slot, keep bool) {
	s.InUse = false
	s.Released = time.Now()
	if !keep {
		p.Discard(s)
	}
	p.report()
}

// Discard terminates a slot's connections and empties it.
func (p *Pool) Discard(s *Slot) {
	for i, c := range s.Conns {
		if c != nil {
			c.Terminate()
			s.Conns[i] = nil
		}
	}
	s.Params, s.Main, s.AuthUser = nil, -1, ""
	s.Key = Key{}
	p.shm.ClearPool(s.Index)
	p.report()
}

// DropNode closes a slot's connection to one node (it went down).
func (p *Pool) DropNode(s *Slot, node int) {
	if c := s.Conns[node]; c != nil {
		c.Close()
		s.Conns[node] = nil
		p.shm.ClearConn(s.Index, node)
	}
}

// ExpireIdle closes idle slots released more than lifetime ago
// (connection_life_time) and returns when the next one expires (zero:
// none).
func (p *Pool) ExpireIdle(now time.Time, lifetime time.Duration) time.Time {
	var next time.Time
	for _, s := range p.slots {
		if s.InUse || !s.Open() {
			continue
		}
		exp := s.Released.Add(lifetime)
		if !now.Before(exp) {
			p.Discard(s)
			continue
		}
		if next.IsZero() || exp.Before(next) {
			next = exp
		}
	}
	return next
}

// CloseIdle closes every idle slot (SIGUSR1, e.g. after DROP DATABASE).
func (p *Pool) CloseIdle() {
	for _, s := range p.slots {
		if !s.InUse && s.Open() {
			p.Discard(s)
		}
	}
}

// CloseAll closes every slot (child exit).
func (p *Pool) CloseAll() {
	for _, s := range p.slots {
		if s.Open() {
			p.Discard(s)
		}
	}
}

func (p *Pool) report() {
	n := 0
	for _, s := range p.slots {
		if s.Open() {
			n++
		}
	}
	p.shm.SetPooled(n)
}

// DropDownNodes closes connections to nodes that are not valid any more
// in every idle slot.
func (p *Pool) DropDownNodes(valid func(node int) bool) {
	for _, s := range p.slots {
		for n, c := range s.Conns {
			if c != nil && !valid(n) {
				p.DropNode(s, n)
			}
		}
	}
}
