package relay

import (
	"encoding/binary"
	"strconv"
)

// Append-style encoders for the messages pgpoold builds. Each appends a
// whole frame to b and returns the extended slice; none allocates when b
// has room.

func setLength(b []byte, start int) []byte {
	binary.BigEndian.PutUint32(b[start+1:], uint32(len(b)-start-1))
	return b
}

// AppendReadyForQuery appends 'Z' with transaction status st (I, T, E).
func AppendReadyForQuery(b []byte, st byte) []byte { return append(b, 'Z', 0, 0, 0, 5, st) }

// AppendAuthOK appends AuthenticationOk.
func AppendAuthOK(b []byte) []byte { return append(b, 'R', 0, 0, 0, 8, 0, 0, 0, 0) }

// AppendParameterStatus appends 'S'.
func AppendParameterStatus(b []byte, name, value string) []byte {
	start := len(b)
	b = append(b, 'S', 0, 0, 0, 0)
	b = append(b, name...)
	b = append(b, 0)
	b = append(b, value...)
	b = append(b, 0)
	return setLength(b, start)
}

// AppendBackendKeyData appends 'K' with a pid and a cancel key.
func AppendBackendKeyData(b []byte, pid int32, key []byte) []byte {
	start := len(b)
	b = append(b, 'K', 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(pid))
	b = append(b, key...)
	return setLength(b, start)
}

// AppendCommandComplete appends 'C' with a command tag.
func AppendCommandComplete(b []byte, tag string) []byte {
	start := len(b)
	b = append(b, 'C', 0, 0, 0, 0)
	b = append(b, tag...)
	b = append(b, 0)
	return setLength(b, start)
}

// AppendRowDescription appends 'T' for text columns of unknown type, as
// Pgpool describes its SHOW results (type OID 0, typmod 0, size -1).
func AppendRowDescription(b []byte, cols []string) []byte {
	start := len(b)
	b = append(b, 'T', 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(cols)))
	for i, c := range cols {
		b = append(b, c...)
		b = append(b, 0)
		b = binary.BigEndian.AppendUint32(b, 0)         // table OID
		b = binary.BigEndian.AppendUint16(b, uint16(i)) // column number
		b = binary.BigEndian.AppendUint32(b, 0)         // type OID
		b = binary.BigEndian.AppendUint16(b, 0xffff)    // size -1
		b = binary.BigEndian.AppendUint32(b, 0)         // typmod
		b = binary.BigEndian.AppendUint16(b, 0)         // text format
	}
	return setLength(b, start)
}

// AppendDataRow appends 'D' with text values (never NULL).
func AppendDataRow(b []byte, vals []string) []byte {
	start := len(b)
	b = append(b, 'D', 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(vals)))
	for _, v := range vals {
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	return setLength(b, start)
}

// AppendSelectComplete appends CommandComplete "SELECT n".
func AppendSelectComplete(b []byte, n int) []byte {
	start := len(b)
	b = append(b, 'C', 0, 0, 0, 0)
	b = append(b, "SELECT "...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, 0)
	return setLength(b, start)
}

// AppendQuery appends a simple Query 'Q'.
func AppendQuery(b []byte, sql string) []byte {
	start := len(b)
	b = append(b, 'Q', 0, 0, 0, 0)
	b = append(b, sql...)
	b = append(b, 0)
	return setLength(b, start)
}

// AppendParse appends a Parse 'P' of query as statement name (empty: the
// unnamed statement), with no parameter types.
func AppendParse(b, name, query []byte) []byte {
	start := len(b)
	b = append(b, 'P', 0, 0, 0, 0)
	b = append(b, name...)
	b = append(b, 0)
	b = append(b, query...)
	b = append(b, 0, 0, 0)
	return setLength(b, start)
}

// AppendQueryBytes appends a simple Query 'Q' from bytes.
func AppendQueryBytes(b []byte, sql []byte) []byte {
	start := len(b)
	b = append(b, 'Q', 0, 0, 0, 0)
	b = append(b, sql...)
	b = append(b, 0)
	return setLength(b, start)
}

// Fixed frames.
var (
	Sync             = []byte{'S', 0, 0, 0, 4}
	Flush            = []byte{'H', 0, 0, 0, 4}
	Terminate        = []byte{'X', 0, 0, 0, 4}
	ParseComplete    = []byte{'1', 0, 0, 0, 4}
	BindComplete     = []byte{'2', 0, 0, 0, 4}
	CloseComplete    = []byte{'3', 0, 0, 0, 4}
	NoData           = []byte{'n', 0, 0, 0, 4}
	EmptyQueryResult = []byte{'I', 0, 0, 0, 4}
)

// CString returns the NUL-terminated string at the start of b and the
// rest after the NUL; ok is false when there is no NUL.
func CString(b []byte) (s, rest []byte, ok bool) {
	for i, c := range b {
		if c == 0 {
			return b[:i], b[i+1:], true
		}
	}
	return nil, nil, false
}

// ErrorFields reads the severity, SQLSTATE and message of an ErrorResponse
// or NoticeResponse body (after the 5-byte header). The results are
// sub-slices of body.
func ErrorFields(body []byte) (severity, code, message []byte) {
	for len(body) > 0 && body[0] != 0 {
		f := body[0]
		v, rest, ok := CString(body[1:])
		if !ok {
			return
		}
		switch f {
		case 'V':
			severity = v
		case 'S':
			if severity == nil {
				severity = v
			}
		case 'C':
			code = v
		case 'M':
			message = v
		}
		body = rest
	}
	return
}
