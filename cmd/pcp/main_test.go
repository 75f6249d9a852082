package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pgpool-go/pgpool-go/internal/testbin"
)

// binDir holds the pcp binary built for this test run and its pcp_* links,
// as `make` installs them.
var binDir string

func TestMain(m *testing.M) {
	testbin.Main(m, "pcp", func(dir string) error {
		binDir = dir
		for name := range commands {
			if err := os.Symlink("pcp", filepath.Join(dir, name)); err != nil {
				return err
			}
		}
		return nil
	})
}

// result is what a run printed and its exit code.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// runTool runs path with args, no controlling terminal (so a password prompt
// reads stdin), the given stdin and extra environment.
func runTool(t *testing.T, path, stdin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(path, args...)
	// A PCPPASSFILE of the caller's environment must not leak into the test.
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PCPPASSFILE=") {
			base = append(base, kv)
		}
	}
	cmd.Env = append(append(base, "TZ=UTC"), env...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var r result
	r.stdout, r.stderr, r.code = testbin.Run(t, cmd)
	return r
}

func ours(tool string) string { return filepath.Join(binDir, tool) }

const pgpoolBinDir = "/usr/sbin"

func theirs(t *testing.T, tool string) string {
	t.Helper()
	path := filepath.Join(pgpoolBinDir, tool)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Pgpool-II's %s is required (apt install pgpool2): %v", path, err)
	}
	return path
}

// pcppass writes a pcppass file with the given lines (mode 0600).
func pcppass(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pcppass")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// compareWithPgpool runs Pgpool's tool and ours with the same arguments and
// requires the same stdout, stderr and exit code. glibc names argv[0] in
// getopt diagnostics, so our path is replaced by theirs.
func compareWithPgpool(t *testing.T, tool string, env []string, args ...string) result {
	t.Helper()
	want := runTool(t, theirs(t, tool), "", env, args...)
	got := runTool(t, ours(tool), "", env, args...)
	got.stderr = strings.ReplaceAll(got.stderr, ours(tool), theirs(t, tool))
	if got != want {
		t.Errorf("%s %s differs from Pgpool-II's\nPgpool-II's: %s\nours:        %s", tool, strings.Join(args, " "), want, got)
	}
	return got
}

func lookupEnv(k string) (string, bool) { return os.LookupEnv(k) }

// unsetenv removes k for this test; t.Setenv beforehand restores it.
func unsetenv(t *testing.T, k string) {
	t.Helper()
	os.Unsetenv(k)
}
