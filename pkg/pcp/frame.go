package pcp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
)

const (
	// MaxRequestLength is Pgpool's MAX_PCP_PACKET_LENGTH: the length word of a
	// request (which counts itself) must be below it, so a request carries at
	// most 255 payload bytes (§1.2, src/include/pcp/pcp.h).
	MaxRequestLength = 260

	// MaxReplyLength bounds the length word of a reply the client accepts. Pgpool
	// has no limit; the largest real reply is the watchdog JSON document, a few
	// KiB per node. A length beyond this means the stream is not PCP.
	MaxReplyLength = 16 << 20

	// headerLength is the type byte plus the length word.
	headerLength = 5
)

// packetReader reads PCP packets from a buffered stream. The payload it
// returns is valid until the next call of next.
type packetReader struct {
	br  *bufio.Reader
	buf []byte
}

func newPacketReader(r io.Reader) *packetReader {
	return &packetReader{br: bufio.NewReaderSize(r, 4096)}
}

// next reads one packet. Its length word must lie in [4, limit): a shorter
// or longer one is a *LengthError and the stream is no longer in sync. The
// returned payload excludes type byte and length word.
func (pr *packetReader) next(limit int) (typ byte, payload []byte, err error) {
	var hdr [headerLength]byte
	if _, err := io.ReadFull(pr.br, hdr[:]); err != nil {
		return 0, nil, err
	}
	typ = hdr[0]
	n := int32(binary.BigEndian.Uint32(hdr[1:]))
	if n < 4 || int64(n) >= int64(limit) {
		return typ, nil, &LengthError{Type: typ, Length: n}
	}
	size := int(n) - 4
	if cap(pr.buf) < size {
		pr.buf = make([]byte, size)
	}
	pr.buf = pr.buf[:size]
	if _, err := io.ReadFull(pr.br, pr.buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return typ, nil, err
	}
	return typ, pr.buf, nil
}

// beginPacket appends the type byte and a placeholder length word; finish
// fills in the length once the payload is appended.
func beginPacket(dst []byte, typ byte) ([]byte, int) {
	sp := len(dst)
	return append(dst, typ, 0, 0, 0, 0), sp
}

func finishPacket(dst []byte, sp int) []byte {
	binary.BigEndian.PutUint32(dst[sp+1:], uint32(len(dst)-sp-1))
	return dst
}

// finishRequest is finishPacket plus Pgpool's request size limit, checked by
// the client so that it never sends what the server would reject.
func finishRequest(dst []byte, sp int) ([]byte, error) {
	n := len(dst) - sp - 1
	if n >= MaxRequestLength {
		return dst[:sp], &LengthError{Type: dst[sp], Length: int32(n)}
	}
	return finishPacket(dst, sp), nil
}

// appendCString appends s and its NUL terminator. Like a C string, s ends at
// its first NUL: what follows could not be told from the next field.
func appendCString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			s = s[:i]
			break
		}
	}
	dst = append(dst, s...)
	return append(dst, 0)
}

func appendInt(dst []byte, v int64) []byte {
	dst = strconv.AppendInt(dst, v, 10)
	return append(dst, 0)
}

func appendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, '1', 0)
	}
	return append(dst, '0', 0)
}

// appendFloat appends v as C's "%f" prints it.
func appendFloat(dst []byte, v float64) []byte {
	dst = strconv.AppendFloat(dst, v, 'f', 6, 64)
	return append(dst, 0)
}

// splitCStrings splits a payload made of NUL-terminated strings. Every byte
// must belong to a terminated string.
func splitCStrings(src []byte) ([]string, error) {
	n := bytes.Count(src, []byte{0})
	if len(src) > 0 && src[len(src)-1] != 0 {
		return nil, errUnterminated
	}
	out := make([]string, 0, n)
	for len(src) > 0 {
		i := bytes.IndexByte(src, 0)
		out = append(out, string(src[:i]))
		src = src[i+1:]
	}
	return out, nil
}

// cstring returns the NUL-terminated string at the start of src and the rest.
func cstring(src []byte) (string, []byte, error) {
	i := bytes.IndexByte(src, 0)
	if i < 0 {
		return "", nil, errUnterminated
	}
	return string(src[:i]), src[i+1:], nil
}

// fieldDecoder reads typed fields from a list of wire strings and remembers
// the first failure, so that a Decode reads as a list of fields.
type fieldDecoder struct {
	fields []string
	pos    int
	what   string // packet name, for errors
	err    error
}

func (d *fieldDecoder) str() string {
	if d.err != nil {
		return ""
	}
	if d.pos >= len(d.fields) {
		d.err = fmt.Errorf("%s: %w", d.what, errShortPacket)
		return ""
	}
	s := d.fields[d.pos]
	d.pos++
	return s
}

func (d *fieldDecoder) int64() int64 {
	s := d.str()
	if d.err != nil {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d.err = fmt.Errorf("%s: field %d: invalid integer %q", d.what, d.pos, s)
	}
	return v
}

func (d *fieldDecoder) int() int {
	v := d.int64()
	if d.err == nil && int64(int(v)) != v {
		d.err = fmt.Errorf("%s: field %d: integer %d out of range", d.what, d.pos, v)
	}
	return int(v)
}

func (d *fieldDecoder) float() float64 {
	s := d.str()
	if d.err != nil {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		d.err = fmt.Errorf("%s: field %d: invalid number %q", d.what, d.pos, s)
	}
	return v
}

func (d *fieldDecoder) bool() bool {
	s := d.str()
	if d.err != nil {
		return false
	}
	switch s {
	case "0":
		return false
	case "1":
		return true
	}
	d.err = fmt.Errorf("%s: field %d: invalid flag %q", d.what, d.pos, s)
	return false
}

// done checks that every field was consumed.
func (d *fieldDecoder) done() error {
	if d.err == nil && d.pos != len(d.fields) {
		d.err = fmt.Errorf("%s: %d fields, expected %d", d.what, len(d.fields), d.pos)
	}
	return d.err
}
