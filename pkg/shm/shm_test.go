package shm_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

func newSegment(t *testing.T) (*shm.Segment, *shm.Segment) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seg")
	s, err := shm.Create(path, shm.Layout{NumChildren: 4, MaxPool: 2, NumBackends: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove() })
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	other, err := shm.Attach(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return s, other
}

func TestNodeStateIsSharedBetweenMappings(t *testing.T) {
	s, other := newSegment(t)
	if got := other.Primary(); got != -2 {
		t.Fatalf("primary before the first search = %d, want -2", got)
	}
	gen := other.Generation()
	changed := time.Unix(1700000000, 0)
	s.SetNode(1, shm.NodeState{Status: shm.StatusDown, Role: shm.RoleStandby, Quarantine: true, Changed: changed})
	st := other.Node(1)
	if st.Status != shm.StatusDown || st.Role != shm.RoleStandby || !st.Quarantine || !st.Changed.Equal(changed) {
		t.Fatalf("node 1 read through the other mapping = %+v", st)
	}
	if st.StatusText() != "quarantine" {
		t.Errorf("status text = %q, want quarantine", st.StatusText())
	}
	if other.Generation() == gen {
		t.Error("generation did not change with the node status")
	}
}

func TestPrimaryOrMainFallsBackToMainNode(t *testing.T) {
	s, _ := newSegment(t)
	s.SetNode(0, shm.NodeState{Status: shm.StatusDown})
	s.SetNode(1, shm.NodeState{Status: shm.StatusUp})
	s.SetMain(1)
	s.SetPrimary(0)
	if got := s.PrimaryOrMain(); got != 1 {
		t.Fatalf("PrimaryOrMain with a down primary = %d, want the main node 1", got)
	}
	s.SetNode(0, shm.NodeState{Status: shm.StatusUp})
	if got := s.PrimaryOrMain(); got != 0 {
		t.Fatalf("PrimaryOrMain with a valid primary = %d, want 0", got)
	}
}

func TestCompareAndSetStatusOnlyFromExpected(t *testing.T) {
	s, _ := newSegment(t)
	s.SetNode(0, shm.NodeState{Status: shm.StatusConnectWait, Role: shm.RolePrimary})
	if !s.CompareAndSetStatus(0, shm.StatusConnectWait, shm.StatusUp) {
		t.Fatal("waiting → up refused")
	}
	if s.CompareAndSetStatus(0, shm.StatusConnectWait, shm.StatusUp) {
		t.Fatal("second waiting → up accepted")
	}
	if st := s.Node(0); st.Status != shm.StatusUp || st.Role != shm.RolePrimary {
		t.Fatalf("node 0 = %+v, want up primary", st)
	}
}

