package conformance

import (
	"os"
	"os/exec"
	"path/filepath"
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
