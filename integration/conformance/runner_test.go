package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// scenarioDeadline bounds one scenario of one driver. The slowest scenario
// (timeouts and cancel) takes about a second; a scenario that has not
// finished by then hangs.
const scenarioDeadline = 30 * time.Second

// startDeadline bounds a driver program's start-up before its first
// scenario begins (a JVM on a busy 2-core machine).
const startDeadline = 60 * time.Second

// TargetEnv selects what the second run of every driver goes through:
// "pgpoold" (the default) or "pgpool2" for Debian's Pgpool-II 4.3
// (/usr/sbin/pgpool), to see where the original fails.
const TargetEnv = "CONFORMANCE_TARGET"

// TranscriptsEnv names a directory where the transcripts of every run are
// written (DRIVER.direct.txt, DRIVER.pgpoold.txt or DRIVER.pgpool2.txt).
const TranscriptsEnv = "CONFORMANCE_TRANSCRIPTS"

// ScenariosEnv restricts every driver to the scenarios it names
// (comma-separated), for working on one of them.
const ScenariosEnv = "CONFORMANCE_SCENARIOS"

// endpoint is where a driver connects: always TCP on 127.0.0.1.
type endpoint struct {
	Host string
	Port int
	User string
	DB   string
	Name string // "direct", "pgpoold" or "pgpool2"
}

func (e endpoint) connString() string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable connect_timeout=10", e.Host, e.Port, e.User, e.DB)
}

// args are the command-line arguments every driver program takes before
// its scenario names.
func (e endpoint) args() []string {
	return []string{e.Host, strconv.Itoa(e.Port), e.User, e.DB}
}

// section is the transcript of one scenario.
type section struct {
	lines []string
	// broken says why the scenario did not finish ("" when it did): it
	// timed out, or its program died.
	broken string
}

// driver is one client library and the program that plays the scenarios
// with it.
type driver struct {
	name      string
	scenarios []string
	// command builds the program that plays the given scenarios against
	// ep, printing "== NAME" before each scenario, its transcript lines,
	// and "== end" after it.
	command func(t *testing.T, ep endpoint, scenarios []string) *exec.Cmd
	// inProcess plays one scenario in the test binary (pgx).
	inProcess func(ctx context.Context, ep endpoint, scenario string, w *transcript) error
	// normalize rewrites a transcript line that differs between two runs
	// for reasons that are not the proxy's (a backend pid), or nil.
	normalize func(string) string
}

// target is what the second run goes through.
func target() string {
	if v := os.Getenv(TargetEnv); v != "" {
		return v
	}
	return "pgpoold"
}

// runDriver plays d's scenarios directly against the primary and then
// through the proxy, and compares each scenario's transcripts in a subtest.
func runDriver(t *testing.T, d *driver) {
	tgt := target()
	if tgt != "pgpoold" && tgt != "pgpool2" {
		t.Fatalf("%s=%q: want pgpoold or pgpool2", TargetEnv, tgt)
	}
	if only := os.Getenv(ScenariosEnv); only != "" {
		want := strings.Split(only, ",")
		d.scenarios = slices.DeleteFunc(slices.Clone(d.scenarios), func(s string) bool { return !slices.Contains(want, s) })
		if len(d.scenarios) == 0 {
			t.Fatalf("%s=%s names none of %s's scenarios", ScenariosEnv, only, d.name)
		}
	}
	resetCluster(t)
	direct := d.runAll(t, endpoint{Host: "127.0.0.1", Port: cluster.Node(0).Port(), User: pgcluster.Superuser, DB: pgcluster.Database, Name: "direct"})
	resetCluster(t)
	p := startProxy(t, tgt)
	before := standbySelects(t, p)
	via := d.runAll(t, endpoint{Host: "127.0.0.1", Port: p.Port(), User: pgcluster.Superuser, DB: pgcluster.Database, Name: tgt})
	if after := standbySelects(t, p); after <= before {
		t.Errorf("no statement of %s went to the standby (select_cnt of node 1 stayed %d): the run did not test load balancing", d.name, after)
	}
	for _, sc := range d.scenarios {
		t.Run(sc, func(t *testing.T) {
			compare(t, tgt, direct[sc], via[sc])
		})
	}
}

