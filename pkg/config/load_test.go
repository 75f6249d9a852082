package config_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

func load(t *testing.T, text string) (*config.Config, []config.Diagnostic, error) {
	t.Helper()
	return config.LoadString(filepath.Join(t.TempDir(), "pgpool.conf"), text)
}

func mustLoad(t *testing.T, text string) (*config.Config, []config.Diagnostic) {
	t.Helper()
	c, d, err := load(t, text)
	if err != nil {
		t.Fatalf("load %q: %v", text, err)
	}
	return c, d
}

func TestSyntax(t *testing.T) {
	tests := []struct {
		name, text, param, want string
	}{
		{"equals sign", "port = 5432", "port", "5432"},
		{"equals sign optional", "port 5432", "port", "5432"},
		{"no blanks around equals", "port=5432", "port", "5432"},
		{"trailing comment", "port = 5432 # the port", "port", "5432"},
		{"quoted string", "sr_check_user = 'repl'", "sr_check_user", "repl"},
		{"hash inside quotes is not a comment", "log_line_prefix = 'a#b' # c", "log_line_prefix", "a#b"},
		{"backslash kept, not unescaped", `log_line_prefix = 'it\'s'`, "log_line_prefix", `it\'s`},
		{"doubled quote is one quote", "log_line_prefix = 'it''s'", "log_line_prefix", "it's"},
		{"empty string", "sr_check_user = ''", "sr_check_user", ""},
		{"unquoted word", "sr_check_user = repl_user", "sr_check_user", "repl_user"},
		{"unquoted path-like word", "ssl_cert = server.crt", "ssl_cert", "server.crt"},
		{"quoted integer", "port = '5432'", "port", "5432"},
		{"hex integer", "port = 0x1538", "port", "5432"},
		{"octal permissions", "unix_socket_permissions = 0700", "unix_socket_permissions", "0700"},
		{"time unit min", "child_life_time = 5min", "child_life_time", "5min"},
		{"time unit h shown in largest unit", "child_life_time = 2h", "child_life_time", "2h"},
		{"time unit ms on seconds parameter rounds", "child_life_time = 1500ms", "child_life_time", "2s"},
		{"ms base unit", "connect_timeout = 10s", "connect_timeout", "10000"},
		{"memory unit", "memqcache_total_size = 64MB", "memqcache_total_size", "64MB"},
		{"real with unit", "child_life_time = 1.5min", "child_life_time", "90s"},
		{"bool on", "log_connections = on", "log_connections", "on"},
		{"bool true prefix", "log_connections = t", "log_connections", "on"},
		{"bool yes", "log_connections = YES", "log_connections", "on"},
		{"bool 0", "log_connections = 0", "log_connections", "off"},
		{"bool of prefix", "load_balance_mode = of", "load_balance_mode", "off"},
		{"enum case-insensitive", "log_min_messages = DEBUG1", "log_min_messages", "debug1"},
		{"enum hidden alias shows canonical", "log_min_messages = debug", "log_min_messages", "debug2"},
		{"list shown as configured", "listen_addresses = 'localhost, 10.0.0.1'", "listen_addresses", "localhost, 10.0.0.1"},
		{"later assignment wins", "port = 1111\nport = 2222", "port", "2222"},
		{"CRLF line endings", "port = 5432\r\n", "port", "5432"},
		{"secret hidden", "sr_check_password = 'x'", "sr_check_password", "*****"},
		{"non-ASCII letters in unquoted word", "sr_check_user = usér", "sr_check_user", "usér"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustLoad(t, tc.text)
			got, ok := c.Value(tc.param)
			if !ok || got != tc.want {
				t.Fatalf("Value(%q) = %q, %v; want %q", tc.param, got, ok, tc.want)
			}
		})
	}
}

