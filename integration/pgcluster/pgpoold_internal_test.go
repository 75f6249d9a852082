package pgcluster

import (
	"strings"
	"testing"
)

func TestConfValue(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"32", "32", false},
		{"-1", "-1", false},
		{"0.5", "0.5", false},
		{"0x1F", "0x1F", false},
		{"on", "on", false},
		{"OFF", "OFF", false},
		{"streaming_replication", "'streaming_replication'", false},
		{"", "''", false},
		{".", "'.'", false},
		{"1.2.3", "'1.2.3'", false},
		{"/tmp/x y", "'/tmp/x y'", false},
		{"%m: %a pid %p: ", "'%m: %a pid %p: '", false},
		{"'already quoted'", "'already quoted'", false},
		{"it's", "", true},
		{"two\nlines", "", true},
	}
	for _, tt := range tests {
		got, err := confValue(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("confValue(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestRenderConfDialects(t *testing.T) {
	params := map[string]string{
		"unix_socket_directories": "/s",
		"work_dir":                "/w",
		"port":                    "9999",
	}
	tests := []struct {
		d        Dialect
		want     []string
		wantNone []string
	}{
		{DialectGo, []string{"port = 9999\n", "unix_socket_directories = '/s'\n", "work_dir = '/w'\n"}, []string{"\nsocket_dir", "\nlogdir"}},
		{Pgpool43, []string{"port = 9999\n", "socket_dir = '/s'\n", "logdir = '/w'\n"}, []string{"unix_socket_directories", "work_dir"}},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			b, err := renderConf(params, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			conf := string(b)
			for _, w := range tt.want {
				if !strings.Contains(conf, "\n"+w) {
					t.Errorf("missing %q in\n%s", w, conf)
				}
			}
			for _, w := range tt.wantNone {
				if strings.Contains(conf, w) {
					t.Errorf("%q in\n%s", w, conf)
				}
			}
		})
	}
	if _, err := renderConf(map[string]string{"failover_command": "it's"}, DialectGo); err == nil || !strings.Contains(err.Error(), "failover_command") {
		t.Errorf("bad value: %v", err)
	}
}

func TestTail(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\nc", 5, "a\nb\nc"},
		{"a\nb\nc", 1, "c"},
		{"", 3, ""},
	}
	for _, tt := range tests {
		if got := tail([]byte(tt.in), tt.n); got != tt.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
