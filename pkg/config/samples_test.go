package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

const debianExamples = "/usr/share/doc/pgpool2/examples"

func requireFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing (%v): install Pgpool-II's samples with `apt-get install pgpool2`", path, err)
	}
}

// commentedAssignment matches "#name = value" lines of a sample, which
// document the compile-time default of a parameter.
var commentedAssignment = regexp.MustCompile(`^#([a-z_][a-zA-Z0-9_]*)\s*=\s*(.*)$`)

func TestDebianSamplePgpoolConfLoads(t *testing.T) {
	path := filepath.Join(debianExamples, "pgpool.conf.sample")
	requireFile(t, path)
	c, d, err := config.Load(path)
	if err != nil {
		t.Fatalf("Pgpool-II's own sample does not load: %v", err)
	}
	for _, x := range d {
		if x.Level != config.LevelInfo {
			t.Errorf("unexpected diagnostic %v", x)
		}
	}
	if c.BackendClusteringMode != "streaming_replication" {
		t.Errorf("backend_clustering_mode = %q", c.BackendClusteringMode)
	}
	// The 4.3 sample sets hostname0 = '' and nothing else; everything else
	// must be the compile-time default.
	def := config.Default()
	for _, p := range config.Params() {
		if p.Field() == "" {
			continue
		}
		a, _ := c.Value(p.Name)
		b, _ := def.Value(p.Name)
		if a != b {
			t.Errorf("%s = %q, default %q", p.Name, a, b)
		}
	}
}

func TestEtcPgpoolConfFromPackageLoads(t *testing.T) {
	path := "/etc/pgpool2/pgpool.conf"
	if _, err := os.Stat(path); err != nil {
		t.Logf("%s not present; nothing more to check", path)
		return
	}
	if _, _, err := config.Load(path); err != nil {
		t.Fatalf("%s does not load: %v", path, err)
	}
	for _, f := range []string{"/etc/pgpool2/pcp.conf", "/etc/pgpool2/pool_passwd"} {
		if _, err := os.Stat(f); err != nil {
			continue
		}
		var err error
		if strings.HasSuffix(f, "pcp.conf") {
			_, err = config.LoadPCPConf(f)
		} else {
			_, err = config.LoadPoolPasswd(f)
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat("/etc/pgpool2/pool_hba.conf"); err == nil {
		if _, err := config.LoadHBA("/etc/pgpool2/pool_hba.conf"); err != nil {
			t.Errorf("pool_hba.conf: %v", err)
		}
	}
}

func TestDebianSamplePcpAndHbaParse(t *testing.T) {
	pcp := filepath.Join(debianExamples, "pcp.conf.sample")
	hba := filepath.Join(debianExamples, "pool_hba.conf.sample")
	requireFile(t, pcp)
	requireFile(t, hba)
	users, err := config.LoadPCPConf(pcp)
	if err != nil || len(users) != 0 {
		t.Errorf("pcp.conf.sample: users %v err %v (the sample holds only comments)", users, err)
	}
	rules, err := config.LoadHBA(hba)
	if err != nil {
		t.Fatalf("pool_hba.conf.sample: %v", err)
	}
	if len(rules) < 3 || rules[0].Type != config.HBALocal || rules[0].Method != config.AuthTrust {
		t.Errorf("rules = %+v", rules)
	}
}

// TestOurSamplesDocumentTheDefaults loads etc/pgpool.conf.sample and checks
// that it equals Default() except the values it sets, and that every
// commented "#name = value" line shows the real compile-time default.
func TestOurSamplesDocumentTheDefaults(t *testing.T) {
	path := filepath.Join("..", "..", "etc", "pgpool.conf.sample")
	c, d, err := config.Load(path)
	if err != nil {
		t.Fatalf("our sample does not load: %v", err)
	}
	for _, x := range d {
		if x.Level != config.LevelInfo {
			t.Errorf("diagnostic %v", x)
		}
	}
	def := config.Default()
	for _, p := range config.Params() {
		if p.Field() == "" {
			continue
		}
		a, _ := c.Value(p.Name)
		b, _ := def.Value(p.Name)
		if a != b {
			t.Errorf("%s = %q in sample, default %q", p.Name, a, b)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for i, line := range strings.Split(string(data), "\n") {
		m := commentedAssignment.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := m[1]
		p, ok := config.Lookup(name)
		if !ok || p.Field() == "" {
			continue // indexed examples such as backend_hostname0 = 'host1'
		}
		documented[name] = true
		one, _, err := config.LoadString(filepath.Join(t.TempDir(), "x.conf"), name+" = "+m[2]+"\n")
		if err != nil {
			t.Errorf("sample line %d %q does not load: %v", i+1, line, err)
			continue
		}
		got, _ := one.Value(name)
		want, _ := def.Value(name)
		if got != want {
			t.Errorf("sample line %d documents %s = %q, compile-time default is %q", i+1, name, got, want)
		}
	}
	for _, p := range config.Params() {
		if p.Field() != "" && !documented[p.Name] && p.Name != "backend_clustering_mode" && p.Name != "health_check_test" {
			t.Errorf("parameter %s is not documented in etc/pgpool.conf.sample", p.Name)
		}
	}
}

func TestOurPcpAndHbaSamplesParse(t *testing.T) {
	if _, err := config.LoadPCPConf(filepath.Join("..", "..", "etc", "pcp.conf.sample")); err != nil {
		t.Error(err)
	}
	if _, err := config.LoadHBA(filepath.Join("..", "..", "etc", "pool_hba.conf.sample")); err != nil {
		t.Error(err)
	}
}

func TestBench43ConfigLoads(t *testing.T) {
	path := "/work/shared/bench/results/2026-11-26-3x20s/pgpool.conf"
	requireFile(t, path)
	c, d, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Backends) != 2 || c.Backends[0].Port != 9902 || c.Backends[1].ApplicationName != "standby1" ||
		c.Backends[1].Weight != 1 || c.Port != 9900 || c.PcpPort != 9901 ||
		c.UnixSocketDirectories[0] != "DIR/pgpool2/run" || c.WorkDir != "DIR/pgpool2" ||
		c.HealthCheck(1).MaxRetries != 3 || c.HealthCheck(0).Period != 30 || c.FailoverOnBackendError ||
		c.SrCheckUser != "postgres" || c.NormalizedWeight(0) != 0.5 {
		t.Errorf("unexpected values: %+v", c)
	}
	notices := 0
	for _, x := range d {
		if x.Level == config.LevelNotice {
			notices++
		}
	}
	if notices != 2 { // socket_dir and logdir
		t.Errorf("diagnostics = %v, want two rename notices", d)
	}
}
