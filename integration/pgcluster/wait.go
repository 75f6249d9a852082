package pgcluster

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"testing"
	"time"
)

// WaitFor calls cond every interval until it returns nil or timeout has
// passed since the first call; it then returns an error carrying cond's last
// error. cond is always called at least once; an error made by [Abort] ends
// the wait at once. This is the one way tests here wait for something
// (STYLE §6: no sleeps).
func WaitFor(timeout, interval time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		var a abortError
		if errors.As(err, &a) {
			return a.err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still failing after %s: %w", timeout, err)
		}
		time.Sleep(interval)
	}
}

// Abort wraps an error that waiting cannot cure (the server being waited
// for has exited): returned by a condition, it makes WaitFor and Eventually
// give up at once with err.
func Abort(err error) error { return abortError{err} }

type abortError struct{ err error }

func (e abortError) Error() string { return e.err.Error() }
func (e abortError) Unwrap() error { return e.err }

// Eventually is [WaitFor] for tests: it fails the test (t.Fatal) with the
// last error of cond when cond has not returned nil within timeout.
func Eventually(t testing.TB, timeout, interval time.Duration, cond func() error) {
	t.Helper()
	if err := WaitFor(timeout, interval, cond); err != nil {
		t.Fatal(err)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago (the
// kernel picks it when binding port 0). Servers started on it can still lose
// a race with another process; the harness retries on "could not bind".
func FreePort() (int, error) {
	ports, err := FreePorts(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// FreePorts returns n distinct free ports on 127.0.0.1 (all bound at once, so
// no two are the same).
//
// They come from below the kernel's ephemeral range (ip_local_port_range,
// 32768-60999 here), which the kernel draws from for every outgoing
// connection's source port: a port from that range, left free while its
// server is stopped (a failover test kills the primary and starts it
// again), can be taken meanwhile by any client connection of the tests
// running in parallel, and the server then cannot bind it again.
func FreePorts(n int) ([]int, error) {
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	lo, hi := portRange()
	ports := make([]int, 0, n)
	for tries := 0; len(ports) < n; tries++ {
		if tries == 1000 {
			return nil, fmt.Errorf("find %d free ports on 127.0.0.1 in %d-%d: only %d after 1000 tries", n, lo, hi-1, len(ports))
		}
		port := lo + rand.IntN(hi-lo)
		l, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue // taken
		}
		ls = append(ls, l)
		ports = append(ports, port)
	}
	return ports, nil
}

// portRange is where FreePorts draws from: [lo, hi), below the ephemeral
// range, above the well-known ports and the sandbox's and the benchmark's.
func portRange() (lo, hi int) {
	lo, hi = 20000, 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		var first, last int
		if _, err := fmt.Sscan(string(b), &first, &last); err == nil && first > lo+1000 && first < hi {
			hi = first
		}
	}
	return lo, hi
}
