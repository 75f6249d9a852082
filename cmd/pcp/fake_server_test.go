package main

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/pcp/pcptest"
)

var testUsers = map[string]string{"pgpool": "secret", "admin": "s3cr:t"}

// TestSameAsPgpoolAgainstFakeServer runs every tool of Debian's Pgpool-II
// 4.3.5 and ours against one pkg/pcp server (4.3 layout) with scripted
// data, including actions and errors a real pgpool cannot be made to
// produce on demand, and requires identical output and exit codes.
func TestSameAsPgpoolAgainstFakeServer(t *testing.T) {
	h := pcptest.SampleHandler()
	h.Notices = map[string][]string{"AttachNode": {"failback request for node_id: 2 from pid [99], But cluster is not in stable state"}}
	s := pcptest.NewServer(t, h, testUsers, func(srv *pcp.Server) { srv.Layout = pcp.Layout43 })
	env := []string{"PCPPASSFILE=" + pcppass(t, "*:*:pgpool:secret", `*:*:admin:s3cr\:t`)}
	sock := []string{"-h", s.SocketDir, "-p", strconv.Itoa(s.Port), "-U", "pgpool", "-w"}
	tcp := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", "pgpool", "-w"}

	tests := []struct {
		tool string
		args []string
	}{
		{"pcp_node_count", nil},
		{"pcp_node_count", []string{"-v"}},
		{"pcp_node_count", []string{"-d"}},
		{"pcp_node_info", nil},
		{"pcp_node_info", []string{"-a"}},
		{"pcp_node_info", []string{"-v"}},
		{"pcp_node_info", []string{"-n", "2"}},
		{"pcp_node_info", []string{"1"}},
		{"pcp_node_info", []string{"-d", "-n", "0"}},
		{"pcp_node_info", []string{"-n", "9"}},
		{"pcp_health_check_stats", []string{"-n", "0"}},
		{"pcp_health_check_stats", []string{"-v", "1"}},
		{"pcp_health_check_stats", []string{"-d", "0"}},
		{"pcp_health_check_stats", []string{"3"}},
		{"pcp_health_check_stats", []string{"-n", "9"}},
		{"pcp_proc_count", nil},
		{"pcp_proc_count", []string{"-v"}},
		{"pcp_proc_info", nil},
		{"pcp_proc_info", []string{"-a"}},
		{"pcp_proc_info", []string{"-v"}},
		{"pcp_proc_info", []string{"-a", "-v"}},
		{"pcp_proc_info", []string{"-P", "4243"}},
		{"pcp_proc_info", []string{"-a", "4243"}},
		{"pcp_proc_info", []string{"-P", "99"}},
		{"pcp_proc_info", []string{"-d"}},
		{"pcp_pool_status", nil},
		{"pcp_pool_status", []string{"-v"}},
		{"pcp_pool_status", []string{"-d"}},
		{"pcp_watchdog_info", nil},
		{"pcp_watchdog_info", []string{"-v"}},
		{"pcp_watchdog_info", []string{"-n", "1"}},
		{"pcp_watchdog_info", []string{"-d", "0"}},
		{"pcp_watchdog_info", []string{"5"}},
		{"pcp_attach_node", []string{"-n", "2"}},
		{"pcp_attach_node", []string{"-d", "2"}},
		{"pcp_detach_node", []string{"-n", "1"}},
		{"pcp_detach_node", []string{"-g", "-d", "1"}},
		{"pcp_detach_node", []string{"-n", "2"}},
		{"pcp_promote_node", []string{"-n", "1"}},
		{"pcp_promote_node", []string{"-s", "-g", "-d", "2"}},
		{"pcp_recovery_node", []string{"-n", "1"}},
		{"pcp_recovery_node", []string{"-d", "0"}},
		{"pcp_reload_config", nil},
		{"pcp_reload_config", []string{"-s", "cluster", "-d"}},
		{"pcp_stop_pgpool", []string{"-m", "fast", "-s", "c"}},
		{"pcp_stop_pgpool", []string{"-d", "-m", "i"}},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			r := compareWithPgpool(t, tt.tool, env, append(append([]string{}, sock...), tt.args...)...)
			if r.code != 0 {
				t.Errorf("exit %d, want 0", r.code)
			}
		})
	}

	t.Run("FATAL from the server", func(t *testing.T) {
		// Over TCP: on a Unix socket Pgpool's tool dies of SIGPIPE sending X
		// to the closed connection, against Pgpool as against us.
		compareWithPgpool(t, "pcp_promote_node", env, append(append([]string{}, tcp...), "-n", "0")...)
	})
	t.Run("password with an escaped colon", func(t *testing.T) {
		args := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", "admin", "-w"}
		if r := compareWithPgpool(t, "pcp_node_count", env, args...); r.stdout != "3\n" {
			t.Errorf("admin login: %v", r)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		bad := []string{"PCPPASSFILE=" + pcppass(t, "*:*:pgpool:wrong")}
		r := compareWithPgpool(t, "pcp_node_count", bad, tcp...)
		if r.code != 1 || !strings.HasPrefix(r.stderr, "FATAL:  authentication failed for user \"pgpool\"") {
			t.Errorf("wrong password: %v", r)
		}
	})
	t.Run("pcppass host key", func(t *testing.T) {
		port := strconv.Itoa(s.Port)
		lines := []string{"localhost:" + port + ":pgpool:wrong", "127.0.0.1:1:pgpool:wrong", "127.0.0.1:" + port + ":pgpool:secret"}
		e := []string{"PCPPASSFILE=" + pcppass(t, lines...)}
		if r := compareWithPgpool(t, "pcp_node_count", e, tcp...); r.stdout != "3\n" {
			t.Errorf("host 127.0.0.1: %v", r)
		}
	})
}

