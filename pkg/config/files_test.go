package config_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

func tempFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPCPConf(t *testing.T) {
	p := tempFile(t, "pcp.conf", "# comment\n\npostgres:e8a48653851e28c69d0506508fb27fc5\nadmin:x:y\n")
	users, err := config.LoadPCPConf(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].User != "postgres" || users[0].MD5 != "e8a48653851e28c69d0506508fb27fc5" || users[1].MD5 != "x:y" {
		t.Errorf("users = %+v", users)
	}
	bad := tempFile(t, "pcp.conf", "ok:1\nnocolon\n")
	if _, err := config.LoadPCPConf(bad); err == nil || !strings.Contains(err.Error(), "pcp.conf:2:") {
		t.Errorf("err = %v, want pcp.conf:2", err)
	}
	long := tempFile(t, "pcp.conf", strings.Repeat("u", 129)+":x\n")
	if _, err := config.LoadPCPConf(long); err == nil || !strings.Contains(err.Error(), "128") {
		t.Errorf("err = %v", err)
	}
}

func TestPoolPasswd(t *testing.T) {
	p := tempFile(t, "pool_passwd", strings.Join([]string{
		"alice:md5" + strings.Repeat("a", 32),
		"bob:AESabcd==",
		"carol:TEXTsecret",
		"dave:SCRAM-SHA-256$4096:c2FsdA==$a:b",
		"erin:md5short",
		`fr\:ank:plain:backend_u:TEXTbp`,
		"",
		"nopass",
	}, "\n"))
	e, err := config.LoadPoolPasswd(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		user   string
		kind   config.PasswdKind
		secret string
	}{
		{"alice", config.PasswdMD5, "md5" + strings.Repeat("a", 32)},
		{"bob", config.PasswdAES, "abcd=="},
		{"carol", config.PasswdText, "secret"},
		{"dave", config.PasswdSCRAM, "SCRAM-SHA-256$4096"}, // ':' splits fields unless escaped
		{"erin", config.PasswdPlain, "md5short"},
		{"fr:ank", config.PasswdPlain, "plain"},
	}
	if len(e) != len(want) {
		t.Fatalf("entries = %+v", e)
	}
	for i, w := range want {
		if e[i].User != w.user || e[i].Kind != w.kind || e[i].Secret != w.secret {
			t.Errorf("entry %d = %+v, want %+v", i, e[i], w)
		}
	}
	if e[5].BackendUser != "backend_u" || e[5].BackendKind != config.PasswdText || e[5].BackendSecret != "bp" {
		t.Errorf("mapping = %+v", e[5])
	}
	if got, ok := config.LookupPasswd(e, "carol"); !ok || got.Secret != "secret" {
		t.Errorf("lookup = %+v %v", got, ok)
	}
}

func TestHBAParse(t *testing.T) {
	tests := []struct {
		line string
		err  string
	}{
		{"local all all trust", ""},
		{"host all all 127.0.0.1/32 md5", ""},
		{"host all all 192.168.0.0 255.255.0.0 scram-sha-256", ""},
		{"hostssl db1,db2 +admins,\"all\" ::1/128 cert", ""},
		{"hostnossl sameuser all .example.com password", ""},
		{"host all all all pam pamservice=pgpool", ""},
		{"host all all samenet ldap ldapserver=ldap.example.com ldapport=389", ""},
		{"bogus all all trust", `invalid connection type "bogus"`},
		{"local all", "end-of-line before role specification"},
		{"local", "end-of-line before database specification"},
		{"host all all", "end-of-line before IP address specification"},
		{"host all all 10.0.0.0/33 md5", "invalid CIDR mask"},
		{"host all all 10.0.0.1 md5", "invalid IP mask"},
		{"host all all 10.0.0.1 255.0.255.0 md5", "invalid IP mask"},
		{"host all all 10.0.0.1 ffff:: md5", "IP address and mask do not match"},
		{"host all all example.com/24 md5", "specifying both host name and CIDR mask is invalid"},
		{"host all all 10.0.0.0/8", "end-of-line before authentication method"},
		{"local all all ident", `invalid authentication method "ident"`},
		{"local all all md5 foo", "authentication option not in name=value format: foo"},
		{"local all all md5 pamservice=x", `can only be configured for authentication method "pam"`},
		{"local all all md5 foo=bar", `unrecognized authentication option name: "foo"`},
		{"host all all 10.0.0.0/8 cert", "only supported on hostssl"},
		{`local "all`, "unterminated quoted string"},
		{"host all all 10.0.0.0/8,10.1.0.0/16 md5", "multiple values specified for host address"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			_, _, err := config.ParseHBALine("pool_hba.conf", 7, tc.line)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "pool_hba.conf:7:") {
				t.Fatalf("err = %v, want %q at pool_hba.conf:7", err, tc.err)
			}
		})
	}
	if _, err := config.ParseHBA("empty", "# nothing\n"); err == nil || !strings.Contains(err.Error(), "contains no entries") {
		t.Errorf("empty file: err = %v", err)
	}
}

func TestHBAMatch(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "users.txt"), []byte("carol\ndave, erin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rules, err := config.ParseHBA(filepath.Join(dir, "pool_hba.conf"), `
local   all         all                     trust
host    sameuser    all     10.0.0.0/8      md5
hostssl "all"       bob     0.0.0.0/0       scram-sha-256
host    all         @users.txt 192.168.1.0 255.255.255.0 md5
host    all         +admins ::1/128         trust
host    all         all     .example.com    password
`)
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParseAddr
	inRole := func(u, r string) bool { return u == "root" && r == "admins" }
	tests := []struct {
		name string
		conn config.HBAConn
		want int // index of first matching rule, -1 none
	}{
		{"unix socket", config.HBAConn{Local: true, Database: "x", User: "y"}, 0},
		{"sameuser matches", config.HBAConn{Addr: v4("10.1.2.3"), Database: "amy", User: "amy"}, 1},
		{"sameuser mismatch", config.HBAConn{Addr: v4("10.1.2.3"), Database: "db", User: "amy"}, -1},
		{"quoted all is a database name", config.HBAConn{SSL: true, Addr: v4("8.8.8.8"), Database: "all", User: "bob"}, 2},
		{"quoted all does not mean every db", config.HBAConn{SSL: true, Addr: v4("8.8.8.8"), Database: "db", User: "bob"}, -1},
		{"hostssl needs ssl", config.HBAConn{Addr: v4("8.8.8.8"), Database: "all", User: "bob"}, -1},
		{"@file users with mask", config.HBAConn{Addr: v4("192.168.1.9"), Database: "db", User: "erin"}, 3},
		{"mapped v4", config.HBAConn{Addr: v4("::ffff:192.168.1.9"), Database: "db", User: "carol"}, 3},
		{"+group", config.HBAConn{Addr: v4("::1"), Database: "db", User: "root", InRole: inRole}, 4},
		{"+group without role info", config.HBAConn{Addr: v4("::1"), Database: "db", User: "root"}, -1},
		{"hostname suffix", config.HBAConn{Addr: v4("1.2.3.4"), Hostname: "a.Example.com", Database: "d", User: "u"}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := -1
			for i, r := range rules {
				if r.Match(tc.conn) {
					got = i
					break
				}
			}
			if got != tc.want {
				t.Errorf("first match = %d, want %d", got, tc.want)
			}
		})
	}
}