func TestListsAreSplitLikePgpool(t *testing.T) {
	c, _ := mustLoad(t, `listen_addresses = 'localhost, 10.0.0.1,,'
reset_query_list = 'ABORT; DISCARD ALL'
primary_routing_query_pattern_list = 'SELECT \'a\;b\';SELECT 2'
read_only_function_list = 'count,now'
`)
	if got := strings.Join(c.ListenAddresses, "|"); got != "localhost|10.0.0.1" {
		t.Errorf("listen_addresses = %q", got)
	}
	if got := strings.Join(c.ResetQueryList, "|"); got != "ABORT| DISCARD ALL" {
		t.Errorf("reset_query_list = %q", got)
	}
	if got := strings.Join(c.PrimaryRoutingQueryPatternList, "|"); got != `SELECT 'a\;b'|SELECT 2` {
		t.Errorf("primary_routing_query_pattern_list = %q", got)
	}
	if len(c.PrimaryRouting) != 2 || !c.PrimaryRouting[0].MatchString("select 'a;b'") || c.PrimaryRouting[1].MatchString("SELECT 22") {
		t.Errorf("primary routing regexps do not match like anchored case-insensitive patterns")
	}
	if len(c.ReadOnlyFunctions) != 2 || !c.ReadOnlyFunctions[0].MatchString("COUNT") || c.ReadOnlyFunctions[0].MatchString("count2") {
		t.Errorf("read_only_function_list regexps are not anchored and case-insensitive")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		contains   []string
	}{
		{"bad bool", "\nlog_connections = maybe", 2, []string{"log_connections", `"maybe"`, "on, off"}},
		{"int out of range", "port = 80", 1, []string{`"port"`, "outside the valid range", "1024 .. 65535"}},
		{"bad enum", "log_min_messages = loud", 1, []string{"log_min_messages", `"loud"`, "debug5", "warning"}},
		{"bad unit", "child_life_time = 5parsecs", 1, []string{"child_life_time", `"5parsecs"`, "min"}},
		{"unit on unitless parameter", "num_init_children = 5min", 1, []string{"num_init_children"}},
		{"unterminated quote", "sr_check_user = 'abc", 1, []string{"unterminated quoted string"}},
		{"missing value", "port =", 1, []string{"syntax error", "port"}},
		{"two values", "port = 1 2", 1, []string{"syntax error"}},
		{"unquoted slash value", "pid_file_name = /tmp/x", 1, []string{"syntax error"}},
		{"backend flag both allow and disallow", "backend_flag0 = 'ALLOW_TO_FAILOVER|DISALLOW_TO_FAILOVER'", 1, []string{"backend_flag0", "at the same time"}},
		{"unknown backend flag", "backend_flag0 = 'SOMETIMES'", 1, []string{"unknown backend flag:SOMETIMES"}},
		{"negative weight", "backend_weight0 = -1", 1, []string{"backend_weight0", "outside the valid range"}},
		{"index out of range", "backend_port128 = 5432", 1, []string{"backend_port128", "0 .. 127"}},
		{"indexed parameter without index", "backend_port = 5432", 1, []string{`"backend_port" expects the index value`}},
		{"non-digit index", "backend_portx = 5432", 1, []string{"invalid index value"}},
		{"bad redirect node", "database_redirect_preference_list = 'db:nowhere'", 1, []string{"database_redirect_preference_list", "nowhere"}},
		{"bad redirect ratio", "app_name_redirect_preference_list = 'a:standby(2)'", 1, []string{"between 0.0 and 1.0"}},
		{"bad log destination", "log_destination = 'stderr,eventlog'", 1, []string{"unknown destination :eventlog"}},
		{"slony removed", "backend_clustering_mode = slony", 1, []string{"removed in Pgpool-II 4.7"}},
		{"spare children relation", "min_spare_children = 10\nmax_spare_children = 10", 2, []string{"max_spare_children:10 must be greater than min_spare_children:10"}},
		{"recovery needs data directory", "backend_port0 = 5432\nrecovery_1st_stage_command = 'r.sh'", 2, []string{"requires backend_data_directory", "backend_data_directory0"}},
		{"reserved connections", "num_init_children = 2\nreserved_connections = 2", 2, []string{"reserved_connections"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := load(t, tc.text)
			if err == nil {
				t.Fatalf("no error for %q", tc.text)
			}
			var pe *config.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Line != tc.line || !strings.HasSuffix(pe.File, "pgpool.conf") {
				t.Errorf("error at %s:%d, want pgpool.conf:%d", pe.File, pe.Line, tc.line)
			}
			msg := err.Error()
			if !strings.Contains(msg, "pgpool.conf:") {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, s := range tc.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
		})
	}
}

func TestUnknownParameterIsInfoNotError(t *testing.T) {
	_, d := mustLoad(t, "port = 9999\nno_such_param = 1\n")
	if len(d) != 1 || d[0].Level != config.LevelInfo || d[0].Line != 2 ||
		d[0].Message != `unrecognized configuration parameter "no_such_param"` {
		t.Fatalf("diagnostics = %v", d)
	}
}

func TestRenamedParametersGiveNotice(t *testing.T) {
	tests := []struct {
		text, param, want, notice string
	}{
		{"socket_dir = '/run/pg'", "unix_socket_directories", "/run/pg", `"unix_socket_directories"`},
		{"logdir = '/var/log/pgpool'", "work_dir", "/var/log/pgpool", `"work_dir"`},
		{"black_function_list = 'nextval'", "write_function_list", "nextval", `"write_function_list"`},
		{"white_function_list = 'now'", "read_only_function_list", "now", `"read_only_function_list"`},
		{"black_query_pattern_list = 'x'", "primary_routing_query_pattern_list", "x", `"primary_routing_query_pattern_list"`},
		{"follow_master_command = 'f.sh'", "follow_primary_command", "f.sh", `"follow_primary_command"`},
		{"fail_over_on_backend_error = off", "failover_on_backend_error", "off", `"failover_on_backend_error"`},
		{"delegate_IP = '10.0.0.9'", "delegate_ip", "10.0.0.9", `"delegate_ip"`},
		{"relcache_query_target = master", "relcache_query_target", "primary", `"primary"`},
		{"backend_port0 = 5432\nbackend_flag0 = 'ALWAYS_MASTER'", "backend_flag0", "ALLOW_TO_FAILOVER|ALWAYS_PRIMARY", "ALWAYS_PRIMARY"},
		{"master_slave_mode = on\nmaster_slave_sub_mode = 'stream'", "backend_clustering_mode", "streaming_replication", "backend_clustering_mode"},
		{"master_slave_mode = on\nmaster_slave_sub_mode = 'logical'", "backend_clustering_mode", "logical_replication", "backend_clustering_mode"},
		{"replication_mode = on", "backend_clustering_mode", "native_replication", "backend_clustering_mode"},
		{"replication_mode = off\nmaster_slave_mode = off", "backend_clustering_mode", "raw", "backend_clustering_mode"},
		{"backend_clustering_mode = raw\nmaster_slave_mode = on", "backend_clustering_mode", "raw", "ignored"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			c, d := mustLoad(t, tc.text)
			if got, _ := c.Value(tc.param); got != tc.want {
				t.Errorf("%s = %q, want %q", tc.param, got, tc.want)
			}
			found := false
			for _, x := range d {
				if x.Level == config.LevelNotice && strings.Contains(x.Message, tc.notice) {
					found = true
				}
			}
			if !found {
				t.Errorf("no notice mentioning %s in %v", tc.notice, d)
			}
		})
	}
}

