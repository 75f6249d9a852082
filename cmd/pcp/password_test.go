package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/passcrypt"
)

func TestLookupPcppass(t *testing.T) {
	file := strings.Join([]string{
		"# a comment is just a line that does not match",
		`db1:9898:alice:first`,
		`*:9999:alice:second`,
		`localhost:*:bob:b\:c\\d:ignored`,
		`host\:x:1:carol:esc`,
		`*:*:*:fallback`,
	}, "\n")
	tests := []struct {
		host, port, user, want string
		ok                     bool
	}{
		{"db1", "9898", "alice", "first", true},
		{"db2", "9999", "alice", "second", true},
		{"localhost", "1", "bob", `b:c\d`, true},
		{"host:x", "1", "carol", "esc", true},
		{"other", "1", "dave", "fallback", true},
	}
	for _, tt := range tests {
		got, ok := lookupPcppass(strings.NewReader(file), tt.host, tt.port, tt.user)
		if got != tt.want || ok != tt.ok {
			t.Errorf("lookup(%s, %s, %s) = %q, %v; want %q", tt.host, tt.port, tt.user, got, ok, tt.want)
		}
	}
	if _, ok := lookupPcppass(strings.NewReader("db1:9898:alice:x\n"), "db1", "9898", "al"); ok {
		t.Error("a user name prefix matched")
	}
}

func TestPcppassFile(t *testing.T) {
	t.Setenv("PCPPASSFILE", "/somewhere/pass")
	if got := pcppassFile(); got != "/somewhere/pass" {
		t.Errorf("with PCPPASSFILE: %s", got)
	}
	t.Setenv("PCPPASSFILE", "")
	if got := pcppassFile(); got != "" {
		t.Errorf("PCPPASSFILE set but empty is used as is, like libpcp: %q", got)
	}
}

func TestPcppassFileDefault(t *testing.T) {
	if v, ok := lookupEnv("PCPPASSFILE"); ok {
		t.Setenv("PCPPASSFILE", v)
	}
	unsetenv(t, "PCPPASSFILE")
	if got, want := pcppassFile(), filepath.Join(passcrypt.HomeDir(), ".pcppass"); got != want {
		t.Errorf("default %s, want %s", got, want)
	}
}

func TestAtoi(t *testing.T) {
	tests := map[string]int{"12": 12, " 7x": 7, "-1": -1, "+3": 3, "abc": 0, "": 0, "99999999999999": 1 << 31}
	for in, want := range tests {
		if got := atoi(in); got != want {
			t.Errorf("atoi(%q) = %d, want %d", in, got, want)
		}
	}
}
