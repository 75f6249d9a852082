package session

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

func psql(t *testing.T, port int, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(cluster.BinDir(), "psql"), append([]string{"-X", "-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"-U", pgcluster.Superuser, "-v", "ON_ERROR_STOP=1", pgcluster.Database}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestPsqlCopyAndMetaCommands(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	file := filepath.Join(t.TempDir(), "data.csv")
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		b.WriteString(strconv.Itoa(i) + ",row " + strconv.Itoa(i) + "\n")
	}
	os.WriteFile(file, []byte(b.String()), 0644)
	os.Chmod(filepath.Dir(file), 0755)
	script := "create table psql_copy (id int, v text);\n\\copy psql_copy from '" + file + "' csv\nselect count(*), sum(id) from psql_copy;\n\\d psql_copy\n"
	cmd := exec.Command(filepath.Join(cluster.BinDir(), "psql"), "-X", "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port()),
		"-U", pgcluster.Superuser, "-v", "ON_ERROR_STOP=1", pgcluster.Database)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql script: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "1000 | 499500") || !strings.Contains(string(out), `Table "public.psql_copy"`) {
		t.Fatalf("psql output:\n%s", out)
	}
	outFile := filepath.Join(filepath.Dir(file), "out.csv")
	psql(t, p.Port(), "-c", "\\copy (select * from psql_copy order by id) to '"+outFile+"' csv")
	back, _ := os.ReadFile(outFile)
	if string(back) != b.String() {
		t.Fatal("\\copy to a file gave other data than was loaded")
	}
}

func TestPsqlCancelWithCtrlC(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{})
	cmd := exec.Command(filepath.Join(cluster.BinDir(), "psql"), "-X", "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port()),
		"-U", pgcluster.Superuser, "-c", "select pg_sleep(30)", pgcluster.Database)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgcluster.Eventually(t, 10*time.Second, 20*time.Millisecond, func() error {
		var n int
		cluster.Node(0).QueryRowIn("postgres", "select count(*) from pg_stat_activity where query = 'select pg_sleep(30)'").Scan(&n)
		if n == 0 {
			return os.ErrNotExist
		}
		return nil
	})
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT) // what Ctrl-C sends
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("psql did not return after Ctrl-C")
	}
	t.Logf("cancelled after %v", time.Since(start))
	if !strings.Contains(out.String(), "canceling statement due to user request") {
		t.Fatalf("psql output after Ctrl-C:\n%s", out.String())
	}
}

var tpsRe = regexp.MustCompile(`number of transactions actually processed: (\d+)`)

func TestPgbenchModes(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{NumInitChildren: 4})
	pgbench := filepath.Join(cluster.BinDir(), "pgbench")
	run := func(args ...string) string {
		cmd := exec.Command(pgbench, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(p.Port()), "-U", pgcluster.Superuser}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pgbench %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("-i", "-s", "1", pgcluster.Database)
	for _, mode := range []string{"simple", "extended", "prepared"} {
		out := run("-n", "-M", mode, "-c", "4", "-j", "2", "-t", "200", pgcluster.Database)
		m := tpsRe.FindStringSubmatch(out)
		if m == nil || m[1] != "800" || !strings.Contains(out, "number of failed transactions: 0") {
			t.Errorf("pgbench -M %s:\n%s", mode, out)
		}
	}
	// The TPC-B runs changed the balances consistently.
	var branches, tellers, accounts, history int64
	cluster.Node(0).QueryRow("select (select sum(bbalance) from pgbench_branches), (select sum(tbalance) from pgbench_tellers), (select sum(abalance) from pgbench_accounts), (select sum(delta) from pgbench_history)").
		Scan(&branches, &tellers, &accounts, &history)
	if branches != history || tellers != history || accounts != history {
		t.Errorf("balances disagree: branches %d tellers %d accounts %d history %d", branches, tellers, accounts, history)
	}
}
