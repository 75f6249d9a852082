package config_test

import (
	"reflect"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// TestTableAndStructAgree checks both directions: every table entry with a
// field has an exported Config field of the right Go type and tag, and every
// tagged Config field has a table entry.
func TestTableAndStructAgree(t *testing.T) {
	typ := reflect.TypeOf(config.Config{})
	want := map[config.Kind]reflect.Type{
		config.KindBool: reflect.TypeOf(false), config.KindInt: reflect.TypeOf(0),
		config.KindReal: reflect.TypeOf(0.0), config.KindString: reflect.TypeOf(""),
		config.KindEnum: reflect.TypeOf(""), config.KindList: reflect.TypeOf([]string(nil)),
	}
	seen := map[string]bool{}
	for _, p := range config.Params() {
		if seen[p.Name] {
			t.Errorf("parameter %s appears twice in the table", p.Name)
		}
		seen[p.Name] = true
		if p.Description == "" || p.Context == 0 || p.Group == "" {
			t.Errorf("parameter %s lacks description, context or group", p.Name)
		}
		if p.Kind == config.KindList && p.Separator == "" {
			t.Errorf("list %s has no separator", p.Name)
		}
		f := p.Field()
		if f == "" {
			if !p.Indexed || p.MaxIndex == 0 || p.ShowGroup == "" {
				t.Errorf("indexed-only parameter %s lacks MaxIndex or ShowGroup", p.Name)
			}
			continue
		}
		sf, ok := typ.FieldByName(f)
		if !ok {
			t.Errorf("parameter %s: Config has no field %s", p.Name, f)
			continue
		}
		if sf.Tag.Get("pgpool") != p.Name {
			t.Errorf("field %s has tag %q, want %q", f, sf.Tag.Get("pgpool"), p.Name)
		}
		if sf.Type != want[p.Kind] {
			t.Errorf("field %s is %v, want %v for a %v parameter", f, sf.Type, want[p.Kind], p.Kind)
		}
	}
	for i := 0; i < typ.NumField(); i++ {
		sf := typ.Field(i)
		tag := sf.Tag.Get("pgpool")
		if tag == "" {
			continue
		}
		p, ok := config.Lookup(tag)
		if !ok || p.Field() != sf.Name || config.FieldName(tag) != sf.Name {
			t.Errorf("field %s (tag %q) has no matching table entry", sf.Name, tag)
		}
	}
}

func TestEveryDefaultIsShownBackUnchanged(t *testing.T) {
	d := config.Default()
	for _, p := range config.Params() {
		if p.Field() == "" || p.Secret {
			continue
		}
		v, ok := d.Value(p.Name)
		if !ok {
			t.Errorf("Value(%s) not found", p.Name)
			continue
		}
		// Re-loading the displayed value must give the same value.
		c, _, err := config.LoadString(t.TempDir()+"/pgpool.conf", p.Name+" = '"+v+"'\n")
		if err != nil {
			t.Errorf("%s = '%s' (its own default, as shown) does not load: %v", p.Name, v, err)
			continue
		}
		if v2, _ := c.Value(p.Name); v2 != v {
			t.Errorf("%s: default shows %q, reloaded shows %q", p.Name, v, v2)
		}
	}
}
