package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/pcp/pcptest"
)

// TestSameAsPgpoolAgainstRealPgpool starts PostgreSQL 15 and Debian's
// Pgpool-II 4.3.5 (node 0 the PostgreSQL server, node 1 an unused port,
// health checks off) and compares Pgpool's pcp_* tools with ours, run one
// after the other against that pgpool: same stdout, stderr and exit code.
// It ends by stopping pgpool with our pcp_stop_pgpool.
func TestSameAsPgpoolAgainstRealPgpool(t *testing.T) {
	pg := pcptest.StartPostgres(t, "")
	unused := pcptest.FreePort(t)
	pool := pcptest.StartPgpool(t, pcptest.PgpoolConfig{
		Backends: []string{"127.0.0.1:" + strconv.Itoa(pg.Port), "127.0.0.1:" + strconv.Itoa(unused)},
	})
	env := []string{"PCPPASSFILE=" + pcppass(t, "*:*:pgpool:secret")}
	sock := []string{"-h", pool.SocketDir, "-p", strconv.Itoa(pool.PCPPort), "-U", "pgpool", "-w"}
	tcp := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(pool.PCPPort), "-U", "pgpool", "-w"}
	with := func(base []string, extra ...string) []string { return append(append([]string{}, base...), extra...) }

	// A client in a query through pgpool, so that process info has live rows.
	psql := exec.Command("psql", "-h", "127.0.0.1", "-p", strconv.Itoa(pool.Port), "-U", "postgres",
		"-d", "postgres", "-c", "SELECT pg_sleep(300)")
	psql.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := psql.Start(); err != nil {
		t.Fatalf("start psql: %v", err)
	}
	t.Cleanup(func() { psql.Process.Kill(); psql.Wait() })
	waitForClient(t, pool)

	read := []struct {
		tool string
		args []string
	}{
		{"pcp_node_count", nil},
		{"pcp_node_count", []string{"-v", "-d"}},
		{"pcp_node_info", nil},
		{"pcp_node_info", []string{"-a", "-v"}},
		{"pcp_node_info", []string{"-n", "1", "-d"}},
		{"pcp_node_info", []string{"-n", "7"}},
		{"pcp_health_check_stats", []string{"-n", "0"}},
		{"pcp_health_check_stats", []string{"-v", "1"}},
		{"pcp_health_check_stats", []string{"2"}},
		{"pcp_proc_count", nil},
		{"pcp_proc_count", []string{"-v"}},
		{"pcp_proc_info", nil},
		{"pcp_proc_info", []string{"-v"}},
		{"pcp_proc_info", []string{"-a"}},
		{"pcp_proc_info", []string{"-a", "-v", "-d"}},
		{"pcp_proc_info", []string{"-P", "1"}},
		{"pcp_pool_status", nil},
		{"pcp_pool_status", []string{"-v"}},
		{"pcp_watchdog_info", nil},
		{"pcp_detach_node", []string{"-n", "5"}},
		{"pcp_recovery_node", []string{"-n", "0"}},
		{"pcp_stop_pgpool", []string{"-m", "x"}},
	}
	for _, tt := range read {
		t.Run(tt.tool+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			r := compareWithPgpool(t, tt.tool, env, with(sock, tt.args...)...)
			if tt.tool == "pcp_proc_info" && tt.args == nil && !strings.HasPrefix(r.stdout, "postgres postgres ") {
				t.Errorf("process info lacks the client's row: %v", r)
			}
			if tt.tool == "pcp_node_info" && tt.args == nil && !strings.Contains(r.stdout, " up unknown primary unknown ") {
				t.Errorf("node info lacks the primary: %v", r)
			}
		})
	}
	t.Run("proc_info of one child", func(t *testing.T) {
		pids := runTool(t, ours("pcp_proc_count"), "", env, sock...).stdout
		first := strings.Fields(pids)[0]
		compareWithPgpool(t, "pcp_proc_info", env, with(sock, "-a", "-P", first)...)
	})
	t.Run("promote the primary: FATAL", func(t *testing.T) {
		// Over TCP; see TestSameAsPgpoolAgainstFakeServer.
		r := compareWithPgpool(t, "pcp_promote_node", env, with(tcp, "-n", "0")...)
		if !strings.HasPrefix(r.stderr, "FATAL:  invalid promote request") {
			t.Errorf("promote primary: %v", r)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		bad := []string{"PCPPASSFILE=" + pcppass(t, "*:*:pgpool:wrong")}
		if r := compareWithPgpool(t, "pcp_node_count", bad, sock...); r.code != 1 {
			t.Errorf("wrong password: %v", r)
		}
	})
	// Actions that change pgpool last: both tools run each once.
	t.Run("reload", func(t *testing.T) {
		compareWithPgpool(t, "pcp_reload_config", env, sock...)
	})
	t.Run("attach an up node", func(t *testing.T) {
		compareWithPgpool(t, "pcp_attach_node", env, with(sock, "-n", "1")...)
	})

	t.Run("our pcp_stop_pgpool stops pgpool", func(t *testing.T) {
		r := runTool(t, ours("pcp_stop_pgpool"), "", env, with(sock, "-m", "fast")...)
		if r.code != 0 || r.stdout != "pcp_stop_pgpool -- Command Successful\n" || r.stderr != "" {
			t.Fatalf("stop: %v", r)
		}
		if err := pool.Wait(60 * time.Second); err != nil {
			t.Fatalf("pgpool still running 60s after pcp_stop_pgpool -m fast")
		}
	})
}

// waitForClient polls process info until a child serves database postgres.
func waitForClient(t *testing.T, pool *pcptest.Pgpool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := pcp.Dial(pool.SocketDir, pool.PCPPort, time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if err = c.Authenticate(pool.User, pool.Password); err == nil {
				var rows []pcp.ProcessInfo
				rows, err = c.ProcessInfo(0)
				for _, r := range rows {
					if r.Database == "postgres" && r.Connected {
						c.Close()
						return
					}
				}
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(pool.LogFile)
			t.Fatalf("no client connected through pgpool within 30s (%v)\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
