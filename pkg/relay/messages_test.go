package relay

import (
	"bytes"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// The frames we build are byte for byte what pgx's encoder makes.
func TestAppendedFramesMatchPgproto3(t *testing.T) {
	for _, c := range []struct {
		name string
		got  []byte
		msg  pgproto3.FrontendMessage
	}{
		{"Parse", AppendParse([]byte("x"), []byte("pgpool abort"), []byte("select 1")), &pgproto3.Parse{Name: "pgpool abort", Query: "select 1"}},
		{"unnamed Parse", AppendParse([]byte("x"), nil, []byte("BEGIN")), &pgproto3.Parse{Query: "BEGIN"}},
		{"Query", AppendQuery([]byte("x"), "BEGIN"), &pgproto3.Query{String: "BEGIN"}},
		{"Query from bytes", AppendQueryBytes([]byte("x"), []byte("select 1")), &pgproto3.Query{String: "select 1"}},
	} {
		want, err := c.msg.Encode([]byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(c.got, want) {
			t.Errorf("%s: %q, want %q", c.name, c.got, want)
		}
	}
}
