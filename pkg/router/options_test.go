package router

import (
	"strings"
	"testing"
)

func TestParseRedirectList(t *testing.T) {
	r, err := ParseRedirectList("postgres:primary, mydb\\d:1(0.3),  app.*:standby(0.5) ,x:PRIMARY")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		pattern string
		node    NodeSpec
		ratio   float64
	}{
		{"postgres", SpecPrimary, 1}, {`mydb\d`, 1, 0.3}, {"app.*", SpecStandby, 0.5}, {"x", SpecPrimary, 1},
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
	for _, bad := range []string{"nocolon", ":1", "db:standby1", "db:128", "db:-1", "db:1(x)", "db:[", "db(:1"} {
		if _, err := ParseRedirectList(bad); err == nil {
			t.Errorf("ParseRedirectList(%q) accepted", bad)
		}
	}
}

func TestParseQueryPatternList(t *testing.T) {
	p, err := ParseQueryPatternList(`SELECT \* FROM t1\;;SELECT .*pg_sleep.*;select 'a\'b'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 3 {
		t.Fatalf("%d patterns, want 3", len(p))
	}
	for _, tc := range []struct {
		i    int
		q    string
		want bool
	}{
		{0, "SELECT * FROM t1;", true},
		{0, "select * from t1;", true},
		{0, "SELECT * FROM t1", false},
		{1, "SELECT 1, pg_sleep(1)", true},
		{2, "select 'a'b'", true},
	} {
		if got := p[tc.i].Match([]byte(tc.q)); got != tc.want {
			t.Errorf("pattern %q on %q = %v, want %v", p[tc.i].Source, tc.q, got, tc.want)
		}
	}
}

func TestNewOptions(t *testing.T) {
	o, err := NewOptions(Config{
		LoadBalanceMode:                   true,
		DisableLoadBalanceOnWrite:         "TRANS_TRANSACTION",
		CheckTempTable:                    "off",
		ReadOnlyFunctionList:              "now, current_.*",
		DMLAdaptiveObjectRelationshipList: "a:b, f():t",
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.DisableLoadBalanceOnWrite != WriteTransTransaction || o.CheckTempTable != TempNone ||
		len(o.ReadOnlyFunctions) != 2 || len(o.DMLAdaptiveRelations) != 2 || !o.DMLAdaptiveRelations[1].LeftFunction {
		t.Fatalf("unexpected options %+v", o)
	}
	for _, c := range []Config{
		{DisableLoadBalanceOnWrite: "sometimes"},
		{DisableLoadBalanceOnWrite: "dml_adaptive_global"},
		{CheckTempTable: "maybe"},
		{WriteFunctionList: "nextval,("},
		{UserRedirectPreferenceList: "u:nodeX"},
		{DMLAdaptiveObjectRelationshipList: "justone"},
	} {
		_, err := NewOptions(c)
		if err == nil {
			t.Errorf("NewOptions(%+v) accepted", c)
		} else if !strings.Contains(err.Error(), "_") {
			t.Errorf("error %q does not name the parameter", err)
		}
	}
}
