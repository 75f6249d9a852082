package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// TestSnapshotRoundTrips checks that a snapshot loads back to the same
// configuration, for the shipped sample, Debian's sample and a file that
// sets per-node values, quotes and lists.
func TestSnapshotRoundTrips(t *testing.T) {
	dir := t.TempDir()
	custom := filepath.Join(dir, "pgpool.conf")
	os.WriteFile(custom, []byte(`
backend_hostname0 = 'host0'
backend_port0 = 5432
backend_weight0 = 0.5
backend_flag0 = 'DISALLOW_TO_FAILOVER|ALWAYS_PRIMARY'
backend_port2 = 5434
backend_data_directory2 = '/data/it''s'
health_check_period = 10
health_check_period2 = 3
health_check_user1 = 'hc'
reset_query_list = 'ABORT; DISCARD ALL'
primary_routing_query_pattern_list = 'SELECT \; x;.*nextval.*'
failover_command = '/etc/failover.sh %d %h "%p" ''x'''
database_redirect_preference_list = 'postgres:primary,test:1(0.3)'
listen_addresses = '127.0.0.1, ::1'
num_init_children = 7
authentication_timeout = 1min
`), 0600)
	for _, path := range []string{custom, "../../etc/pgpool.conf.sample", "/usr/share/doc/pgpool2/examples/pgpool.conf.sample"} {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			c, _, err := config.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			snap := filepath.Join(t.TempDir(), "snap.conf")
			if err := os.WriteFile(snap, c.Snapshot(), 0600); err != nil {
				t.Fatal(err)
			}
			back, err := config.LoadSnapshot(snap)
			if err != nil {
				t.Fatalf("%v\n%s", err, c.Snapshot())
			}
			if back.File != c.File || back.Dir != c.Dir {
				t.Errorf("file %q dir %q, want %q %q", back.File, back.Dir, c.File, c.Dir)
			}
			compare(t, reflect.ValueOf(*c), reflect.ValueOf(*back), "Config")
			for n := 0; n < 4; n++ {
				if a, b := c.HealthCheck(n), back.HealthCheck(n); a != b {
					t.Errorf("HealthCheck(%d) = %+v, want %+v", n, b, a)
				}
			}
		})
	}
}

var regexpType = reflect.TypeOf(&regexp.Regexp{})

func compare(t *testing.T, a, b reflect.Value, path string) {
	t.Helper()
	switch {
	case a.Type() == regexpType:
		if a.IsNil() != b.IsNil() || !a.IsNil() && a.Interface().(*regexp.Regexp).String() != b.Interface().(*regexp.Regexp).String() {
			t.Errorf("%s differs", path)
		}
	case a.Kind() == reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			compare(t, a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
		}
	case a.Kind() == reflect.Slice:
		if a.Len() != b.Len() {
			t.Errorf("%s: len %d, want %d", path, b.Len(), a.Len())
			return
		}
		for i := 0; i < a.Len(); i++ {
			compare(t, a.Index(i), b.Index(i), path+"[]")
		}
	case a.Kind() == reflect.Float64:
		if a.Float() != b.Float() && !(a.Float() != a.Float() && b.Float() != b.Float()) {
			t.Errorf("%s = %v, want %v", path, b.Float(), a.Float())
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			t.Errorf("%s = %#v, want %#v", path, b.Interface(), a.Interface())
		}
	}
}