// The 4.7 layout carries fields the 4.3 tools cannot show; our tools print
// them as Pgpool-II 4.7's do.
func TestPgpool47Output(t *testing.T) {
	h := pcptest.SampleHandler()
	h.Nodes[1].StandbyDelayByTime = true
	h.Nodes[1].StandbyDelay = 2500000
	s := pcptest.NewServer(t, h, testUsers)
	env := []string{"PCPPASSFILE=" + pcppass(t, "*:*:pgpool:secret")}
	args := func(extra ...string) []string {
		return append([]string{"-h", s.SocketDir, "-p", strconv.Itoa(s.Port), "-U", "pgpool"}, extra...)
	}
	changed := func(i int) string { return h.Nodes[i].StatusChanged.UTC().Format("2006-01-02 15:04:05") }

	tests := []struct {
		name   string
		tool   string
		args   []string
		stdout string
	}{
		{"proc_info has 20 columns", "pcp_proc_info", args("-P", "4242"),
			"app alice 2024-03-05 14:50:00 3 3 0 2024-03-05 14:52:00 2024-03-05 14:53:00 5  2 777 1 4242 0 Idle 1 127.0.0.1 40000 SELECT 1\n" +
				"app alice 2024-03-05 14:50:00 3 3 0 2024-03-05 14:52:00 2024-03-05 14:53:00 5  2 778 1 4242 1 Idle 0 127.0.0.1 40000 \n"},
		{"proc_info verbose titles", "pcp_proc_info", args("-v", "-P", "4242"), "" +
			"Database                  : app\n" +
			"Username                  : alice\n" +
			"Start time                : 2024-03-05 14:50:00\n" +
			"Client connection count   : 3\n" +
			"Major                     : 3\n" +
			"Minor                     : 0\n" +
			"Backend connection time   : 2024-03-05 14:52:00\n" +
			"Client connection time    : 2024-03-05 14:53:00\n" +
			"Client idle duration      : 5\n" +
			"Client disconnection time : \n" +
			"Pool Counter              : 2\n" +
			"Backend PID               : 777\n" +
			"Connected                 : 1\n" +
			"PID                       : 4242\n" +
			"Backend ID                : 0\n" +
			"Status                    : Idle\n" +
			"Load balance node         : 1\n" +
			"client_host               : 127.0.0.1\n" +
			"client_port               : 40000\n" +
			"statement                 : SELECT 1\n\n" +
			"Database                  : app\n" +
			"Username                  : alice\n" +
			"Start time                : 2024-03-05 14:50:00\n" +
			"Client connection count   : 3\n" +
			"Major                     : 3\n" +
			"Minor                     : 0\n" +
			"Backend connection time   : 2024-03-05 14:52:00\n" +
			"Client connection time    : 2024-03-05 14:53:00\n" +
			"Client idle duration      : 5\n" +
			"Client disconnection time : \n" +
			"Pool Counter              : 2\n" +
			"Backend PID               : 778\n" +
			"Connected                 : 1\n" +
			"PID                       : 4242\n" +
			"Backend ID                : 1\n" +
			"Status                    : Idle\n" +
			"Load balance node         : 0\n" +
			"client_host               : 127.0.0.1\n" +
			"client_port               : 40000\n" +
			"statement                 : \n\n"},
		{"replication delay by time", "pcp_node_info", args("-n", "1"),
			"localhost 11003 1 0.250000 waiting up standby standby 2.500000 streaming async " + changed(1) + "\n"},
		{"replication delay by time, verbose", "pcp_node_info", args("-v", "-n", "1"), "" +
			"Hostname               : localhost\n" +
			"Port                   : 11003\n" +
			"Status                 : 1\n" +
			"Weight                 : 0.250000\n" +
			"Status Name            : waiting\n" +
			"Backend Status Name    : up\n" +
			"Role                   : standby\n" +
			"Backend Role           : standby\n" +
			"Replication Delay      : 2.500000 seconds\n" +
			"Replication State      : streaming\n" +
			"Replication Sync State : async\n" +
			"Last Status Change     : " + changed(1) + "\n\n"},
		{"log rotate", "pcp_log_rotate", args("-s", "cluster"), "pcp_log_rotate -- Command Successful\n"},
		{"invalidate query cache", "pcp_invalidate_query_cache", args(), "pcp_invalidate_query_cache -- Command Successful\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runTool(t, ours(tt.tool), "", env, tt.args...)
			if r.code != 0 || r.stderr != "" || r.stdout != tt.stdout {
				t.Errorf("got %v\nwant stdout:\n%s", r, tt.stdout)
			}
		})
	}
	calls := h.CallLog()
	var rotated, invalidated bool
	for _, c := range calls {
		rotated = rotated || c.Method == "LogRotate" && c.Scope == pcp.ScopeCluster
		invalidated = invalidated || c.Method == "InvalidateQueryCache"
	}
	if !rotated || !invalidated {
		t.Errorf("handler calls %+v lack the log rotation (cluster) or the cache invalidation", calls)
	}

	t.Run("invalidate_query_cache refuses -s", func(t *testing.T) {
		r := runTool(t, ours("pcp_invalidate_query_cache"), "", env, args("-s", "c")...)
		if r.code != 1 || r.stderr != "Invalid argument \"c\", Try \"pcp_invalidate_query_cache --help\" for more information.\n" {
			t.Errorf("got %v", r)
		}
	})
	t.Run("server errors exit 0", func(t *testing.T) {
		h.Fail = map[string]error{"LogRotate": pcp.ErrLogRotateDisabled(), "InvalidateQueryCache": pcp.ErrQueryCacheDisabled()}
		defer func() { h.Fail = nil }()
		r := runTool(t, ours("pcp_log_rotate"), "", env, args()...)
		if r.code != 0 || r.stderr != "ERROR:  process log rotation request failed\nDETAIL:  logging_collector is disabled\n\n" {
			t.Errorf("log rotate: %v", r)
		}
		r = runTool(t, ours("pcp_invalidate_query_cache"), "", env, args()...)
		if r.code != 0 || r.stderr != "ERROR:  query cache is not enabled\n\n" {
			t.Errorf("invalidate: %v", r)
		}
	})
	t.Run("pcp <command> is the same as pcp_<command>", func(t *testing.T) {
		want := runTool(t, ours("pcp_node_info"), "", env, args("-a")...)
		got := runTool(t, ours("pcp"), "", env, append([]string{"node_info"}, args("-a")...)...)
		if got != want || want.code != 0 {
			t.Errorf("pcp node_info: %v\npcp_node_info: %v", got, want)
		}
		got = runTool(t, ours("pcp"), "", env, append([]string{"pcp_node_count"}, args()...)...)
		if got.stdout != "3\n" {
			t.Errorf("pcp pcp_node_count: %v", got)
		}
		if r := runTool(t, ours("pcp"), "", nil, "frobnicate"); r.code != 1 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
			t.Errorf("unknown command: %v", r)
		}
	})
	t.Run("an unknown tool name", func(t *testing.T) {
		link := t.TempDir() + "/pcp_frobnicate"
		if err := os.Symlink(ours("pcp"), link); err != nil {
			t.Fatal(err)
		}
		r := runTool(t, link, "", nil)
		if r.code != 1 || r.stderr != "pcp_frobnicate is a invalid PCP utility\n" {
			t.Errorf("got %v", r)
		}
	})
}

