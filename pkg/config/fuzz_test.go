package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"port = 9999\n", "backend_hostname0 = 'h'\nbackend_port0 = 5432\nbackend_weight0 = 1\n",
		"reset_query_list = 'ABORT; DISCARD ALL'\n", "child_life_time = 5min # c\n",
		"health_check_period1 = 0x10\nhealth_check_user = 'u'\n", "log_line_prefix = 'it''s \\' #'\n",
		"database_redirect_preference_list = 'a:primary(0.5),b:1'\n", "include 'x.conf'\n",
		"master_slave_mode = on\nmaster_slave_sub_mode = 'stream'\n", "backend_flag3 = 'ALWAYS_MASTER|DISALLOW_TO_FAILOVER'\n",
	} {
		f.Add(s)
	}
	if data, err := os.ReadFile(filepath.Join("..", "..", "etc", "pgpool.conf.sample")); err == nil {
		f.Add(string(data))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string) {
		c, _, err := config.LoadString(filepath.Join(dir, "pgpool.conf"), text)
		if err == nil {
			_ = c.StatusRows()
			_ = c.ShowAll()
			for i := range c.Backends {
				_ = c.NormalizedWeight(i)
				_ = c.HealthCheck(i)
			}
		}
	})
}

func FuzzHBA(f *testing.F) {
	for _, s := range []string{
		"local all all trust", "host all all 127.0.0.1/32 md5", "host db,\"x y\" +g 10.0.0.0 255.0.0.0 pam pamservice=p",
		"hostssl all all ::1/128 cert", "host all all .example.com ldap ldapserver=x", "host all @f 1.2.3.4/32 md5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, ok, err := config.ParseHBALine("pool_hba.conf", 1, line)
		if err == nil && ok {
			_ = r.Match(config.HBAConn{Database: "d", User: "u"})
			_ = r.Match(config.HBAConn{Local: true})
		}
	})
}
