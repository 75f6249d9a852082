// Package testbin builds the program of the package under test, for tests
// that run it as a command the way users and scripts do.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
