package auth_test

import (
	"net/netip"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/config"
)

const testHBA = `
# TYPE  DATABASE  USER        ADDRESS          METHOD
local   all       postgres                     trust
local   all       all                          md5
hostssl all       certuser    127.0.0.1/32     cert
hostssl secure    all         0.0.0.0/0        scram-sha-256
hostnossl secure  all         0.0.0.0/0        reject
host    all       blocked     127.0.0.1/32     reject
host    "db,x",app alice,bob  10.0.0.0 255.0.0.0 password
host    sameuser  all         127.0.0.1/32     scram-sha-256
host    all       all         127.0.0.1/32     md5
host    all       all         ::1/128          md5
`

func TestHBAMatch(t *testing.T) {
	rules, err := config.ParseHBA("pool_hba.conf", testHBA)
	if err != nil {
		t.Fatal(err)
	}
	h := &auth.HBA{Path: "pool_hba.conf", Rules: rules}
	lo := netip.MustParseAddr("127.0.0.1")
	cases := []struct {
		name string
		c    auth.Client
		line int // 0: no line
	}{
		{"unix socket superuser", auth.Client{Local: true, User: "postgres", Database: "x"}, 3},
		{"unix socket others", auth.Client{Local: true, User: "u", Database: "x"}, 4},
		{"cert over TLS", auth.Client{SSL: true, Addr: lo, User: "certuser", Database: "x"}, 5},
		{"cert user without TLS falls through", auth.Client{Addr: lo, User: "certuser", Database: "x"}, 11},
		{"hostssl database over TLS", auth.Client{SSL: true, Addr: lo, User: "u", Database: "secure"}, 6},
		{"hostnossl line for plain text", auth.Client{Addr: lo, User: "u", Database: "secure"}, 7},
		{"reject line", auth.Client{Addr: lo, User: "blocked", Database: "x"}, 8},
		{"quoted database with comma, user list, netmask", auth.Client{Addr: netip.MustParseAddr("10.1.2.3"), User: "bob", Database: "db,x"}, 9},
		{"second database of the list", auth.Client{Addr: netip.MustParseAddr("10.1.2.3"), User: "alice", Database: "app"}, 9},
		{"user not in the list", auth.Client{Addr: netip.MustParseAddr("10.1.2.3"), User: "carol", Database: "app"}, 0},
		{"sameuser", auth.Client{Addr: lo, User: "alice", Database: "alice"}, 10},
		{"IPv6 loopback", auth.Client{Addr: netip.MustParseAddr("::1"), User: "u", Database: "x"}, 12},
		{"IPv4-mapped IPv6", auth.Client{Addr: netip.MustParseAddr("::ffff:127.0.0.1"), User: "u", Database: "x"}, 11},
		{"no line for another host", auth.Client{Addr: netip.MustParseAddr("192.168.1.1"), User: "u", Database: "x"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.Match(c.c)
			got := 0
			if r != nil {
				got = r.Line
			}
			if got != c.line {
				t.Fatalf("matched line %d, want %d", got, c.line)
			}
		})
	}
}

func TestHBAErrorTexts(t *testing.T) {
	e := auth.ErrNoHBAEntry("10.0.0.9", "alice", "app", false)
	if e.Code != "28000" || e.Message != "client authentication failed" ||
		e.Detail != `no pool_hba.conf entry for host "10.0.0.9", user "alice", database "app", SSL off` {
		t.Fatalf("%+v", e)
	}
	if r := auth.ErrHBAReject("h", "u", "d", true); r.Code != "28000" || r.Detail != `pool_hba.conf rejects connection for host "h", user "u", database "d", SSL on` {
		t.Fatalf("%+v", r)
	}
}
