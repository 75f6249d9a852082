package pgcluster

import (
	"errors"
	"fmt"
	"net"
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
// the kernel cannot hand out the same one twice).
func FreePorts(n int) ([]int, error) {
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port on 127.0.0.1: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