// resetCluster finishes prepared transactions a failed run may have left
// (they hold locks that Reset's DROP SCHEMA would wait for) and resets the
// cluster.
func resetCluster(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := cluster.Node(0).Conn(ctx, pgcluster.Database)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := conn.Query(ctx, "select gid from pg_prepared_xacts")
	gids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("list prepared transactions: %v", err)
	}
	for _, g := range gids {
		if _, err := conn.Exec(ctx, "rollback prepared '"+strings.ReplaceAll(g, "'", "''")+"'"); err != nil {
			t.Fatalf("roll back prepared transaction %s: %v", g, err)
		}
	}
	conn.Close(ctx)
	cluster.Reset(t)
}

// startProxy starts pgpoold (or Pgpool-II) in streaming-replication mode
// with load balancing on and weight 0 for the primary, so that every
// balanced read goes to the standby.
func startProxy(t *testing.T, tgt string) *pgcluster.Pgpool {
	opts := pgcluster.PgpoolOptions{
		NumInitChildren: 12,
		MaxPool:         2,
		Params: map[string]string{
			"load_balance_mode": "on",
			"backend_weight0":   "0",
			"backend_weight1":   "1",
		},
	}
	if tgt == "pgpool2" {
		opts.Binary, opts.Dialect = pgcluster.DebianPgpool, pgcluster.Pgpool43
	}
	return pgcluster.StartPgpoold(t, cluster, opts)
}

// standbySelects is node 1's select_cnt in SHOW pool_nodes.
func standbySelects(t *testing.T, p *pgcluster.Pgpool) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.ConnString("postgres", pgcluster.Superuser))
	if err != nil {
		t.Fatalf("connect for SHOW pool_nodes: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "show pool_nodes", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("show pool_nodes: %v", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToMap)
	if err != nil {
		t.Fatalf("show pool_nodes: %v", err)
	}
	for _, r := range recs {
		if fmt.Sprint(r["node_id"]) == "1" {
			n, err := strconv.Atoi(fmt.Sprint(r["select_cnt"]))
			if err != nil {
				t.Fatalf("show pool_nodes: select_cnt %v: %v", r["select_cnt"], err)
			}
			return n
		}
	}
	t.Fatalf("show pool_nodes has no node 1: %v", recs)
	return 0
}

// compare fails the test when the scenario did not finish either way or
// when the transcripts differ.
func compare(t *testing.T, tgt string, direct, via *section) {
	t.Helper()
	if direct == nil || direct.broken != "" {
		why := "it was not run"
		if direct != nil {
			why = direct.broken
		}
		t.Fatalf("the scenario fails directly against PostgreSQL, so it proves nothing about %s: %s\n%s", tgt, why, direct.text())
	}
	if via == nil || via.broken != "" {
		why := "it was not run"
		if via != nil {
			why = via.broken
		}
		t.Fatalf("through %s the scenario did not finish: %s\n---- through %s ----\n%s---- directly ----\n%s", tgt, why, tgt, via.text(), direct.text())
	}
	if slices.Equal(direct.lines, via.lines) {
		return
	}
	t.Errorf("through %s the application sees something else than directly (- direct, + %s):\n%s", tgt, tgt, diff(direct.lines, via.lines))
}

func (s *section) text() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	for _, l := range s.lines {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// diff renders a line diff of a and b (longest common subsequence; the
// transcripts are short).
func diff(a, b []string) string {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			out.WriteString("    " + a[i] + "\n")
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			out.WriteString("  + " + b[j] + "\n")
			j++
		default:
			out.WriteString("  - " + a[i] + "\n")
			i++
		}
	}
	return out.String()
}

// runAll plays every scenario of d against ep and returns the sections by
// scenario name.
func (d *driver) runAll(t *testing.T, ep endpoint) map[string]*section {
	t.Helper()
	var res map[string]*section
	if d.inProcess != nil {
		res = d.runInProcess(ep)
	} else {
		res = d.runProgram(t, ep)
	}
	if d.normalize != nil {
		for _, s := range res {
			for i, l := range s.lines {
				s.lines[i] = d.normalize(l)
			}
		}
	}
	if dir := os.Getenv(TranscriptsEnv); dir != "" {
		var b strings.Builder
		for _, sc := range d.scenarios {
			s := res[sc]
			b.WriteString("== " + sc + "\n")
			if s == nil {
				b.WriteString("!! not run\n")
				continue
			}
			b.WriteString(s.text())
			if s.broken != "" {
				b.WriteString("!! " + s.broken + "\n")
			}
		}
		if err := os.MkdirAll(dir, 0o755); err == nil {
			os.WriteFile(filepath.Join(dir, d.name+"."+ep.Name+".txt"), []byte(b.String()), 0o644)
		}
	}
	return res
}

