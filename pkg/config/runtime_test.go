package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

func writeConf(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestReload(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pgpool.conf")
	writeConf(t, p, `num_init_children = 32
sr_check_period = 10
backend_hostname0 = 'a'
backend_port0 = 5432
backend_data_directory0 = '/d0'
backend_weight0 = 1
`)
	old, _, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	writeConf(t, p, `num_init_children = 64
sr_check_period = 5
backend_hostname0 = 'b'
backend_port0 = 5432
backend_data_directory0 = '/d1'
backend_weight0 = 3
backend_flag0 = 'DISALLOW_TO_FAILOVER'
backend_hostname1 = 'new'
backend_port1 = 5433
log_min_messages = loud
`)
	nc, d, err := old.Reload(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("restart-only change is reported and ignored", func(t *testing.T) {
		if nc.NumInitChildren != 32 {
			t.Errorf("num_init_children = %d, want 32 kept", nc.NumInitChildren)
		}
		if !hasDiag(d, config.LevelWarning, "num_init_children") {
			t.Errorf("no warning about num_init_children in %v", d)
		}
	})
	t.Run("reloadable change applied", func(t *testing.T) {
		if nc.SrCheckPeriod != 5 || nc.Backends[0].Weight != 3 || nc.Backends[0].Flag != config.DisallowToFailover {
			t.Errorf("sr_check_period %d backend0 %+v", nc.SrCheckPeriod, nc.Backends[0])
		}
	})
	t.Run("hostname of a used slot kept, new slot added", func(t *testing.T) {
		if nc.Backends[0].Hostname != "a" || len(nc.Backends) != 2 || nc.Backends[1].Hostname != "new" {
			t.Errorf("backends %+v", nc.Backends)
		}
	})
	t.Run("data directory kept while node is up", func(t *testing.T) {
		if nc.Backends[0].DataDirectory != "/d0" {
			t.Errorf("data dir %q", nc.Backends[0].DataDirectory)
		}
		down, _, err := old.Reload(p, func(n int) bool { return n == 0 })
		if err != nil || down.Backends[0].DataDirectory != "/d1" {
			t.Errorf("with node 0 down: %v %+v", err, down)
		}
	})
	t.Run("bad value keeps the old one with a warning", func(t *testing.T) {
		if nc.LogMinMessages != "warning" || !hasDiag(d, config.LevelWarning, "log_min_messages") {
			t.Errorf("log_min_messages %q diags %v", nc.LogMinMessages, d)
		}
	})
	t.Run("old config unchanged", func(t *testing.T) {
		if old.SrCheckPeriod != 10 || old.Backends[0].Weight != 1 || len(old.Backends) != 1 {
			t.Errorf("old config modified: %+v", old)
		}
	})
	t.Run("syntax error fails the reload", func(t *testing.T) {
		writeConf(t, p, "port = = 1\n")
		if _, _, err := old.Reload(p, nil); err == nil {
			t.Error("reload of a broken file succeeded")
		}
	})
}

func hasDiag(d []config.Diagnostic, l config.Level, param string) bool {
	for _, x := range d {
		if x.Level == l && strings.Contains(x.Param+x.Message, param) {
			return true
		}
	}
	return false
}

func TestWithSession(t *testing.T) {
	base := config.Default()
	tests := []struct {
		name, param, value, want, err string
	}{
		{"session parameter", "client_idle_limit", "30", "30s", ""},
		{"session enum", "log_min_messages", "debug1", "debug1", ""},
		{"session bool", "log_statement", "on", "on", ""},
		{"unknown", "nope", "1", "", `unrecognized configuration parameter "nope"`},
		{"not session", "num_init_children", "5", "", `invalid Context, value for parameter "num_init_children" cannot be changed`},
		{"reload-only", "sr_check_period", "5", "", "invalid Context"},
		{"bad value", "client_idle_limit", "abc", "", `invalid value for parameter "client_idle_limit": "abc"`},
		{"bad range", "client_idle_limit_in_recovery", "-2", "", "outside the valid range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := base.WithSession(tc.param, tc.value)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := c.Value(tc.param); v != tc.want {
				t.Errorf("%s = %q, want %q", tc.param, v, tc.want)
			}
			if v, _ := base.Value(tc.param); v == tc.want && tc.param != "log_statement" {
				t.Errorf("base config changed")
			}
			r, err := c.ResetSession(tc.param, base)
			if err != nil {
				t.Fatal(err)
			}
			rv, _ := r.Value(tc.param)
			bv, _ := base.Value(tc.param)
			if rv != bv {
				t.Errorf("reset gives %q, want %q", rv, bv)
			}
		})
	}
}

