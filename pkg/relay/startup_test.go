package relay_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

func packet(code uint32, kv ...string) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b[4:], code)
	for _, s := range kv {
		b = append(b, s...)
		b = append(b, 0)
	}
	b = append(b, 0)
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

func TestParseStartupSortsOptionsAndDefaultsDatabase(t *testing.T) {
	s, perr := relay.ParseStartup(packet(relay.CodeV3, "user", "alice", "application_name", "psql", "client_encoding", "UTF8"))
	if perr != nil {
		t.Fatal(perr)
	}
	if s.User != "alice" || s.Database != "alice" || s.AppName != "psql" {
		t.Fatalf("startup = %+v", s)
	}
	want := packet(relay.CodeV3, "application_name", "psql", "client_encoding", "UTF8", "database", "alice", "user", "alice")
	if !bytes.Equal(s.Raw, want) {
		t.Fatalf("rewritten packet\n got %q\nwant %q", s.Raw, want)
	}
}

func TestParseStartupRejects(t *testing.T) {
	cases := map[string]struct {
		pkt  []byte
		code string
	}{
		"no user":          {packet(relay.CodeV3, "database", "x"), "28000"},
		"protocol 2":       {packet(2 << 16), "0A000"},
		"protocol 4":       {packet(4<<16, "user", "a"), "0A000"},
		"missing nul":      {append(packet(relay.CodeV3, "user", "a")[:13], 'x'), "08P01"},
		"truncated cancel": {packet(relay.CodeCancel)[:12], "08P01"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			binary.BigEndian.PutUint32(c.pkt, uint32(len(c.pkt)))
			_, perr := relay.ParseStartup(c.pkt)
			if perr == nil || perr.Code != c.code {
				t.Fatalf("got %v, want SQLSTATE %s", perr, c.code)
			}
		})
	}
}

func TestParseCancelRequest(t *testing.T) {
	b := make([]byte, 16)
	binary.BigEndian.PutUint32(b, 16)
	binary.BigEndian.PutUint32(b[4:], relay.CodeCancel)
	binary.BigEndian.PutUint32(b[8:], 4242)
	copy(b[12:], []byte{9, 8, 7, 6})
	s, perr := relay.ParseStartup(b)
	if perr != nil || s.CancelPid != 4242 || !bytes.Equal(s.CancelKey, []byte{9, 8, 7, 6}) {
		t.Fatalf("cancel = %+v, %v", s, perr)
	}
}

func TestStartupLengthLimits(t *testing.T) {
	for _, n := range []uint32{0, 7, 10001, 1 << 31} {
		b := binary.BigEndian.AppendUint32(nil, n)
		if _, perr := relay.StartupLength(b); perr == nil {
			t.Errorf("length %d accepted", n)
		}
	}
}

func FuzzParseStartup(f *testing.F) {
	f.Add(packet(relay.CodeV3, "user", "a", "database", "b"))
	f.Add(packet(relay.CodeCancel, "abcdefgh"))
	f.Add(packet(relay.CodeSSL))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= 4 {
			binary.BigEndian.PutUint32(b, uint32(len(b)))
		}
		s, perr := relay.ParseStartup(b)
		if perr == nil && s.Code == relay.CodeV3 {
			again, perr2 := relay.ParseStartup(s.Raw)
			if perr2 != nil || !bytes.Equal(again.Raw, s.Raw) {
				t.Fatalf("rewritten packet does not parse back: %v", perr2)
			}
		}
	})
}
