package pgcluster_test

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

func TestWaitFor(t *testing.T) {
	t.Run("returns once the condition holds", func(t *testing.T) {
		calls := 0
		err := pgcluster.WaitFor(10*time.Second, time.Millisecond, func() error {
			calls++
			if calls < 3 {
				return errors.New("not yet")
			}
			return nil
		})
		if err != nil || calls != 3 {
			t.Errorf("err %v after %d calls, want nil after 3", err, calls)
		}
	})
	t.Run("reports the last error after the deadline", func(t *testing.T) {
		last := errors.New("last")
		calls := 0
		err := pgcluster.WaitFor(20*time.Millisecond, time.Millisecond, func() error {
			calls++
			if calls > 1 {
				return last
			}
			return errors.New("first")
		})
		if !errors.Is(err, last) || !strings.Contains(err.Error(), "after 20ms") {
			t.Errorf("err = %v, want it to wrap the last error and name the timeout", err)
		}
	})
	t.Run("calls the condition at least once with a zero timeout", func(t *testing.T) {
		calls := 0
		if err := pgcluster.WaitFor(0, time.Millisecond, func() error { calls++; return nil }); err != nil || calls != 1 {
			t.Errorf("err %v, %d calls", err, calls)
		}
	})
}

func TestFreePorts(t *testing.T) {
	ports, err := pgcluster.FreePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] {
			t.Errorf("port %d twice in %v", p, ports)
		}
		seen[p] = true
		if p < 20000 || p >= 32768 {
			t.Errorf("port %d outside 20000-32767: the kernel may give it to a client as its source port", p)
		}
		// Free again after the call: we can bind it.
		l, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Errorf("port %d not free: %v", p, err)
			continue
		}
		l.Close()
	}
}

func TestStopMode(t *testing.T) {
	tests := []struct {
		mode   pgcluster.StopMode
		name   string
		signal string
	}{
		{pgcluster.Smart, "smart", "terminated"},
		{pgcluster.Fast, "fast", "interrupt"},
		{pgcluster.Immediate, "immediate", "quit"},
	}
	for _, tt := range tests {
		if got := tt.mode.String(); got != tt.name {
			t.Errorf("String() = %q, want %q", got, tt.name)
		}
		if got := tt.mode.Signal().String(); got != tt.signal {
			t.Errorf("%s: Signal() = %q, want %q", tt.name, got, tt.signal)
		}
	}
	if got := pgcluster.StopMode(7).String(); got != "StopMode(7)" {
		t.Errorf("bad mode prints %q", got)
	}
}

func TestBinDirFailsClearly(t *testing.T) {
	t.Setenv("PGBIN", "/nonexistent/pgbin")
	_, err := pgcluster.BinDir()
	if err == nil || !strings.Contains(err.Error(), "PGBIN=/nonexistent/pgbin") {
		t.Errorf("BinDir with a bad PGBIN: %v", err)
	}
}

func TestWaitForAbort(t *testing.T) {
	gone := errors.New("server exited")
	calls := 0
	err := pgcluster.WaitFor(time.Minute, time.Millisecond, func() error {
		calls++
		return fmt.Errorf("check: %w", pgcluster.Abort(gone))
	})
	if !errors.Is(err, gone) || calls != 1 {
		t.Errorf("err %v after %d calls; want %v at once", err, calls, gone)
	}
}
