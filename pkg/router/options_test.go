package router

import (
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// patterns compiles list entries as pkg/config does for pgpool.conf.
func patterns(t testing.TB, entries ...string) []Pattern {
	t.Helper()
	var out []Pattern
	for _, e := range entries {
		p, err := config.CompilePattern(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func mustRedirects(t testing.TB, s string) []Redirect {
	t.Helper()
	r, err := config.ParseRedirectList(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNewOptions(t *testing.T) {
	streaming := func(mod func(c *config.Config)) *config.Config {
		c := config.Default()
		c.BackendClusteringMode = "streaming_replication"
		mod(c)
		return c
	}
	o, err := NewOptions(streaming(func(c *config.Config) {
		c.LoadBalanceMode = true
		c.DisableLoadBalanceOnWrite = "TRANS_TRANSACTION"
		c.CheckTempTable = "off"
		c.ReadOnlyFunctions = patterns(t, "now", "current_.*")
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !o.LoadBalanceMode || o.DisableLoadBalanceOnWrite != WriteTransTransaction || o.CheckTempTable != TempNone || len(o.ReadOnlyFunctions) != 2 {
		t.Fatalf("unexpected options %+v", o)
	}
	if o, err := NewOptions(streaming(func(c *config.Config) { c.BackendClusteringMode = "raw" })); err != nil || o.LoadBalanceMode {
		t.Fatalf("raw mode: load balancing %v (%v), want off", o != nil && o.LoadBalanceMode, err)
	}
	for _, mod := range []func(c *config.Config){
		func(c *config.Config) { c.DisableLoadBalanceOnWrite = "sometimes" },
		func(c *config.Config) { c.DisableLoadBalanceOnWrite = "dml_adaptive_global" },
		func(c *config.Config) { c.CheckTempTable = "maybe" },
	} {
		c := streaming(mod)
		_, err := NewOptions(c)
		if err == nil {
			t.Errorf("NewOptions accepted disable_load_balance_on_write %q, check_temp_table %q", c.DisableLoadBalanceOnWrite, c.CheckTempTable)
		} else if !strings.Contains(err.Error(), "_") {
			t.Errorf("error %q does not name the parameter", err)
		}
	}
}
