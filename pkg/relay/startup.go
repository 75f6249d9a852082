package relay

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strconv"
)

// Startup request codes (the 4 bytes after the length).
const (
	CodeCancel  = 80877102 // 1234.5678
	CodeSSL     = 80877103 // 1234.5679
	CodeGSSENC  = 80877104 // 1234.5680
	CodeV3      = 3 << 16
	MaxStartup  = 10000 // MAX_STARTUP_PACKET_LENGTH
	minStartup  = 8
	protoMajor3 = 3
)

// Param is one startup option.
type Param struct{ Name, Value string }

// Startup is a decoded startup packet.
type Startup struct {
	Code         uint32
	Major, Minor int
	Params       []Param // sorted by name, as Pgpool sorts them
	User         string
	Database     string
	AppName      string
	Replication  string
	Raw          []byte // the packet rewritten with sorted options; the pool key
	CancelPid    int32
	CancelKey    []byte
}

// StartupLength reads the length word of a startup packet and checks it
// (Pgpool: 4 < body ≤ 10000, "incorrect packet length").
func StartupLength(b []byte) (int, *PgError) {
	n := int(binary.BigEndian.Uint32(b))
	if n < minStartup || n > MaxStartup {
		return 0, ErrStartupPacket("incorrect packet length (" + strconv.Itoa(n) + ")")
	}
	return n, nil
}

// ParseStartup decodes a whole startup packet (length word included).
func ParseStartup(pkt []byte) (*Startup, *PgError) {
	if len(pkt) < minStartup {
		return nil, ErrStartupPacket("incorrect packet length")
	}
	code := binary.BigEndian.Uint32(pkt[4:8])
	s := &Startup{Code: code, Major: int(code >> 16), Minor: int(code & 0xffff)}
	switch code {
	case CodeSSL, CodeGSSENC:
		return s, nil
	case CodeCancel:
		if len(pkt) < 16 || len(pkt) > 8+4+256 {
			return nil, ErrStartupPacket("invalid length of cancel request packet")
		}
		s.CancelPid = int32(binary.BigEndian.Uint32(pkt[8:12]))
		s.CancelKey = append([]byte(nil), pkt[12:]...)
		return s, nil
	}
	if s.Major != protoMajor3 {
		return nil, ErrUnsupportedProtocol(s.Major, s.Minor)
	}
	body := pkt[8:]
	for len(body) > 0 && body[0] != 0 {
		name, rest, ok := CString(body)
		if !ok {
			return nil, ErrStartupPacket("invalid startup packet layout: expected terminator as last byte")
		}
		value, rest2, ok := CString(rest)
		if !ok {
			return nil, ErrStartupPacket("invalid startup packet layout: expected terminator as last byte")
		}
		s.Params = append(s.Params, Param{string(name), string(value)})
		body = rest2
	}
	if len(body) != 1 {
		return nil, ErrStartupPacket("invalid startup packet layout: expected terminator as last byte")
	}
	slices.SortStableFunc(s.Params, func(a, b Param) int { return bytes.Compare([]byte(a.Name), []byte(b.Name)) })
	for _, p := range s.Params {
		switch p.Name {
		case "user":
			s.User = p.Value
		case "database":
			s.Database = p.Value
		case "application_name":
			s.AppName = p.Value
		case "replication":
			s.Replication = p.Value
		}
	}
	if s.User == "" {
		return nil, ErrNoUser()
	}
	if s.Database == "" {
		s.Database = s.User
		s.Params = append(s.Params, Param{"database", s.User})
		slices.SortStableFunc(s.Params, func(a, b Param) int { return bytes.Compare([]byte(a.Name), []byte(b.Name)) })
	}
	s.Raw = s.encode()
	return s, nil
}

// encode writes the packet back with its options in sorted order.
func (s *Startup) encode() []byte {
	b := make([]byte, 8, 64)
	binary.BigEndian.PutUint32(b[4:], s.Code)
	for _, p := range s.Params {
		b = append(b, p.Name...)
		b = append(b, 0)
		b = append(b, p.Value...)
		b = append(b, 0)
	}
	b = append(b, 0)
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

// Param returns the value of a startup option.
func (s *Startup) Param(name string) (string, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// StartupPacket builds a v3 startup packet from options (for internal
// connections: health check, sr-worker).
func StartupPacket(params ...Param) []byte {
	s := &Startup{Code: CodeV3, Params: params}
	return s.encode()
}
