package backend

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// Result is what an internal simple query returned: text values, NULL as
// a nil entry in Null.
type Result struct {
	Columns []string
	Rows    [][]string
	Null    [][]bool
	Tag     string
}

// Value is row r, column c, or "" when out of range.
func (r *Result) Value(row, col int) string {
	if row < len(r.Rows) && col < len(r.Rows[row]) {
		return r.Rows[row][col]
	}
	return ""
}

// Query runs one simple query on an idle connection and waits for its
// ReadyForQuery. A server error is returned as *ServerError after the
// connection is ready again, so the connection stays usable.
func (c *Conn) Query(sql string, deadline time.Time) (*Result, error) {
	c.SetWbuf(relay.AppendQuery(c.Wbuf(), sql))
	if err := relay.FlushWait(c.Conn, deadline); err != nil {
		return nil, err
	}
	res := &Result{}
	var serr *ServerError
	for {
		f, err := relay.ReadFrame(c.Conn, relay.MaxLargeMessage, deadline)
		if err != nil {
			return nil, err
		}
		switch f[0] {
		case 'T':
			res.Columns = rowDescription(f[5:])
		case 'D':
			row, null, err := dataRow(f[5:])
			if err != nil {
				return nil, err
			}
			res.Rows = append(res.Rows, row)
			res.Null = append(res.Null, null)
		case 'C':
			tag, _, _ := relay.CString(f[5:])
			res.Tag = string(tag)
		case 'E':
			if serr == nil {
				serr = serverError(f)
			}
		case 'Z':
			c.TxStatus = f[5]
			if serr != nil {
				return nil, serr
			}
			return res, nil
		case 'I', 'N', 'S', 'A':
		case 'G', 'H':
			return nil, fmt.Errorf("internal query %q started a COPY", sql)
		default:
			return nil, &relay.ProtocolError{Msg: fmt.Sprintf("unexpected message %q after an internal query", f[0])}
		}
	}
}

func rowDescription(b []byte) []string {
	if len(b) < 2 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	cols := make([]string, 0, n)
	for i := 0; i < n; i++ {
		name, rest, ok := relay.CString(b)
		if !ok || len(rest) < 18 {
			break
		}
		cols = append(cols, string(name))
		b = rest[18:]
	}
	return cols
}

func dataRow(b []byte) ([]string, []bool, error) {
	if len(b) < 2 {
		return nil, nil, &relay.ProtocolError{Msg: "short DataRow"}
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	row, null := make([]string, n), make([]bool, n)
	for i := 0; i < n; i++ {
		if len(b) < 4 {
			return nil, nil, &relay.ProtocolError{Msg: "short DataRow"}
		}
		l := int32(binary.BigEndian.Uint32(b))
		b = b[4:]
		if l < 0 {
			null[i] = true
			continue
		}
		if int(l) > len(b) {
			return nil, nil, &relay.ProtocolError{Msg: "short DataRow"}
		}
		row[i] = string(b[:l])
		b = b[l:]
	}
	return row, null, nil
}
