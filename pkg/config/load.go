package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/ini.v1"
)

// maxIncludeDepth is Pgpool's (PostgreSQL's) CONF_FILE_MAX_DEPTH.
const maxIncludeDepth = 10

// entry is one assignment read from a file, in file order.
type entry struct {
	file  string
	line  int
	name  string
	value string
}

// iniOptions make gopkg.in/ini.v1 a faithful store of the assignments we
// hand it: '=' is the only delimiter, no inline comments, no continuation
// lines, no quote stripping, and every repeated key kept as a shadow so that
// "later assignment wins" and per-line positions survive.
var iniOptions = ini.LoadOptions{
	KeyValueDelimiters:         "=",
	IgnoreInlineComment:        true,
	IgnoreContinuation:         true,
	AllowShadows:               true,
	AllowDuplicateShadowValues: true,
	PreserveSurroundedQuote:    true,
	SpaceBeforeInlineComment:   true,
}

// readFile reads one pgpool.conf (and its includes) into entries.
//
// Pgpool's grammar differs from INI in ways ini.v1 cannot be told about:
// the '=' is optional ("port 9999"), values are Pgpool tokens (quoted
// strings keep backslashes and may contain '#', ';' and '='), '[' and ';'
// lines are not sections or comments, and errors must name the line. So each
// line is first tokenized by lexLine (Pgpool's lexer rules); the assignments
// are then rendered as "name = <line>|<value>|" lines and loaded with
// ini.v1, which keeps every assignment (shadows) in order. The line number
// travels inside the value so that every later error still names file:line.
func readFile(path string, depth int, diags *[]Diagnostic) ([]entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return readData(path, data, depth, diags)
}

func readData(path string, data []byte, depth int, diags *[]Diagnostic) ([]entry, error) {
	lines := strings.Split(string(data), "\n")
	var norm strings.Builder
	type include struct {
		line int
		file string
	}
	var includes []include
	for i, l := range lines {
		ln, err := lexLine(l)
		if err != nil {
			return nil, &ParseError{File: path, Line: i + 1, Msg: err.Error()}
		}
		switch ln.kind {
		case lineAssign:
			fmt.Fprintf(&norm, "%s = %d|%s|\n", ln.name, i+1, ln.value)
			continue
		case lineInclude:
			f := ln.value
			if !filepath.IsAbs(f) {
				f = filepath.Join(filepath.Dir(path), f)
			}
			includes = append(includes, include{i + 1, f})
		}
		norm.WriteByte('\n')
	}
	f, err := ini.LoadSources(iniOptions, []byte(norm.String()))
	if err != nil {
		return nil, &ParseError{File: path, Msg: "cannot read configuration: " + err.Error()}
	}
	var out []entry
	for _, k := range f.Section(ini.DefaultSection).Keys() {
		for _, v := range k.ValueWithShadows() {
			num, val, ok := strings.Cut(v, "|")
			n, err := strconv.Atoi(num)
			if !ok || err != nil || !strings.HasSuffix(val, "|") {
				return nil, &ParseError{File: path, Msg: fmt.Sprintf("internal error decoding %q", v)}
			}
			out = append(out, entry{file: path, line: n, name: k.Name(), value: val[:len(val)-1]})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].line < out[b].line })
	// Splice included files in at their line.
	for j := len(includes) - 1; j >= 0; j-- {
		inc := includes[j]
		if depth+1 > maxIncludeDepth {
			return nil, &ParseError{File: path, Line: inc.line, Msg: fmt.Sprintf(
				"could not open configuration file %q: maximum nesting depth exceeded", inc.file)}
		}
		sub, err := readFile(inc.file, depth+1, diags)
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				return nil, err
			}
			return nil, &ParseError{File: path, Line: inc.line, Msg: fmt.Sprintf("could not open configuration file %q: %v", inc.file, unwrapPathError(err))}
		}
		at := sort.Search(len(out), func(k int) bool { return out[k].line > inc.line })
		out = append(out[:at], append(sub, out[at:]...)...)
	}
	return out, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Load reads a pgpool.conf. It returns the new Config, the non-fatal
// findings, and an error joining every *ParseError found (use errors.As).
// A missing file yields Default() with File set, a warning Diagnostic and
// an error wrapping ErrNotFound.
func Load(path string) (*Config, []Diagnostic, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config: resolve %q: %w", path, err)
	}
	var diags []Diagnostic
	entries, err := readFile(abs, 0, &diags)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			c := Default()
			c.File, c.Dir = abs, filepath.Dir(abs)
			diags = append(diags, Diagnostic{Level: LevelWarning, File: abs, Message: fmt.Sprintf(
				"could not open configuration file %q: using default configuration parameter values", abs)})
			return c, diags, fmt.Errorf("load %s: %w", abs, ErrNotFound)
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, diags, err
		}
		return nil, diags, fmt.Errorf("config: read %s: %w", abs, err)
	}
	return build(abs, entries, diags)
}

// LoadString parses pgpool.conf text as if it were the file name (used in
// messages; includes resolve against its directory). Tools and tests use it.
func LoadString(name, text string) (*Config, []Diagnostic, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, nil, fmt.Errorf("config: resolve %q: %w", name, err)
	}
	var diags []Diagnostic
	entries, err := readData(abs, []byte(text), 0, &diags)
	if err != nil {
		return nil, diags, err
	}
	return build(abs, entries, diags)
}

func build(abs string, entries []entry, diags []Diagnostic) (*Config, []Diagnostic, error) {
	b := newBuilder(abs, false)
	b.diags = diags
	b.apply(entries)
	b.finish()
	if err := b.errs.err(); err != nil {
		return nil, b.diags, err
	}
	return b.c, b.diags, nil
}

var defaultConfig = sync.OnceValue(func() *Config {
	b := newBuilder("", false)
	b.finish()
	if err := b.errs.err(); err != nil {
		panic("config: parameter table defaults do not parse: " + err.Error())
	}
	return b.c
})

// Default returns the compile-time defaults (a fresh copy).
func Default() *Config {
	c := *defaultConfig()
	c.hc = map[int]*hcOverride{}
	c.raw = cloneMap(c.raw)
	c.source = map[string]sourcePos{}
	return &c
}

func cloneMap[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
