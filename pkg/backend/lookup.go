package backend

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// lookupName names the statement and portal of internal lookups: named,
// so that a client's unnamed statement or portal on the same connection
// survives, and extended-protocol, so that no simple query drops them.
const lookupName = "pgpool_go_lookup"

// QueryCounts runs sql, which returns one row of integers, on an idle
// session connection and stores the columns in out. The router's catalog
// lookups use it in the middle of a client's session: inside a client's
// transaction the query joins it (it only reads), and everything it
// creates is closed before it returns.
func (c *Conn) QueryCounts(sql string, out []int64, deadline time.Time) error {
	b := c.Wbuf()
	b = appendMsg(b, 'P', func(b []byte) []byte {
		b = append(b, lookupName...)
		b = append(b, 0)
		b = append(b, sql...)
		b = append(b, 0)
		return binary.BigEndian.AppendUint16(b, 0)
	})
	b = appendMsg(b, 'B', func(b []byte) []byte {
		b = append(b, lookupName...)
		b = append(b, 0)
		b = append(b, lookupName...)
		b = append(b, 0)
		b = binary.BigEndian.AppendUint16(b, 0) // parameter formats
		b = binary.BigEndian.AppendUint16(b, 0) // parameters
		return binary.BigEndian.AppendUint16(b, 0)
	})
	b = appendMsg(b, 'E', func(b []byte) []byte {
		b = append(b, lookupName...)
		b = append(b, 0)
		return binary.BigEndian.AppendUint32(b, 0)
	})
	b = appendMsg(b, 'C', func(b []byte) []byte { b = append(b, 'P'); b = append(b, lookupName...); return append(b, 0) })
	b = appendMsg(b, 'C', func(b []byte) []byte { b = append(b, 'S'); b = append(b, lookupName...); return append(b, 0) })
	b = append(b, relay.Sync...)
	c.SetWbuf(b)
	if err := relay.FlushWait(c.Conn, deadline); err != nil {
		return err
	}
	var serr *ServerError
	got := false
	for {
		f, err := relay.ReadFrame(c.Conn, 1<<20, deadline)
		if err != nil {
			return err
		}
		switch f[0] {
		case 'D':
			row, null, err := dataRow(f[5:])
			if err != nil {
				return err
			}
			for i := range out {
				if i < len(row) && !null[i] {
					out[i], _ = strconv.ParseInt(row[i], 10, 64)
				}
			}
			got = true
		case 'E':
			if serr == nil {
				serr = serverError(f)
			}
		case 'Z':
			c.TxStatus = f[5]
			if serr != nil {
				return serr
			}
			if !got {
				return fmt.Errorf("lookup query returned no row: %s", sql)
			}
			return nil
		}
	}
}

func appendMsg(b []byte, typ byte, body func([]byte) []byte) []byte {
	start := len(b)
	b = append(b, typ, 0, 0, 0, 0)
	b = body(b)
	binary.BigEndian.PutUint32(b[start+1:], uint32(len(b)-start-1))
	return b
}
