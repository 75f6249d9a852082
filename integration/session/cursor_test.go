package session

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// What pg-cursor (node-postgres) does when its query fails: Parse, Bind,
// Describe and Flush; on the error a Sync; then, closing the cursor, a
// Close of the portal with no Sync of its own, and the next query after
// it. The Close may reach pgpoold before or after the ReadyForQuery of
// the Sync. With reads balanced to the standby, every answer must come
// back in order, as directly from PostgreSQL.
func TestFailedCursorClosedWithoutSync(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: map[string]string{"backend_weight0": "0", "backend_weight1": "1"}})
	for _, closeEarly := range []bool{true, false} {
		for round := 0; round < 20; round++ {
			nc, r := rawSession(t, p)
			fe := pgproto3.NewFrontend(r, nc)
			fe.Send(&pgproto3.Parse{Query: "select * from missing_cu"})
			fe.Send(&pgproto3.Bind{DestinationPortal: "C_1"})
			fe.Send(&pgproto3.Describe{ObjectType: 'P', Name: "C_1"})
			fe.Send(&pgproto3.Flush{})
			fe.Flush()
			var got []string
			next := func() string {
				m, err := fe.Receive()
				if err != nil {
					t.Fatalf("closeEarly=%v round %d: after %v: %v", closeEarly, round, got, err)
				}
				s := strings.TrimPrefix(strings.TrimPrefix(fmtMsg(m), "*pgproto3."), "&pgproto3.")
				got = append(got, s)
				return s
			}
			if m := next(); !strings.HasPrefix(m, "ErrorResponse 42P01") {
				t.Fatalf("first answer %s, want ErrorResponse 42P01", m)
			}
			fe.Send(&pgproto3.Sync{})
			if closeEarly {
				fe.Send(&pgproto3.Close{ObjectType: 'P', Name: "C_1"})
			}
			fe.Flush()
			if m := next(); m != "ReadyForQuery I" {
				t.Fatalf("after Sync: %s, want ReadyForQuery I", m)
			}
			if !closeEarly {
				fe.Send(&pgproto3.Close{ObjectType: 'P', Name: "C_1"})
				fe.Flush()
			}
			sendSelect2(fe)
			want := []string{"CloseComplete", "ParseComplete", "BindComplete", "RowDescription", "DataRow 2", "CommandComplete SELECT 1", "ReadyForQuery I"}
			for _, w := range want {
				if m := next(); m != w {
					t.Fatalf("closeEarly=%v round %d: got %v, want %v", closeEarly, round, got[2:], want)
				}
			}
			nc.Close()
		}
	}
}

// After an extended-protocol message fails, PostgreSQL ignores every
// message up to the client's Sync, also those the client sends after it
// saw the error (pg-cursor sends its Execute and Flush then). Through
// pgpoold, with the read balanced to the standby, the client must see the
// same answers as directly: nothing for the ignored messages, one
// ReadyForQuery for the Sync, and the next query answered in full.
func TestMessagesAfterAnErrorAreIgnoredUntilSync(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: map[string]string{"backend_weight0": "0", "backend_weight1": "1"}})
	primary, err := cluster.Primary()
	if err != nil {
		t.Fatal(err)
	}
	transcript := func(port int) []string {
		nc, r := rawSessionAt(t, port)
		defer nc.Close()
		fe := pgproto3.NewFrontend(r, nc)
		var got []string
		recv := func(n int) {
			for i := 0; i < n; i++ {
				m, err := fe.Receive()
				if err != nil {
					t.Fatalf("port %d: after %v: %v", port, got, err)
				}
				got = append(got, fmtMsg(m))
			}
		}
		fe.Send(&pgproto3.Parse{Query: "select * from missing_cu"})
		fe.Send(&pgproto3.Flush{})
		fe.Flush()
		recv(1) // the error
		fe.Send(&pgproto3.Bind{DestinationPortal: "C_1"})
		fe.Send(&pgproto3.Describe{ObjectType: 'P', Name: "C_1"})
		fe.Send(&pgproto3.Execute{Portal: "C_1", MaxRows: 2})
		fe.Send(&pgproto3.Flush{})
		fe.Send(&pgproto3.Query{String: "select 1"})
		fe.Send(&pgproto3.Sync{})
		fe.Flush()
		recv(1) // only the Sync's ReadyForQuery
		sendSelect2(fe)
		recv(6)
		return got
	}
	want := transcript(primary.Port())
	got := transcript(p.Port())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("through pgpoold:\n%s\ndirectly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sendSelect2 sends "select 2" over the extended protocol, with its Sync.
// The answer: ParseComplete, BindComplete, RowDescription, DataRow,
// CommandComplete, ReadyForQuery.
func sendSelect2(fe *pgproto3.Frontend) {
	fe.Send(&pgproto3.Parse{Query: "select 2"})
	fe.Send(&pgproto3.Bind{})
	fe.Send(&pgproto3.Describe{ObjectType: 'P'})
	fe.Send(&pgproto3.Execute{})
	fe.Send(&pgproto3.Sync{})
	fe.Flush()
}

func fmtMsg(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.ErrorResponse:
		return "ErrorResponse " + m.Code + " " + m.Message
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.DataRow:
		return "DataRow " + string(m.Values[0])
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.CloseComplete:
		return "CloseComplete"
	case *pgproto3.ParseComplete:
		return "ParseComplete"
	case *pgproto3.BindComplete:
		return "BindComplete"
	case *pgproto3.RowDescription:
		return "RowDescription"
	}
	return strings.TrimPrefix(strings.Split(strings.TrimPrefix(fmtType(m), "*"), "{")[0], "pgproto3.")
}

func fmtType(m pgproto3.BackendMessage) string { return fmt.Sprintf("%T", m) }