func TestOldSlonyModeIsAnError(t *testing.T) {
	_, _, err := load(t, "master_slave_mode = on\n")
	if err == nil || !strings.Contains(err.Error(), "slony") {
		t.Fatalf("err = %v, want slony removal error", err)
	}
}

func TestHealthCheckOverridesRegardlessOfOrder(t *testing.T) {
	c, _ := mustLoad(t, `
health_check_period1 = 5
health_check_period = 30
health_check_user = 'hc'
health_check_user2 = 'other'
connect_timeout0 = 2s
backend_port0 = 5432
backend_port1 = 5433
backend_port2 = 5434
`)
	tests := []struct {
		node   int
		period int
		user   string
		ct     int
	}{{0, 30, "hc", 2000}, {1, 5, "hc", 10000}, {2, 30, "other", 10000}, {7, 30, "hc", 10000}}
	for _, tc := range tests {
		h := c.HealthCheck(tc.node)
		if h.Period != tc.period || h.User != tc.user || h.ConnectTimeout != tc.ct || h.Timeout != 20 || h.Database != "postgres" {
			t.Errorf("HealthCheck(%d) = %+v", tc.node, h)
		}
	}
	if v, _ := c.Value("health_check_period1"); v != "5" {
		t.Errorf("Value(health_check_period1) = %q", v)
	}
}