func TestQueueKeepsOrderAndRefusesWhenFull(t *testing.T) {
	s, other := newSegment(t)
	for i := 0; i < shm.QueueSize; i++ {
		if _, err := other.Post(shm.Request{Kind: shm.ReqNodeDown, Details: shm.DetailSwitchover, Nodes: []int{i % 2}}); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	if _, err := other.Post(shm.Request{Kind: shm.ReqNodeUp}); !errors.Is(err, shm.ErrQueueFull) {
		t.Fatalf("post to a full queue: %v, want ErrQueueFull", err)
	}
	for i := 0; i < shm.QueueSize; i++ {
		r, ok := s.Take()
		if !ok || r.Seq != uint64(i) || r.Kind != shm.ReqNodeDown || len(r.Nodes) != 1 || r.Nodes[0] != i%2 || r.Details != shm.DetailSwitchover {
			t.Fatalf("take %d = %+v, %v", i, r, ok)
		}
		s.Done(r.Seq, shm.ResultRejected)
	}
	if _, ok := s.Take(); ok {
		t.Fatal("take from an empty queue succeeded")
	}
	if res, ok := other.WaitDone(shm.QueueSize-1, time.Second); !ok || res != shm.ResultRejected {
		t.Fatalf("WaitDone = %d, %v", res, ok)
	}
}

func TestFindCancelMatchesPidAndWholeKey(t *testing.T) {
	s, other := newSegment(t)
	c := s.Child(2)
	c.Start(os.Getpid())
	c.SetConn(1, 1, 4242, []byte{1, 2, 3, 4})
	if ch, sl, ok := other.FindCancel(4242, []byte{1, 2, 3, 4}); !ok || ch != 2 || sl != 1 {
		t.Fatalf("FindCancel = %d, %d, %v; want child 2 slot 1", ch, sl, ok)
	}
	if _, _, ok := other.FindCancel(4242, []byte{1, 2, 3, 5}); ok {
		t.Fatal("a wrong key matched")
	}
	if _, _, ok := other.FindCancel(4242, []byte{1, 2, 3}); ok {
		t.Fatal("a key prefix matched")
	}
	c.ClearConn(1, 1)
	if _, _, ok := other.FindCancel(4242, []byte{1, 2, 3, 4}); ok {
		t.Fatal("a cleared connection matched")
	}
}

func TestChildSlotReporting(t *testing.T) {
	s, other := newSegment(t)
	c := s.Child(0)
	c.Start(1234)
	c.ClientConnected("127.0.0.1", 50000)
	c.FillPool(0, shm.PoolInfo{Database: "test", User: "alice", Major: 3})
	c.SetPoolConnected(0, true)
	c.SetStatement([]byte("SELECT 1"), [2]uint64{0b10})
	p := other.ReadProcess(0)
	if p.Pid != 1234 || !p.EverUsed || p.Connections != 1 || p.ClientHost != "127.0.0.1" || p.ClientPort != 50000 || p.Statement != "SELECT 1" || !p.SentTo(1) || p.SentTo(0) {
		t.Fatalf("process = %+v", p)
	}
	pool := other.ReadPool(0, 0)
	if !pool.Connected || pool.Database != "test" || pool.User != "alice" || pool.Counter != 1 || pool.CreateTime.IsZero() {
		t.Fatalf("pool = %+v", pool)
	}
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'x'
	}
	c.SetStatement(long, [2]uint64{})
	if got := len(other.ReadProcess(0).Statement); got != shm.StatementLen-1 {
		t.Fatalf("long statement kept %d bytes, want %d", got, shm.StatementLen-1)
	}
	if n := testing.AllocsPerRun(100, func() { c.SetStatement([]byte("SELECT 1"), [2]uint64{}) }); n != 0 {
		t.Errorf("SetStatement allocates %v times", n)
	}
}

func TestAttachRefusesAnotherLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bogus")
	if err := os.WriteFile(path, make([]byte, 8192), 0600); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	if _, err := shm.Attach(f); !errors.Is(err, shm.ErrLayout) {
		t.Fatalf("attach of a zero file: %v, want ErrLayout", err)
	}
}

func TestCreateReplacesStaleSegment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seg")
	if err := os.WriteFile(path, []byte("stale"), 0600); err != nil {
		t.Fatal(err)
	}
	s, err := shm.Create(path, shm.Layout{NumChildren: 1, MaxPool: 1, NumBackends: 1})
	if err != nil {
		t.Fatalf("create over a stale file: %v", err)
	}
	if err := s.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("segment file left after Remove: %v", err)
	}
}

func TestSecondCreateOnTheSamePortFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seg")
	s, err := shm.Create(path, shm.Layout{NumChildren: 1, MaxPool: 1, NumBackends: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Remove()
	if _, err := shm.Create(path, shm.Layout{NumChildren: 1, MaxPool: 1, NumBackends: 1}); !errors.Is(err, shm.ErrInUse) {
		t.Fatalf("second create: %v, want ErrInUse", err)
	}
	if s.Primary() != -2 {
		t.Fatal("the second create disturbed the first segment")
	}
}