func TestPasswordSources(t *testing.T) {
	s := pcptest.NewServer(t, pcptest.SampleHandler(), testUsers)
	args := []string{"-h", s.SocketDir, "-p", strconv.Itoa(s.Port), "-U", "pgpool"}
	good := pcppass(t, "*:*:pgpool:secret")

	t.Run("pcppass found: no prompt, -w or not", func(t *testing.T) {
		for _, w := range [][]string{nil, {"-w"}} {
			r := runTool(t, ours("pcp_node_count"), "", []string{"PCPPASSFILE=" + good}, append(args, w...)...)
			if r.code != 0 || r.stdout != "3\n" || r.stderr != "" {
				t.Errorf("%v: %v", w, r)
			}
		}
	})
	t.Run("-W prompts even with a pcppass file", func(t *testing.T) {
		r := runTool(t, ours("pcp_node_count"), "wrong\n", []string{"PCPPASSFILE=" + good}, append(args, "-W")...)
		if r.code != 1 || !strings.HasPrefix(r.stderr, "Password: \nFATAL:  authentication failed") {
			t.Errorf("%v", r)
		}
		r = runTool(t, ours("pcp_node_count"), "secret\n", []string{"PCPPASSFILE=" + good}, append(args, "-W")...)
		if r.code != 0 || r.stdout != "3\n" || r.stderr != "Password: \n" {
			t.Errorf("%v", r)
		}
	})
	t.Run("no pcppass entry: prompt (4.7)", func(t *testing.T) {
		other := pcppass(t, "*:*:someoneelse:x")
		r := runTool(t, ours("pcp_node_count"), "secret\n", []string{"PCPPASSFILE=" + other}, append(args, "-w")...)
		if r.code != 0 || r.stdout != "3\n" || r.stderr != "Password: \n" {
			t.Errorf("%v", r)
		}
	})
	t.Run("insecure pcppass is ignored with a warning", func(t *testing.T) {
		loose := pcppass(t, "*:*:pgpool:secret")
		os.Chmod(loose, 0o644)
		r := runTool(t, ours("pcp_node_count"), "secret\n", []string{"PCPPASSFILE=" + loose}, args...)
		want := "WARNING: password file \"" + loose + "\" has group or world access; permissions should be u=rw (0600) or less\nPassword: \n"
		if r.code != 0 || r.stderr != want {
			t.Errorf("got %v\nwant stderr %q", r, want)
		}
	})
}