func TestBackendsWithGaps(t *testing.T) {
	c, d := mustLoad(t, `
backend_hostname0 = 'db0'
backend_port0 = 5432
backend_weight0 = 1
backend_hostname2 = ''
backend_port2 = 5433
backend_weight2 = 3
backend_flag2 = 'DISALLOW_TO_FAILOVER|ALWAYS_PRIMARY'
backend_data_directory1 = '/ignored'
`)
	if len(c.Backends) != 3 {
		t.Fatalf("len(Backends) = %d, want 3", len(c.Backends))
	}
	if c.Backends[1].InUse() || c.Backends[1].DataDirectory != "" {
		t.Errorf("gap slot = %+v, want zero", c.Backends[1])
	}
	b := c.Backends[2]
	if b.Host() != "/tmp" || b.Hostname != "" || b.Flag != config.DisallowToFailover|config.AlwaysPrimary {
		t.Errorf("backend 2 = %+v host %q", b, b.Host())
	}
	if b.Flag.String() != "DISALLOW_TO_FAILOVER|ALWAYS_PRIMARY" || c.Backends[0].Flag.String() != "ALLOW_TO_FAILOVER" {
		t.Errorf("flag strings %q %q", b.Flag, c.Backends[0].Flag)
	}
	if w := c.NormalizedWeight(2); w != 0.75 {
		t.Errorf("NormalizedWeight(2) = %v", w)
	}
	if w := c.NormalizedWeight(1); w != 0 {
		t.Errorf("NormalizedWeight(unused) = %v", w)
	}
	found := false
	for _, x := range d {
		found = found || strings.Contains(x.Message, "empty backend_hostname2")
	}
	if !found {
		t.Errorf("no diagnostic about the empty hostname: %v", d)
	}
}

