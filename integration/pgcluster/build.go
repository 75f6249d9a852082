package pgcluster

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// BinEnv names the environment variable that points the tests at a prebuilt
// bin/ directory (`make build` output) instead of building ./cmd/... again.
const BinEnv = "PGPOOLGO_BIN"

var built struct {
	once sync.Once
	dir  string
	err  error
}

// BuildBinaries returns a directory holding the module's programs
// (pgpoold, pgpool-child, sr-worker, pcp, …): $PGPOOLGO_BIN if set,
// otherwise a temporary directory where `go build ./cmd/...` put them, once
// per test binary. It fails the test when the build fails.
func BuildBinaries(t testing.TB) string {
	t.Helper()
	dir, err := Binaries()
	if err != nil {
		t.Fatalf("pgcluster: %v", err)
	}
	return dir
}

// Binaries is BuildBinaries for TestMain. The temporary directory is
// removed by Cleanup (which Main runs).
func Binaries() (string, error) {
	built.once.Do(func() { built.dir, built.err = findOrBuild() })
	return built.dir, built.err
}

func findOrBuild() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	if dir := os.Getenv(BinEnv); dir != "" {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		if fi, err := os.Stat(filepath.Join(dir, "pgpoold")); err != nil || fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s=%s holds no executable pgpoold (run `make build`, or unset %s)", BinEnv, dir, BinEnv)
		}
		return dir, nil
	}
	dir, err := os.MkdirTemp("", "pgpool-go-bin-")
	if err != nil {
		return "", fmt.Errorf("create directory for binaries: %w", err)
	}
	// The server user runs them.
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("chmod %s: %w", dir, err)
	}
	register(&built, func() error { return os.RemoveAll(dir) })
	cmd := exec.Command("go", "build", "-o", dir+"/", "./cmd/...")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/... in %s: %w\n%s", root, err, out)
	}
	return dir, nil
}

// moduleRoot is the directory of the main module's go.mod (`go env GOMOD`
// from the test's working directory, which is its package directory).
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := string(bytes.TrimSpace(out))
	if gomod == "" || gomod == os.DevNull || !strings.HasSuffix(gomod, "go.mod") {
		return "", fmt.Errorf("go env GOMOD = %q: not inside the pgpool-go module", gomod)
	}
	return filepath.Dir(gomod), nil
}
