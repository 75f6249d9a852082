package conformance

import (
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// raw drives a hijacked connection at the protocol level and prints every
// message the server sends back, one line each. The first error (a
// broken connection, a deadline) stops it; later calls do nothing.
type raw struct {
	w   *px
	fe  *pgproto3.Frontend
	err error
}

func (r *raw) send(m pgproto3.FrontendMessage) {
	if r.err == nil {
		r.fe.Send(m)
	}
}

func (r *raw) parse(name, sql string) { r.send(&pgproto3.Parse{Name: name, Query: sql}) }

func (r *raw) bind(portal, stmt string, params ...string) {
	vals := make([][]byte, len(params))
	for i, p := range params {
		vals[i] = []byte(p)
	}
	r.send(&pgproto3.Bind{DestinationPortal: portal, PreparedStatement: stmt, Parameters: vals})
}

func (r *raw) describePortal(name string)    { r.send(&pgproto3.Describe{ObjectType: 'P', Name: name}) }
func (r *raw) describeStatement(name string) { r.send(&pgproto3.Describe{ObjectType: 'S', Name: name}) }
func (r *raw) execute(portal string, max uint32) {
	r.send(&pgproto3.Execute{Portal: portal, MaxRows: max})
}
func (r *raw) closePortal(name string)    { r.send(&pgproto3.Close{ObjectType: 'P', Name: name}) }
func (r *raw) closeStatement(name string) { r.send(&pgproto3.Close{ObjectType: 'S', Name: name}) }
func (r *raw) query(sql string)           { r.send(&pgproto3.Query{String: sql}) }
func (r *raw) sync()                      { r.send(&pgproto3.Sync{}) }
func (r *raw) flush()                     { r.send(&pgproto3.Flush{}) }

func (r *raw) terminate() {
	r.send(&pgproto3.Terminate{})
	if r.err == nil {
		r.fe.Flush()
	}
}

// until flushes what was sent and prints the server's messages up to and
// including the first one of type typ ('Z' ReadyForQuery, 's'
// PortalSuspended, 'C' CommandComplete).
func (r *raw) until(typ byte) {
	if r.err != nil {
		return
	}
	if err := r.fe.Flush(); err != nil {
		r.err = err
		r.w.printf("raw: send: %v", err)
		return
	}
	for {
		m, err := r.fe.Receive()
		if err != nil {
			r.err = err
			r.w.printf("raw: receive: %v", err)
			return
		}
		var t byte
		switch m := m.(type) {
		case *pgproto3.ParseComplete:
			t = '1'
			r.w.printf("raw: ParseComplete")
		case *pgproto3.BindComplete:
			t = '2'
			r.w.printf("raw: BindComplete")
		case *pgproto3.CloseComplete:
			t = '3'
			r.w.printf("raw: CloseComplete")
		case *pgproto3.ParameterDescription:
			t = 't'
			r.w.printf("raw: ParameterDescription %v", m.ParameterOIDs)
		case *pgproto3.RowDescription:
			t = 'T'
			names := make([]string, len(m.Fields))
			for i, f := range m.Fields {
				names[i] = string(f.Name)
			}
			r.w.printf("raw: RowDescription %s", strings.Join(names, ","))
		case *pgproto3.NoData:
			t = 'n'
			r.w.printf("raw: NoData")
		case *pgproto3.DataRow:
			t = 'D'
			vals := make([]string, len(m.Values))
			for i, v := range m.Values {
				vals[i] = string(v)
			}
			r.w.printf("raw: DataRow %s", strings.Join(vals, "|"))
		case *pgproto3.PortalSuspended:
			t = 's'
			r.w.printf("raw: PortalSuspended")
		case *pgproto3.CommandComplete:
			t = 'C'
			r.w.printf("raw: CommandComplete %s", m.CommandTag)
		case *pgproto3.EmptyQueryResponse:
			t = 'I'
			r.w.printf("raw: EmptyQueryResponse")
		case *pgproto3.ReadyForQuery:
			t = 'Z'
			r.w.printf("raw: ReadyForQuery %c", m.TxStatus)
		case *pgproto3.ErrorResponse:
			t = 'E'
			r.w.printf("raw: ErrorResponse %s %s", m.Code, m.Message)
		case *pgproto3.NoticeResponse:
			r.w.printf("raw: NoticeResponse %s %s", m.Code, m.Message)
		case *pgproto3.ParameterStatus:
			continue // reported as the server likes; not the proxy's business
		default:
			r.w.printf("raw: %T", m)
		}
		if t == typ || (t == 'E' && typ != 'Z') {
			return
		}
	}
}
