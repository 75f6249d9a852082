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
	o, err := NewOptions(Config{
		LoadBalanceMode:           true,
		DisableLoadBalanceOnWrite: "TRANS_TRANSACTION",
		CheckTempTable:            "off",
		ReadOnlyFunctions:         patterns(t, "now", "current_.*"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.DisableLoadBalanceOnWrite != WriteTransTransaction || o.CheckTempTable != TempNone || len(o.ReadOnlyFunctions) != 2 {
		t.Fatalf("unexpected options %+v", o)
	}
	for _, c := range []Config{
		{DisableLoadBalanceOnWrite: "sometimes"},
		{DisableLoadBalanceOnWrite: "dml_adaptive_global"},
		{CheckTempTable: "maybe"},
	} {
		_, err := NewOptions(c)
		if err == nil {
			t.Errorf("NewOptions(%+v) accepted", c)
		} else if !strings.Contains(err.Error(), "_") {
			t.Errorf("error %q does not name the parameter", err)
		}
	}
}
