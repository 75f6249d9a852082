package pcp_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/pcp/pcptest"
)

// Debian 12's pgpool2 package installs Pgpool-II 4.3.5's pcp_* clients here
// (HELPERS.md: CI installs it too).
const pgpoolBinDir = "/usr/sbin"

func pgpoolBinary(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(pgpoolBinDir, name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Pgpool-II client %s is required (apt install pgpool2): %v", path, err)
	}
	return path
}

// runPgpoolClient runs one of Pgpool's own pcp_* tools against s with a
// pcppass file, and returns stdout, stderr and the exit code.
func runPgpoolClient(t *testing.T, s *pcptest.Server, password, tool string, args ...string) (string, string, int) {
	t.Helper()
	pass := filepath.Join(t.TempDir(), "pcppass")
	if err := os.WriteFile(pass, []byte("*:*:pgpool:"+password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"-h", s.SocketDir, "-p", strconv.Itoa(s.Port), "-U", "pgpool", "-w"}, args...)
	cmd := exec.Command(pgpoolBinary(t, tool), args...)
	cmd.Env = append(os.Environ(), "PCPPASSFILE="+pass, "TZ=UTC")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %s: %v", tool, err)
	}
	return stdout.String(), stderr.String(), code
}

// TestPgpool43ClientsAgainstOurServer: Debian's Pgpool-II 4.3.5 pcp_* tools
// log in to our server (Layout43), parse its replies and print exactly the
// Handler's data.
func TestPgpool43ClientsAgainstOurServer(t *testing.T) {
	h := pcptest.SampleHandler()
	s := pcptest.NewServer(t, h, users, func(srv *pcp.Server) { srv.Layout = pcp.Layout43 })

	// The sample's timestamps are local times; the clients run in UTC.
	changed := func(i int) string { return h.Nodes[i].StatusChanged.UTC().Format("2006-01-02 15:04:05") }

	tests := []struct {
		name   string
		tool   string
		args   []string
		stdout string
		call   *pcptest.Call
	}{
		{"node count", "pcp_node_count", nil, "3\n", &pcptest.Call{Method: "NodeCount", ID: -1}},
		{"node count verbose", "pcp_node_count", []string{"-v"}, "Node Count\n____________\n 3\n", nil},
		{"node info all", "pcp_node_info", []string{"-a"},
			"/tmp 11002 2 0.500000 up up primary primary 0 none none " + changed(0) + "\n" +
				"localhost 11003 1 0.250000 waiting up standby standby 1024 streaming async " + changed(1) + "\n" +
				"10.0.0.3 5432 3 0.250000 quarantine down standby unknown 0 none none " + changed(2) + "\n",
			&pcptest.Call{Method: "NodeInfo", ID: -1}},
		{"node info one", "pcp_node_info", []string{"-n", "1"},
			"localhost 11003 1 0.250000 waiting up standby standby 1024 streaming async " + changed(1) + "\n",
			&pcptest.Call{Method: "NodeInfo", ID: 1}},
		{"node info verbose", "pcp_node_info", []string{"-v", "-n", "2"},
			"Hostname               : 10.0.0.3\n" +
				"Port                   : 5432\n" +
				"Status                 : 3\n" +
				"Weight                 : 0.250000\n" +
				"Status Name            : quarantine\n" +
				"Backend Status Name    : down\n" +
				"Role                   : standby\n" +
				"Backend Role           : unknown\n" +
				"Replication Delay      : 0\n" +
				"Replication State      : none\n" +
				"Replication Sync State : none\n" +
				"Last Status Change     : " + changed(2) + "\n\n", nil},
		{"health check stats", "pcp_health_check_stats", []string{"-n", "0"},
			"0 /tmp 11002 up primary 2024-03-05 14:51:30 10 9 1 0 2 0.200000 2 1004 1 101.500000 2024-03-05 15:00:00 2024-03-05 15:00:00  2024-03-05 14:59:50\n",
			&pcptest.Call{Method: "HealthCheckStats", ID: 0}},
		{"proc count", "pcp_proc_count", nil, "4242 4243 \n", &pcptest.Call{Method: "ProcessCount", ID: -1}},
		{"proc count verbose", "pcp_proc_count", []string{"-v"},
			"No \t | \t PID\n_____________________\n0 \t | \t 4242\n1 \t | \t 4243\n\nTotal Processes:2\n", nil},
		{"proc info", "pcp_proc_info", nil,
			"app alice 2024-03-05 14:50:00 3 3 0 2024-03-05 14:52:00 2024-03-05 14:53:00 5  2 777 1 4242 0 Idle\n" +
				"app alice 2024-03-05 14:50:00 3 3 0 2024-03-05 14:52:00 2024-03-05 14:53:00 5  2 778 1 4242 1 Idle\n",
			&pcptest.Call{Method: "ProcessInfo", ID: 0}},
		{"proc info all slots of one child", "pcp_proc_info", []string{"-a", "-P", "4243"},
			"  2024-03-05 14:50:00 (4:55 before process restarting) 0 0 0   0  0 0 0 4243 0 Wait for connection\n" +
				"  2024-03-05 14:50:00 (4:55 before process restarting) 0 0 0   0  0 0 0 4243 1 Wait for connection\n",
			&pcptest.Call{Method: "ProcessInfo", ID: 4243}},
		{"pool status", "pcp_pool_status", nil,
			"name : backend_clustering_mode\nvalue: 1\ndesc : clustering mode\n\n" +
				"name : listen_addresses\nvalue: localhost\ndesc : host name(s) or IP address(es) to listen on\n\n" +
				"name : port\nvalue: 11000\ndesc : pgpool accepting port number\n\n" +
				"name : backend_weight0\nvalue: 0.500000\ndesc : weight of backend #0\n\n",
			&pcptest.Call{Method: "PoolStatus", ID: -1}},
		{"watchdog info", "pcp_watchdog_info", nil,
			"2 2 YES localhost:11000 Linux host1 localhost\n\n" +
				"localhost:11000 Linux host1 localhost 11000 21004 4 LEADER 0 MEMBER\n" +
				"localhost:11100 Linux host2 localhost 11100 21104 7 STANDBY 0 MEMBER\n",
			&pcptest.Call{Method: "WatchdogInfo", ID: -1}},
		{"detach", "pcp_detach_node", []string{"-n", "1"}, "pcp_detach_node -- Command Successful\n",
			&pcptest.Call{Method: "DetachNode", ID: 1}},
		{"detach gracefully", "pcp_detach_node", []string{"-g", "1"}, "pcp_detach_node -- Command Successful\n",
			&pcptest.Call{Method: "DetachNode", ID: 1, Graceful: true}},
		{"attach", "pcp_attach_node", []string{"-n", "2"}, "pcp_attach_node -- Command Successful\n",
			&pcptest.Call{Method: "AttachNode", ID: 2}},
		{"promote", "pcp_promote_node", []string{"-n", "1"}, "pcp_promote_node -- Command Successful\n",
			&pcptest.Call{Method: "PromoteNode", ID: 1}},
		{"promote switchover gracefully", "pcp_promote_node", []string{"-s", "-g", "-n", "2"}, "pcp_promote_node -- Command Successful\n",
			&pcptest.Call{Method: "PromoteNode", ID: 2, Switchover: true, Graceful: true}},
		{"recovery", "pcp_recovery_node", []string{"-n", "1"}, "pcp_recovery_node -- Command Successful\n",
			&pcptest.Call{Method: "RecoverNode", ID: 1}},
		{"reload cluster", "pcp_reload_config", []string{"-s", "c"}, "pcp_reload_config -- Command Successful\n",
			&pcptest.Call{Method: "ReloadConfig", ID: -1, Scope: pcp.ScopeCluster}},
		{"stop", "pcp_stop_pgpool", []string{"-m", "fast"}, "pcp_stop_pgpool -- Command Successful\n",
			&pcptest.Call{Method: "StopPgpool", ID: -1, Mode: pcp.StopFast, Scope: pcp.ScopeLocal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runPgpoolClient(t, s, "secret", tt.tool, tt.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("%s exited %d, stderr %q", tt.tool, code, stderr)
			}
			if stdout != tt.stdout {
				t.Errorf("%s printed\n%q\nwant\n%q", tt.tool, stdout, tt.stdout)
			}
			if tt.call != nil {
				log := h.CallLog()
				if got := log[len(log)-1]; got != *tt.call {
					t.Errorf("handler got %+v, want %+v", got, *tt.call)
				}
			}
		})
	}

	t.Run("server errors print Pgpool's text and exit 0", func(t *testing.T) {
		_, stderr, code := runPgpoolClient(t, s, "secret", "pcp_node_info", "-n", "7")
		if code != 0 || stderr != "ERROR:  informing node info failed\nDETAIL:  invalid node ID : 7\n\n" {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		stdout, stderr, code := runPgpoolClient(t, s, "wrong", "pcp_node_count")
		if code != 1 || stdout != "" {
			t.Errorf("exit %d, stdout %q; want exit 1 and no output", code, stdout)
		}
		if stderr != "FATAL:  authentication failed for user \"pgpool\"\nDETAIL:  username and/or password does not match\n\n" {
			t.Errorf("stderr %q", stderr)
		}
	})
}

// TestPgpool43ClientsMisreadLayout47 is why Server.Layout exists (§1.9): the
// 4.4+ node info row has standby_delay_by_time before the delay, and a 4.3
// client reads every later field one place off (the delay shows the flag,
// the last status change the sync state). Process info only grew at the
// end, which 4.3 clients ignore.
func TestPgpool43ClientsMisreadLayout47(t *testing.T) {
	h := pcptest.SampleHandler()
	s := pcptest.NewServer(t, h, users) // default layout: 4.7
	stdout, _, code := runPgpoolClient(t, s, "secret", "pcp_node_info", "-n", "1")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "localhost 11003 1 0.250000 waiting up standby standby 0 1024 streaming 1970-01-01 00:00:00\n"
	if stdout != want {
		t.Errorf("4.3 client on a 4.7-layout server printed %q; this test expects the known misreading %q", stdout, want)
	}
	stdout, _, _ = runPgpoolClient(t, s, "secret", "pcp_proc_info", "-P", "4242")
	if !strings.HasPrefix(stdout, "app alice 2024-03-05 14:50:00 3 3 0 ") || !strings.Contains(stdout, " 777 1 4242 0 Idle\n") {
		t.Errorf("4.3 client reads 4.7 process info rows: %q", stdout)
	}
}
