package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
)

// Reload reads path again for a SIGHUP and returns a new Config built from
// c (c itself is not changed):
//
//   - a syntax error, or a missing file, fails the whole reload (Pgpool
//     ignores the file with a WARNING): the caller keeps c;
//   - a bad value is a warning and that parameter keeps its current value;
//   - restart-only (ContextInit) parameters that changed are reported
//     (warning) and keep their current value;
//   - backend_hostnameN/backend_portN may only fill a slot that was unused;
//     backend_data_directoryN changes only while isDown(N) reports the node
//     down (nil means no node is down); backend_weightN, backend_flagN and
//     backend_application_nameN always reload. Unlike Pgpool (trap T18),
//     removing ALWAYS_PRIMARY from backend_flagN takes effect.
//   - a reloadable parameter missing from the file returns to its default.
func (c *Config) Reload(path string, isDown func(node int) bool) (*Config, []Diagnostic, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config: resolve %q: %w", path, err)
	}
	var diags []Diagnostic
	entries, err := readFile(abs, 0, &diags)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, diags, fmt.Errorf("reload %s: %w", abs, ErrNotFound)
		}
		return nil, diags, fmt.Errorf("reload %s: configuration file ignored: %w", abs, err)
	}
	b := newBuilder(abs, true)
	b.diags = diags
	b.apply(entries)
	b.finish()
	nc := b.c
	for name := range b.failed {
		if p, idx, _ := resolve(name); p != nil && idx < 0 && p.Field() != "" {
			copyField(nc, c, p)
		}
	}
	for i := range paramTable {
		p := &paramTable[i]
		if p.Context != ContextInit || p.Field() == "" {
			continue
		}
		oldV := reflect.ValueOf(c).Elem().FieldByName(p.Field()).Interface()
		newV := reflect.ValueOf(nc).Elem().FieldByName(p.Field()).Interface()
		if reflect.DeepEqual(oldV, newV) {
			continue
		}
		ov, _ := c.Value(p.Name)
		nv, _ := nc.Value(p.Name)
		b.diag(LevelWarning, b.at(p.Name), p.Name, fmt.Sprintf(
			"parameter %q cannot be changed without restarting the server: keeping %q (file has %q)", p.Name, ov, nv))
		copyField(nc, c, p)
	}
	nc.Backends = b.reloadBackends(c, isDown)
	if nc.UseWatchdog == c.UseWatchdog {
		nc.PgpoolNodeID = c.PgpoolNodeID // read at start only
	}
	return nc, b.diags, nil
}

func (b *builder) reloadBackends(old *Config, isDown func(int) bool) []Backend {
	nc := b.c
	n := max(len(old.Backends), len(nc.Backends))
	out := make([]Backend, n)
	for i := 0; i < n; i++ {
		var o, nb Backend
		if i < len(old.Backends) {
			o = old.Backends[i]
		}
		if i < len(nc.Backends) {
			nb = nc.Backends[i]
		}
		switch {
		case !o.InUse():
			out[i] = nb // a new node (or still unused)
		case !nb.InUse():
			b.diag(LevelWarning, b.at(fmt.Sprintf("backend_port%d", i)), fmt.Sprintf("backend_port%d", i), fmt.Sprintf(
				"backend %d is no longer configured: a configured backend can only be removed by restarting the server; keeping it", i))
			out[i] = o
		default:
			r := nb
			if nb.Hostname != o.Hostname || nb.Port != o.Port {
				b.diag(LevelWarning, b.at(fmt.Sprintf("backend_port%d", i)), fmt.Sprintf("backend_hostname%d", i), fmt.Sprintf(
					"backend_hostname%d/backend_port%d cannot be changed for a configured node without restarting the server: keeping %s:%d", i, i, o.Hostname, o.Port))
				r.Hostname, r.Port = o.Hostname, o.Port
			}
			if nb.DataDirectory != o.DataDirectory && (isDown == nil || !isDown(i)) {
				b.diag(LevelWarning, b.at(fmt.Sprintf("backend_data_directory%d", i)), fmt.Sprintf("backend_data_directory%d", i), fmt.Sprintf(
					"backend_data_directory%d can only be changed while node %d is down: keeping %q", i, i, o.DataDirectory))
				r.DataDirectory = o.DataDirectory
			}
			out[i] = r
		}
	}
	for len(out) > 0 && !out[len(out)-1].InUse() {
		out = out[:len(out)-1]
	}
	return out
}
