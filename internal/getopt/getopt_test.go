package getopt

import (
	"reflect"
	"strings"
	"testing"
)

var opts = []Option{
	{Short: '?', Long: "help"},
	{Short: 'h', Long: "host", HasArg: true},
	{Short: 'p', Long: "port", HasArg: true},
	{Short: 'w', Long: "no-password"},
	{Short: 'W', Long: "password"},
	{Short: 'v', Long: "verbose"},
	{Short: 'd', Long: "debug"},
	{Short: 'n', Long: "node-id", HasArg: true},
	{Short: 'n', Long: "watchdog-id", HasArg: true},
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     []string // Normalized()
		operands []string
	}{
		{"separate values", []string{"-h", "/tmp", "-p", "9898"}, []string{"--host", "/tmp", "--port", "9898", "--"}, nil},
		{"attached values", []string{"-h/tmp", "-p9898"}, []string{"--host", "/tmp", "--port", "9898", "--"}, nil},
		{"cluster", []string{"-vdw"}, []string{"--verbose", "--debug", "--no-password", "--"}, nil},
		{"cluster ending in an option with value", []string{"-wn1", "-vh", "x"}, []string{"--no-password", "--node-id", "1", "--verbose", "--host", "x", "--"}, nil},
		{"long with equals", []string{"--port=9999", "--verbose"}, []string{"--port", "9999", "--verbose", "--"}, nil},
		{"unique prefix", []string{"--node", "1", "--verb"}, []string{"--node-id", "1", "--verbose", "--"}, nil},
		{"permuted operand", []string{"1", "-w"}, []string{"--no-password", "--", "1"}, []string{"1"}},
		{"double dash", []string{"-w", "--", "-v"}, []string{"--no-password", "--", "-v"}, []string{"-v"}},
		{"lone dash is an operand", []string{"-"}, []string{"--", "-"}, []string{"-"}},
		{"negative value", []string{"-n", "-1"}, []string{"--node-id", "-1", "--"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse("prog", tt.args, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Normalized(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Normalized() = %q, want %q", got, tt.want)
			}
			if !reflect.DeepEqual(r.Operands, tt.operands) {
				t.Errorf("operands %q, want %q", r.Operands, tt.operands)
			}
		})
	}
}

func TestParseErrorsUseGlibcWords(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-z"}, "/usr/sbin/x: invalid option -- 'z'"},
		{[]string{"-vz"}, "/usr/sbin/x: invalid option -- 'z'"},
		{[]string{"--foo"}, "/usr/sbin/x: unrecognized option '--foo'"},
		{[]string{"-n"}, "/usr/sbin/x: option requires an argument -- 'n'"},
		{[]string{"--host"}, "/usr/sbin/x: option '--host' requires an argument"},
		{[]string{"--verbose=3"}, "/usr/sbin/x: option '--verbose' doesn't allow an argument"},
		{[]string{"--p"}, "/usr/sbin/x: option '--p' is ambiguous; possibilities: '--port' '--password'"},
	}
	for _, tt := range tests {
		_, err := Parse("/usr/sbin/x", tt.args, opts)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: %v, want %q", tt.args, err, tt.want)
		}
	}
	// --node-id and --watchdog-id both mean -n: a prefix of one is fine.
	if _, err := Parse("x", []string{"--wat", "0"}, opts); err != nil {
		t.Errorf("--wat: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("-wn1\x00--node\x002\x00x\x00--\x00-v")
	f.Add("--p=\x00-")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		r, err := Parse("prog", args, opts)
		if err != nil {
			return
		}
		// The normalised form parses to the same options and operands.
		again, err := Parse("prog", r.Normalized(), opts)
		if err != nil {
			t.Fatalf("normalised %q: %v", r.Normalized(), err)
		}
		if !reflect.DeepEqual(again.Opts, r.Opts) || len(again.Operands) != len(r.Operands) {
			t.Fatalf("normalised %q parses to %+v, want %+v", r.Normalized(), again, r)
		}
	})
}
