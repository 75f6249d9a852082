// Package testbin builds the program of the package under test, for tests
// that run it as a command the way users and scripts do.
package testbin

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// Main is a TestMain: it builds the current directory's program as
// dir/name in a new temporary directory, calls ready(dir) (links,
// variables), runs the tests, removes the directory and exits with the
// tests' code. A failure to build or to get ready exits 1 with the reason.
func Main(m *testing.M, name string, ready func(dir string) error) {
	dir, err := os.MkdirTemp("", name+"-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, name), ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err == nil {
		err = ready(dir)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "build %s for the tests: %v\n", name, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Run runs cmd and returns what it printed on stdout and stderr and its
// exit status, 128 + the signal's number when a signal killed it, as a
// shell reports it. A command that cannot start ends the test.
func Run(t testing.TB, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
	} else if err != nil {
		t.Fatalf("run %s: %v", cmd.Path, err)
	}
	return out.String(), errOut.String(), code
}