// runInProcess plays the scenarios one by one in this process, each with
// its deadline; a scenario that ignores its context is abandoned.
func (d *driver) runInProcess(ep endpoint) map[string]*section {
	res := map[string]*section{}
	for _, sc := range d.scenarios {
		w := &transcript{}
		ctx, cancel := context.WithTimeout(context.Background(), scenarioDeadline)
		done := make(chan error, 1)
		go func() { done <- d.inProcess(ctx, ep, sc, w) }()
		s := &section{}
		select {
		case err := <-done:
			if err != nil {
				w.printf("!! %v", err)
				if errors.Is(err, context.DeadlineExceeded) {
					s.broken = "timed out after " + scenarioDeadline.String()
				}
			}
		case <-time.After(scenarioDeadline + 5*time.Second):
			s.broken = "hung: ignored its deadline of " + scenarioDeadline.String()
		}
		cancel()
		s.lines = w.snapshot()
		res[sc] = s
	}
	return res
}

// runProgram runs d's program until every scenario has a section. A
// scenario that passes its deadline gets the program killed; the program
// then starts again with the scenarios after it.
func (d *driver) runProgram(t *testing.T, ep endpoint) map[string]*section {
	t.Helper()
	res := map[string]*section{}
	todo := d.scenarios
	for len(todo) > 0 {
		cmd := d.command(t, ep, todo)
		last, err := runOnce(cmd, res)
		if err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		if cmdOK(cmd) {
			for _, sc := range todo {
				if res[sc] == nil {
					res[sc] = &section{broken: "the program ended without playing it"}
				}
			}
			return res
		}
		// Killed or died: resume after the last scenario it began; when
		// it began none, the first is marked, so every round progresses.
		i := slices.Index(todo, last) + 1
		if i == 0 {
			res[todo[0]] = &section{broken: "the program died before it: " + exitText(cmd)}
			i = 1
		}
		todo = todo[i:]
	}
	return res
}

// runOnce runs cmd, reading its transcript into res. It returns the name
// of the last scenario that began.
func runOnce(cmd *exec.Cmd, res map[string]*section) (last string, err error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var stderr tailBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timer := time.NewTimer(startDeadline)
	defer timer.Stop()
	var cur *section
	var pre []string // lines before the first scenario
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				werr := cmd.Wait()
				if cur != nil {
					cur.broken = "the program died in it: " + exitText(cmd) + stderr.String()
				} else if werr != nil && last == "" {
					return "", fmt.Errorf("%s failed before its first scenario: %v\n%s%s", cmd.Path, werr, strings.Join(pre, "\n"), stderr.String())
				}
				return last, nil
			}
			switch {
			case l == "== end":
				cur = nil
				timer.Reset(scenarioDeadline)
			case strings.HasPrefix(l, "== "):
				last = strings.TrimPrefix(l, "== ")
				cur = &section{}
				res[last] = cur
				timer.Reset(scenarioDeadline)
			case cur != nil:
				cur.lines = append(cur.lines, l)
			default:
				pre = append(pre, l)
			}
		case <-timer.C:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			for range lines {
			}
			cmd.Wait()
			if cur != nil {
				cur.broken = "timed out after " + scenarioDeadline.String()
				return last, nil
			}
			if last == "" {
				return "", fmt.Errorf("%s did not begin its first scenario within %s\n%s%s", cmd.Path, startDeadline, strings.Join(pre, "\n"), stderr.String())
			}
			return last, nil
		}
	}
}

func cmdOK(cmd *exec.Cmd) bool { return cmd.ProcessState != nil && cmd.ProcessState.Success() }

func exitText(cmd *exec.Cmd) string {
	if cmd.ProcessState == nil {
		return "not started"
	}
	return cmd.ProcessState.String()
}

// tailBuffer keeps the last 8 KiB written to it.
type tailBuffer struct{ b []byte }

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	if len(w.b) > 8<<10 {
		w.b = w.b[len(w.b)-8<<10:]
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	if len(w.b) == 0 {
		return ""
	}
	return "\n---- stderr ----\n" + string(w.b)
}

var _ io.Writer = (*tailBuffer)(nil)
