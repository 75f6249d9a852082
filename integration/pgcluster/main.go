package pgcluster

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
)

// Main runs a test package whose tests share one cluster (creating one takes
// seconds): it starts the cluster, hands it to use (store it in a package
// variable), runs the tests, stops everything the harness started and exits.
// Call it from TestMain:
//
//	var cluster *pgcluster.Cluster
//
//	func TestMain(m *testing.M) {
//		pgcluster.Main(m, pgcluster.Options{}, func(c *pgcluster.Cluster) { cluster = c })
//	}
//
// Each test then calls cluster.Reset(t) first. When the cluster cannot be
// created, Main prints why and exits with status 1: no test is skipped.
func Main(m *testing.M, opts Options, use func(*Cluster)) {
	installSignalHandler()
	c, err := Start(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		Cleanup()
		os.Exit(1)
	}
	use(c)
	code := m.Run()
	if err := c.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	if err := Cleanup(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// live holds what must be stopped when the test binary ends early: running
// clusters and pgpool instances, and the binaries built by BuildBinaries.
var live struct {
	sync.Mutex
	closers map[any]func() error
	order   []any // registration order; closed in reverse
}

var signalOnce sync.Once

// register adds a resource to stop on SIGINT/SIGTERM or at Cleanup.
func register(key any, closeFn func() error) {
	installSignalHandler()
	live.Lock()
	defer live.Unlock()
	if live.closers == nil {
		live.closers = make(map[any]func() error)
	}
	if _, ok := live.closers[key]; !ok {
		live.order = append(live.order, key)
	}
	live.closers[key] = closeFn
}

func unregister(key any) {
	live.Lock()
	defer live.Unlock()
	delete(live.closers, key)
	for i, k := range live.order {
		if k == key {
			live.order = append(live.order[:i], live.order[i+1:]...)
			break
		}
	}
}

// Cleanup stops every cluster and pgpool still running and removes the
// binaries built by BuildBinaries, newest first. Main calls it; a TestMain
// that does not use Main should call it after m.Run.
func Cleanup() error {
	live.Lock()
	var fns []func() error
	for i := len(live.order) - 1; i >= 0; i-- {
		fns = append(fns, live.closers[live.order[i]])
	}
	live.Unlock()
	var first error
	for _, f := range fns {
		if err := f(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// installSignalHandler makes SIGINT and SIGTERM stop every registered server
// before the test binary exits: the servers run in their own process
// groups, so a Ctrl-C in the terminal does not reach them. (A test binary
// that dies without running this, e.g. on `go test -timeout`, still takes
// its servers along: they get SIGKILL as their parent-death signal.)
func installSignalHandler() {
	signalOnce.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		go func() {
			sig := <-ch
			fmt.Fprintf(os.Stderr, "pgcluster: got %v, stopping every server started by the tests\n", sig)
			if err := Cleanup(); err != nil {
				fmt.Fprintf(os.Stderr, "pgcluster: %v\n", err)
			}
			os.Exit(1)
		}()
	})
}