func TestAllZeroWeightsGiveNaNWithoutPanic(t *testing.T) {
	c, d := mustLoad(t, "backend_port0 = 5432\nbackend_port1 = 5433\n")
	if !math.IsNaN(c.NormalizedWeight(0)) {
		t.Errorf("NormalizedWeight = %v, want NaN", c.NormalizedWeight(0))
	}
	var row string
	for _, r := range c.StatusRows() {
		if r.Item == "backend_weight0" {
			row = r.Value
		}
	}
	if row != "nan" {
		t.Errorf("pool_status backend_weight0 = %q, want nan", row)
	}
	warned := false
	for _, x := range d {
		warned = warned || x.Level == config.LevelWarning && strings.Contains(x.Message, "weights are 0")
	}
	if !warned {
		t.Errorf("no warning about all-zero weights: %v", d)
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("sub/b.conf", "port = 2222\nsr_check_user = 'fromb'\n")
	main := write("pgpool.conf", "port = 1111\ninclude 'sub/b.conf'\nsr_check_user = 'main'\n")
	c, _, err := config.Load(main)
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 2222 || c.SrCheckUser != "main" {
		t.Errorf("port %d user %q: include not spliced in place", c.Port, c.SrCheckUser)
	}

	t.Run("errors name the included file", func(t *testing.T) {
		write("bad.conf", "\n\nport = x1\n")
		p := write("inc.conf", "include 'bad.conf'\n")
		_, _, err := config.Load(p)
		var pe *config.ParseError
		if !errors.As(err, &pe) || !strings.HasSuffix(pe.File, "bad.conf") || pe.Line != 3 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing include", func(t *testing.T) {
		p := write("miss.conf", "include 'nope.conf'\n")
		_, _, err := config.Load(p)
		if err == nil || !strings.Contains(err.Error(), "nope.conf") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("depth limit", func(t *testing.T) {
		p := write("loop.conf", "include 'loop.conf'\n")
		_, _, err := config.Load(p)
		if err == nil || !strings.Contains(err.Error(), "maximum nesting depth exceeded") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ten levels are allowed", func(t *testing.T) {
		for i := 1; i <= 10; i++ {
			next := ""
			if i < 10 {
				next = "include 'l" + string(rune('0'+i+1)) + ".conf'\n"
			}
			if i == 10 {
				next = "port = 3333\n"
			}
			write("l"+string(rune('0'+i))+".conf", next)
		}
		p := write("top.conf", "include 'l1.conf'\n")
		c, _, err := config.Load(p)
		if err != nil || c.Port != 3333 {
			t.Fatalf("port %v err %v", c, err)
		}
	})
}

func TestMissingFileGivesDefaultsAndSentinel(t *testing.T) {
	c, d, err := config.Load(filepath.Join(t.TempDir(), "absent.conf"))
	if !errors.Is(err, config.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if c == nil || c.NumInitChildren != 32 || c.Port != 9999 {
		t.Fatalf("config = %+v, want defaults", c)
	}
	if len(d) != 1 || d[0].Level != config.LevelWarning {
		t.Fatalf("diagnostics = %v", d)
	}
}

func TestRedirectListsParse(t *testing.T) {
	c, _ := mustLoad(t, `database_redirect_preference_list = 'postgres:primary, mydb[0-4]:1(0.3),^test.*:standby'
app_name_redirect_preference_list = 'psql:STANDBY(0.5)'
user_redirect_preference_list = 'admin:primary'
dml_adaptive_object_relationship_list = 'tbl1:tbl2, fn_a():tbl3'`)
	r := c.DatabaseRedirect
	if len(r) != 3 || r[0].Node != config.SpecPrimary || r[0].Ratio != 1 ||
		r[1].Node != 1 || r[1].Ratio != 0.3 || r[2].Node != config.SpecStandby {
		t.Fatalf("rules = %+v", r)
	}
	// Pgpool compiles them REG_ICASE and anchors them (add_regex_array).
	if !r[1].Pattern.MatchString("mydb3") || r[1].Pattern.MatchString("mydb33") || !r[1].Pattern.MatchString("MYDB3") {
		t.Errorf("regexp must be anchored and case-insensitive")
	}
	if !r[2].Pattern.MatchString("testdb") {
		t.Errorf("pattern with ^ not matched")
	}
	if a := c.AppNameRedirect; len(a) != 1 || a[0].Node != config.SpecStandby || a[0].Ratio != 0.5 {
		t.Errorf("app rules = %+v", a)
	}
	if u := c.UserRedirect; len(u) != 1 || !u[0].Pattern.MatchString("admin") {
		t.Errorf("user rules = %+v", u)
	}
	rel := c.DMLAdaptiveRel
	if len(rel) != 2 || !rel[1].LeftFunction || rel[1].Left != "fn_a" || rel[0].RightFunction {
		t.Errorf("relations = %+v", rel)
	}
}

func TestParseRedirectList(t *testing.T) {
	r, err := config.ParseRedirectList("postgres:primary, mydb\\d:1(0.3),  app.*:standby(0.5) ,x:PRIMARY")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		pattern string
		node    config.NodeSpec
		ratio   float64
	}{
		{"postgres", config.SpecPrimary, 1}, {`mydb\d`, 1, 0.3}, {"app.*", config.SpecStandby, 0.5}, {"x", config.SpecPrimary, 1},
	}
	if len(r) != len(want) {
		t.Fatalf("%d entries, want %d", len(r), len(want))
	}
	for i, w := range want {
		if r[i].Pattern.Source != w.pattern || r[i].Node != w.node || r[i].Ratio != w.ratio {
			t.Errorf("entry %d = %q %d %v, want %q %d %v", i, r[i].Pattern.Source, r[i].Node, r[i].Ratio, w.pattern, w.node, w.ratio)
		}
	}
	if !r[1].Pattern.Match([]byte("MYDB7")) || r[1].Pattern.Match([]byte("xmydb7")) || r[1].Pattern.Match([]byte("mydb77")) {
		t.Error("redirect patterns must be anchored and case-insensitive")
	}
	// Pgpool splits an entry at its first ':' (extract_string_tokens2).
	if _, err := config.ParseRedirectList("a:b:primary"); err == nil {
		t.Error(`"a:b:primary" accepted: the node spec after the first ':' is "b:primary"`)
	}
	for _, bad := range []string{"nocolon", ":1", "db:standby1", "db:128", "db:-1", "db:1(x)", "db:1(1.5)", "db:[", "db(:1"} {
		if _, err := config.ParseRedirectList(bad); err == nil {
			t.Errorf("ParseRedirectList(%q) accepted", bad)
		}
	}
}

// An invalid function pattern is left out with a WARNING, as Pgpool
// does; the rest of the list still applies.
func TestInvalidFunctionPatternIsSkipped(t *testing.T) {
	c, d := mustLoad(t, "read_only_function_list = 'now,foo(,count'\n")
	if len(c.ReadOnlyFunctions) != 2 || c.ReadOnlyFunctions[1].Source != "count" {
		t.Fatalf("read_only_function_list = %+v", c.ReadOnlyFunctions)
	}
	if len(d) != 1 || d[0].Level != config.LevelWarning || !strings.Contains(d[0].String(), "foo(") {
		t.Errorf("diagnostics = %v, want one WARNING naming foo(", d)
	}
}

func TestWatchdogAndHeartbeat(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pgpool_node_id"), []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "pgpool.conf")
	text := `use_watchdog = on
hostname0 = 'a'
wd_port0 = 9000
pgpool_port0 = 9999
hostname1 = 'b'
wd_port1 = 9000
pgpool_port1 = 9999
heartbeat_hostname0 = 'a1;a2'
heartbeat_port0 = 9694
heartbeat_device0 = 'eth0;eth1'
heartbeat_port1 = 9694
`
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.PgpoolNodeID != 1 || len(c.Watchdog) != 2 || c.Watchdog[1].Hostname != "b" || len(c.Heartbeat) != 2 {
		t.Fatalf("node id %d watchdog %+v heartbeat %+v", c.PgpoolNodeID, c.Watchdog, c.Heartbeat)
	}
	if h := c.Heartbeat[0].Hostnames(); len(h) != 2 || h[1] != "a2" {
		t.Errorf("hostnames %v", h)
	}
	rows, ok := c.ShowGroup("watchdog")
	if !ok || len(rows) != 6 || rows[0].Item != "hostname0" {
		t.Errorf("PGPOOL SHOW watchdog rows = %+v", rows)
	}
	if err := os.Remove(filepath.Join(dir, "pgpool_node_id")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), "pgpool_node_id") {
		t.Errorf("missing pgpool_node_id: err = %v", err)
	}
}
