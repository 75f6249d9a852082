package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestPgx(t *testing.T) {
	runDriver(t, pgxDriver("pgx", pgx.QueryExecModeCacheStatement, pgxScenarios))
}

func TestPgxSimpleProtocol(t *testing.T) {
	runDriver(t, pgxDriver("pgx-simple", pgx.QueryExecModeSimpleProtocol, pgxSimpleScenarios))
}

// python is Debian's interpreter: the drivers are Debian packages
// (python3-psycopg2, python3-asyncpg) installed for it, whatever other
// python3 comes first in PATH.
const python = "/usr/bin/python3"

func pythonDriver(name, script, pkg string, scenarios []string) *driver {
	return &driver{
		name:      name,
		scenarios: scenarios,
		command: func(t *testing.T, ep endpoint, scenarios []string) *exec.Cmd {
			checkPython(t, name, pkg)
			cmd := exec.Command(python, append(append([]string{"-u", filepath.Join("python", script)}, ep.args()...), scenarios...)...)
			cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
			return cmd
		},
	}
}

// checkPython fails the test when the driver's module cannot be imported.
func checkPython(t *testing.T, module, pkg string) {
	t.Helper()
	if out, err := exec.Command(python, "-c", "import "+module).CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import %s (%v): install it with `apt-get install %s` (.ci/run does)\n%s", python, module, err, pkg, out)
	}
}

func TestPsycopg2(t *testing.T) {
	runDriver(t, pythonDriver("psycopg2", "psycopg2_driver.py", "python3-psycopg2", []string{
		"autocommit", "tx_read_after_write", "savepoint", "prepared_reuse", "cursor_fetch", "copy",
		"listen_notify", "tx_errors", "timeout_cancel", "large_rows", "pipeline", "set_temp", "two_phase",
	}))
}

func TestAsyncpg(t *testing.T) {
	runDriver(t, pythonDriver("asyncpg", "asyncpg_driver.py", "python3-asyncpg", []string{
		"autocommit", "tx_read_after_write", "savepoint", "prepared_reuse", "cursor_fetch", "copy",
		"listen_notify", "tx_errors", "timeout_cancel", "large_rows", "pipeline", "mixed_protocol",
		"set_temp", "two_phase",
	}))
}

// nodeDir holds the Node.js driver and its package.json and
// package-lock.json; node_modules there is installed by `npm ci` (never
// committed).
const nodeDir = "node"

// npmInstall runs `npm ci` in nodeDir unless node_modules already matches
// package-lock.json (a stamp file records the lock file's hash).
func npmInstall(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node not found: install Node.js 20 and npm (Debian: apt-get install nodejs npm)")
	}
	lock, err := os.ReadFile(filepath.Join(nodeDir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	stamp := filepath.Join(nodeDir, "node_modules", ".conformance-lock-sha256")
	want := hex.EncodeToString(sum[:])
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = nodeDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s failed (%v): the npm registry must be reachable, or run `npm ci` there by hand\n%s", nodeDir, err, out)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestNodePg(t *testing.T) {
	npmInstall(t)
	runDriver(t, &driver{
		name: "node-pg",
		scenarios: []string{
			"autocommit", "tx_read_after_write", "savepoint", "prepared_reuse", "cursor_fetch", "copy",
			"listen_notify", "tx_errors", "timeout_cancel", "large_rows", "pipeline", "mixed_protocol",
			"set_temp", "two_phase",
		},
		command: func(t *testing.T, ep endpoint, scenarios []string) *exec.Cmd {
			return exec.Command("node", append(append([]string{filepath.Join(nodeDir, "conformance.js")}, ep.args()...), scenarios...)...)
		},
	})
}

// jdbcJar is PgJDBC as Debian's libpostgresql-jdbc-java installs it.
const jdbcJar = "/usr/share/java/postgresql.jar"

func TestJDBC(t *testing.T) {
	for _, prog := range []string{"javac", "java"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Fatalf("%s not found: install a JDK (Debian: apt-get install openjdk-17-jdk-headless)", prog)
		}
	}
	if _, err := os.Stat(jdbcJar); err != nil {
		t.Fatalf("PgJDBC not found (%v): apt-get install libpostgresql-jdbc-java (.ci/run does)", err)
	}
	classes := t.TempDir()
	if out, err := exec.Command("javac", "-d", classes, "-cp", jdbcJar, filepath.Join("java", "Conformance.java")).CombinedOutput(); err != nil {
		t.Fatalf("javac java/Conformance.java: %v\n%s", err, out)
	}
	runDriver(t, &driver{
		name: "jdbc",
		scenarios: []string{
			"autocommit", "tx_read_after_write", "savepoint", "prepared_reuse", "cursor_fetch", "copy",
			"listen_notify", "tx_errors", "timeout_cancel", "large_rows", "pipeline", "mixed_protocol",
			"set_temp", "two_phase",
		},
		command: func(t *testing.T, ep endpoint, scenarios []string) *exec.Cmd {
			// A quick start matters more than peak speed here.
			args := []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-cp", classes + ":" + jdbcJar, "Conformance"}
			return exec.Command("java", append(append(args, ep.args()...), scenarios...)...)
		},
	})
}

// libpqScript is a driver that is a shell script running a libpq
// program (psql, pgbench) per scenario; PGBIN tells it where they are.
func libpqScript(name, script string, scenarios []string, normalize func(string) string) *driver {
	return &driver{
		name:      name,
		scenarios: scenarios,
		normalize: normalize,
		command: func(t *testing.T, ep endpoint, scenarios []string) *exec.Cmd {
			cmd := exec.Command("bash", append(append([]string{script}, ep.args()...), scenarios...)...)
			cmd.Env = append(os.Environ(), "PGBIN="+cluster.BinDir(), "PGCONNECT_TIMEOUT=10", "PGOPTIONS=", "PGAPPNAME=")
			return cmd
		},
	}
}

// psqlPid is the backend pid psql prints with a notification.
var psqlPid = regexp.MustCompile(`server process with PID [0-9]+`)

func TestPsql(t *testing.T) {
	runDriver(t, libpqScript("psql", filepath.Join("psql", "run.sh"), []string{
		"autocommit", "tx_read_after_write", "savepoint", "prepared_reuse", "cursor_fetch", "copy",
		"listen_notify", "tx_errors", "timeout_cancel", "large_rows", "set_temp", "two_phase",
	}, func(l string) string { return psqlPid.ReplaceAllString(l, "server process with PID N") }))
}

func TestPgbench(t *testing.T) {
	runDriver(t, libpqScript("pgbench", filepath.Join("pgbench", "run.sh"), []string{
		"pgbench_simple", "pgbench_extended", "pgbench_prepared", "pgbench_pipeline", "pgbench_tpcb",
	}, nil))
}
