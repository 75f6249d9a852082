package child

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/pool"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// fakeBackend is a scripted PostgreSQL: it accepts one connection, answers
// the startup, and answers every Query or Sync the way PostgreSQL answers
// pgbench's select: RowDescription, one DataRow, CommandComplete,
// ReadyForQuery. It reads and writes with fixed buffers so that it
// allocates nothing per message and the benchmark counts only the
// session's allocations. It uses the socket with blocking system calls:
// the session under test waits in raw polls that the Go runtime does not
// see (relay.Poll), and a goroutine parked on the netpoller would be
// woken only when such a wait ends.
func fakeBackend(t testing.TB) (port int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		f, err := nc.(*net.TCPConn).File()
		if err != nil {
			return
		}
		defer f.Close()
		c := fdRW(f.Fd()) // Fd puts the duplicate in blocking mode
		var hdr [4]byte
		io.ReadFull(c, hdr[:])
		startup := make([]byte, binary.BigEndian.Uint32(hdr[:])-4)
		io.ReadFull(c, startup)
		var greet []byte
		greet = relay.AppendAuthOK(greet)
		greet = relay.AppendParameterStatus(greet, "server_version", "15.0")
		greet = relay.AppendBackendKeyData(greet, 4242, []byte{1, 2, 3, 4})
		greet = relay.AppendReadyForQuery(greet, 'I')
		c.Write(greet)
		var answer []byte
		answer = relay.AppendRowDescription(answer, []string{"abalance"})
		answer = relay.AppendDataRow(answer, []string{"0"})
		answer = relay.AppendSelectComplete(answer, 1)
		answer = relay.AppendReadyForQuery(answer, 'I')
		buf := make([]byte, 64<<10)
		for {
			if _, err := io.ReadFull(c, buf[:5]); err != nil {
				return
			}
			n := int(binary.BigEndian.Uint32(buf[1:5])) - 4
			if _, err := io.ReadFull(c, buf[5:5+n]); err != nil {
				return
			}
			switch buf[0] {
			case 'Q', 'S':
				c.Write(answer)
			case 'X':
				return
			}
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// fdRW reads and writes a blocking descriptor with plain system calls.
type fdRW int

func (fd fdRW) Read(p []byte) (int, error) {
	n, err := unix.Read(int(fd), p)
	if n == 0 && err == nil {
		return 0, io.EOF
	}
	return max(n, 0), err
}

func (fd fdRW) Write(p []byte) (int, error) { return unix.Write(int(fd), p) }

// benchChild builds a child with one backend (raw mode) and shared memory
// in a temporary file, and returns a session attached to a client socket.
func benchSession(t testing.TB) (s *session, client int) {
	port := fakeBackend(t)
	conf := "backend_clustering_mode = 'raw'\nbackend_hostname0 = '127.0.0.1'\nbackend_port0 = " + strconv.Itoa(port) +
		"\nbackend_weight0 = 1\nnum_init_children = 1\nmax_pool = 1\nconnection_cache = on\n"
	cfg, _, err := config.LoadString(filepath.Join(t.TempDir(), "pgpool.conf"), conf)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := shm.Create(filepath.Join(t.TempDir(), "seg"), shm.Layout{NumChildren: 1, MaxPool: 1, NumBackends: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Remove() })
	seg.SetNode(0, shm.NodeState{Status: shm.StatusUp, Role: shm.RoleMain})
	seg.SetMain(0)
	seg.SetPrimary(-1)
	fl, err := newFlags()
	if err != nil {
		t.Fatal(err)
	}
	c := &Child{env: &spawn.Env{}, seg: seg, slot: seg.Child(0), flags: fl, rng: rand.New(rand.NewPCG(1, 2)), log: zerolog.Nop()}
	if err := c.setConfig(cfg); err != nil {
		t.Fatal(err)
	}
	c.log = zerolog.Nop()
	c.pool = pool.New(1, shm.MaxBackends, c.slot)
	c.sess = newSession(c)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(fds[0], true)
	s = c.sess
	s.begin(fds[0], "[local]", 0)
	t.Cleanup(func() { unix.Close(fds[1]) })
	// The client's startup packet, then attach.
	pkt := relay.StartupPacket(relay.Param{Name: "database", Value: "bench"}, relay.Param{Name: "user", Value: "bench"})
	unix.Write(fds[1], pkt)
	if !s.startup() {
		t.Fatal("startup failed")
	}
	readUntilReady(t, fds[1])
	unix.SetNonblock(fds[1], true)
	return s, fds[1]
}

// readUntilReady reads from the client socket up to a ReadyForQuery.
func readUntilReady(t testing.TB, fd int) {
	var buf [4096]byte
	have := 0
	for {
		n, err := unix.Read(fd, buf[have:])
		if err != nil || n == 0 {
			t.Fatalf("client read: %v", err)
		}
		have += n
		// The last frame is a ReadyForQuery when the buffer ends with one.
		if have >= 6 && buf[have-6] == 'Z' {
			return
		}
	}
}

// roundTrip runs one pgbench-style query through the session engine:
// the client's Query in, the backend's answer out to the client. It drives
// the loop the way session.loop does (wait, step, flush) until the client
// has the answer's ReadyForQuery.
func roundTrip(t testing.TB, s *session, client int, query []byte, resp []byte) {
	if _, err := unix.Write(client, query); err != nil {
		t.Fatal(err)
	}
	have := 0
	for {
		if err := s.wait(); err != nil {
			t.Fatal(err)
		}
		if err := s.step(); err != nil {
			t.Fatal(err)
		}
		if err := s.flushAll(); err != nil {
			t.Fatal(err)
		}
		n, err := unix.Read(client, resp[have:]) // non-blocking after the startup
		if err == nil && n > 0 {
			have += n
			if have >= 6 && resp[have-6] == 'Z' {
				return
			}
		}
	}
}

var pgbenchSelect = relay.AppendQuery(nil, "SELECT abalance FROM pgbench_accounts WHERE aid = 12345;")

func BenchmarkSessionSimpleQuery(b *testing.B) {
	s, client := benchSession(b)
	resp := make([]byte, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		roundTrip(b, s, client, pgbenchSelect, resp)
	}
}

// TestSessionRoundTripDoesNotAllocate: the relay's per-message path (a
// query in, its answer out, with routing) allocates nothing.
func TestSessionRoundTripDoesNotAllocate(t *testing.T) {
	s, client := benchSession(t)
	resp := make([]byte, 4096)
	roundTrip(t, s, client, pgbenchSelect, resp) // warm up buffers and caches
	// Not testing.AllocsPerRun: it runs with GOMAXPROCS=1, where the fake
	// backend's goroutine gets no P while the session waits in a raw poll
	// and every round trip lasts the whole raw wait. The fake backend
	// allocates nothing per message, so the process's count is the
	// session's.
	const runs = 200
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		roundTrip(t, s, client, pgbenchSelect, resp)
	}
	runtime.ReadMemStats(&after)
	if n := after.Mallocs - before.Mallocs; n >= runs {
		t.Fatalf("%d query round trips allocated %d times", runs, n)
	}
}