func TestStatusRows(t *testing.T) {
	c, _ := mustLoad(t, `backend_hostname0 = 'db0'
backend_port0 = 5432
backend_weight0 = 1
backend_port1 = 5433
backend_weight1 = 3
backend_flag1 = 'ALWAYS_PRIMARY'
log_min_messages = debug1
reset_query_list = 'ABORT; DISCARD ALL'
child_life_time = 5min
`)
	rows := c.StatusRows()
	if rows[0].Item != "backend_clustering_mode" || rows[0].Value != "1" || rows[0].Description != "clustering mode" {
		t.Errorf("first row %+v", rows[0])
	}
	get := map[string]config.StatusRow{}
	for _, r := range rows {
		get[r.Item] = r
	}
	checks := map[string]string{
		"load_balance_mode":       "1",
		"log_min_messages":        "14",
		"log_standby_delay":       "2",
		"syslog_facility":         "LOCAL0",
		"unix_socket_permissions": "0777",
		"reset_query_list":        "ABORT; DISCARD ALL",
		"child_life_time":         "300",
		"backend_hostname1":       "/tmp",
		"backend_weight0":         "0.250000",
		"backend_weight1":         "0.750000",
		"backend_flag1":           "ALLOW_TO_FAILOVER|ALWAYS_PRIMARY",
		"memqcache_cache_oiddir":  "/var/log/pgpool/oiddir",
	}
	for item, want := range checks {
		if got := get[item]; got.Value != want {
			t.Errorf("%s = %q, want %q", item, got.Value, want)
		}
	}
	if r := get["backend_status1"]; r.Runtime != config.RuntimeBackendStatus || r.Node != 1 {
		t.Errorf("backend_status1 row %+v", r)
	}
	if _, ok := get["sr_check_password"]; ok {
		t.Error("pool_status must not list sr_check_password")
	}
	if rows[len(rows)-1].Item != "backend_application_name1" {
		t.Errorf("last row %q", rows[len(rows)-1].Item)
	}
}

func TestShowGroupAndAll(t *testing.T) {
	c, _ := mustLoad(t, "backend_port0 = 5432\nbackend_port2 = 5434\nhealth_check_period2 = 7\n")
	rows, ok := c.ShowGroup("backend")
	if !ok || len(rows) != 12 || rows[6].Item != "backend_hostname2" {
		t.Errorf("backend rows %+v", rows)
	}
	hc, _ := c.ShowGroup("health_check")
	found := false
	for _, r := range hc {
		found = found || r.Item == "health_check_period2" && r.Value == "7"
	}
	if !found {
		t.Errorf("health_check rows %+v", hc)
	}
	one, ok := c.ShowGroup("backend_port")
	if !ok || len(one) != 2 || one[1].Value != "5434" {
		t.Errorf("backend_port rows %+v", one)
	}
	if _, ok := c.ShowGroup("nope"); ok {
		t.Error("unknown group accepted")
	}
	all := c.ShowAll()
	for _, r := range all {
		if r.Item == "health_check_password" && r.Value != "*****" {
			t.Errorf("password shown: %+v", r)
		}
	}
}
