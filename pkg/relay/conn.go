package relay

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrWouldBlock means the socket has no data to read or no room to write.
var ErrWouldBlock = errors.New("relay: operation would block")

// Buffer sizes: PostgreSQL sends in 8 KiB chunks (PQ_SEND_BUFFER_SIZE),
// so 16 KiB holds two of them; anything larger that must be inspected
// grows the buffer, which shrinks back when the session goes idle.
const (
	DefaultBufSize = 16 << 10
	// MaxSmallMessage is PostgreSQL's PQ_SMALL_MESSAGE_LIMIT: the longest
	// body allowed for message types that are never large.
	MaxSmallMessage = 10000
	// MaxLargeMessage is PostgreSQL's PQ_LARGE_MESSAGE_LIMIT (MaxAllocSize-1).
	MaxLargeMessage = 0x3fffffff - 1
)

// Transport is what a Conn reads from and writes to: the raw socket, or a
// TLS connection over it. Read and Write must not block; they return
// ErrWouldBlock instead.
type Transport interface {
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	Close() error
}

// BufferedTransport is a Transport that keeps bytes of its own, as TLS
// does (tls.go): plaintext it decrypted but has not returned yet, and
// ciphertext it accepted but has not written yet. Conn counts both, so the
// session loop never waits on a socket for bytes that are already here.
type BufferedTransport interface {
	Transport
	// Buffered is the most a Read returns without reading the socket.
	Buffered() int
	// Unsent is the number of bytes written but not yet on the socket.
	Unsent() int
	// FlushUnsent sends them; ErrWouldBlock when some are left.
	FlushUnsent() error
}

// Conn is one side of a session: a socket with its read and write buffers.
// It is used by one goroutine.
type Conn struct {
	FD int // the socket, for polling
	tr Transport
	bt BufferedTransport // tr when it buffers (TLS); nil for a plain socket

	rbuf   []byte // read buffer; rbuf[rpos:rend] is unread data
	rpos   int
	rend   int
	stream int // bytes of a streamed frame still to come

	wbuf []byte // write buffer; wbuf[wpos:] is unsent data
	wpos int

	eof bool
}

// NewConn wraps a non-blocking socket.
func NewConn(fd int) *Conn {
	return &Conn{FD: fd, tr: fdTransport(fd), rbuf: make([]byte, DefaultBufSize), wbuf: make([]byte, 0, DefaultBufSize)}
}

// Reset prepares a Conn for a new socket, keeping its buffers.
func (c *Conn) Reset(fd int) {
	c.FD, c.tr, c.bt = fd, fdTransport(fd), nil
	c.rpos, c.rend, c.stream, c.wpos, c.eof = 0, 0, 0, 0, false
	c.wbuf = c.wbuf[:0]
}

// SetTransport replaces the transport (after a TLS handshake). Data
// already buffered stays.
func (c *Conn) SetTransport(t Transport) {
	c.tr = t
	c.bt, _ = t.(BufferedTransport)
}

// Transport is the current transport.
func (c *Conn) Transport() Transport { return c.tr }

// Close closes the transport.
func (c *Conn) Close() error {
	if c.tr == nil {
		return nil
	}
	err := c.tr.Close()
	c.tr, c.bt = nil, nil
	return err
}

// Buffered is the number of unread bytes in the read buffer.
func (c *Conn) Buffered() int { return c.rend - c.rpos }

// EOF reports whether the peer closed its side.
func (c *Conn) EOF() bool { return c.eof }

// Fill reads what the socket has into the read buffer. It returns
// ErrWouldBlock when there was nothing to read and io.EOF when the peer
// closed the connection (once the buffer is drained or not).
func (c *Conn) Fill() error {
	if c.eof {
		return io.EOF
	}
	if c.rpos == c.rend {
		c.rpos, c.rend = 0, 0
	} else if c.rend == len(c.rbuf) && c.rpos > 0 {
		c.rend = copy(c.rbuf, c.rbuf[c.rpos:c.rend])
		c.rpos = 0
	}
	if c.rend == len(c.rbuf) {
		return nil // full: the caller must consume first
	}
	n, err := c.tr.Read(c.rbuf[c.rend:])
	if n > 0 {
		c.rend += n
		if c.bt != nil {
			c.drainTransport()
		}
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		c.eof = true
		return io.EOF
	}
	return err
}

// drainTransport moves what a buffering transport holds into the free
// space of the read buffer. What does not fit stays in the transport:
// Hidden reports it, and the session loop reads it without waiting for
// the socket. (Growing the buffer to take it all instead made a large
// result through TLS copy the ever-larger buffer on every read: 38 MB to
// a TLS client took 6.7 s, against 0.12 s in plain text.)
func (c *Conn) drainTransport() {
	for c.bt.Buffered() > 0 {
		if c.rend == len(c.rbuf) {
			if c.rpos == 0 {
				return
			}
			c.rend = copy(c.rbuf, c.rbuf[c.rpos:c.rend])
			c.rpos = 0
		}
		n, err := c.tr.Read(c.rbuf[c.rend:])
		c.rend += n
		if err != nil || n == 0 {
			return // an error comes back at the next Fill
		}
	}
}

// Hidden is what the transport holds beyond the read buffer (TLS records
// read ahead, plaintext that did not fit): bytes a Fill returns although
// the socket may never become readable again for them.
func (c *Conn) Hidden() int {
	if c.bt == nil {
		return 0
	}
	return c.bt.Buffered()
}

// Header returns the type and total length (type byte excluded, length
// word included, as on the wire) of the next frame, if its 5-byte header
// is buffered.
func (c *Conn) Header() (typ byte, length int, ok bool) {
	if c.rend-c.rpos < 5 {
		return 0, 0, false
	}
	b := c.rbuf[c.rpos:]
	return b[0], int(binary.BigEndian.Uint32(b[1:5])), true
}

// CheckLength validates a frame's length word against PostgreSQL's
// limits for its type (pq_getmessage): a bad length means the stream is
// out of step, and the session must end.
func CheckLength(typ byte, length int, large bool) error {
	limit := MaxSmallMessage
	if large {
		limit = MaxLargeMessage
	}
	if length < 4 || length-4 > limit {
		return &ProtocolError{Msg: fmt.Sprintf("invalid message length %d for message type \"%c\"", length, typ)}
	}
	return nil
}

// Frame returns the next frame whole (header included) if it is fully
// buffered. When it is not, and the buffer is too small to hold it, the
// buffer grows (up to max bytes), so that the caller's next Fill can
// complete it. The frame is valid until the next Fill.
func (c *Conn) Frame(max int) (frame []byte, ok bool, err error) {
	_, length, ok := c.Header()
	if !ok {
		c.makeRoom(5)
		return nil, false, nil
	}
	total := length + 1
	if total > max {
		return nil, false, fmt.Errorf("relay: %d-byte message exceeds the %d-byte limit", total, max)
	}
	if c.rend-c.rpos >= total {
		f := c.rbuf[c.rpos : c.rpos+total]
		c.rpos += total
		return f, true, nil
	}
	c.makeRoom(total)
	return nil, false, nil
}

// makeRoom ensures the buffer can hold n bytes from rpos.
func (c *Conn) makeRoom(n int) {
	if len(c.rbuf)-c.rpos >= n {
		return
	}
	if len(c.rbuf) >= n {
		c.rend = copy(c.rbuf, c.rbuf[c.rpos:c.rend])
		c.rpos = 0
		return
	}
	nb := make([]byte, max(n, 2*len(c.rbuf)))
	c.rend = copy(nb, c.rbuf[c.rpos:c.rend])
	c.rpos = 0
	c.rbuf = nb
}

// Partial reports whether the buffer holds the start of a frame but not
// all of it. Frame has grown the buffer to fit the frame, so the caller
// must read more even when more than DefaultBufSize is buffered.
func (c *Conn) Partial() bool {
	_, length, ok := c.Header()
	return ok && c.rend-c.rpos < length+1
}

// Stream starts passing the next frame through in pieces: it consumes the
// header and returns the first piece, leaving the rest for More.
func (c *Conn) Stream() []byte {
	_, length, _ := c.Header()
	total := length + 1
	n := min(total, c.rend-c.rpos)
	p := c.rbuf[c.rpos : c.rpos+n]
	c.rpos += n
	c.stream = total - n
	return p
}

// Streaming is the number of bytes of the current streamed frame still to
// be read.
func (c *Conn) Streaming() int { return c.stream }

// More returns the next buffered piece of a streamed frame.
func (c *Conn) More() []byte {
	n := min(c.stream, c.rend-c.rpos)
	p := c.rbuf[c.rpos : c.rpos+n]
	c.rpos += n
	c.stream -= n
	return p
}

// Skip consumes n buffered bytes.
func (c *Conn) Skip(n int) { c.rpos += n }

// Write appends p to the write buffer; Flush sends it.
func (c *Conn) Write(p []byte) { c.wbuf = append(c.wbuf, p...) }

// Append gives the write buffer to an append-style encoder: the caller
// appends and hands the result to SetWbuf.
func (c *Conn) Wbuf() []byte { return c.wbuf }

// SetWbuf stores the write buffer after an append-style encoder.
func (c *Conn) SetWbuf(b []byte) { c.wbuf = b }

// Pending is the number of unsent bytes, the transport's included.
func (c *Conn) Pending() int {
	n := len(c.wbuf) - c.wpos
	if c.bt != nil {
		n += c.bt.Unsent()
	}
	return n
}

// Flush sends as much of the write buffer as the socket takes. It returns
// ErrWouldBlock when some is left.
func (c *Conn) Flush() error {
	for c.wpos < len(c.wbuf) {
		n, err := c.tr.Write(c.wbuf[c.wpos:])
		c.wpos += n
		if err != nil {
			return err
		}
	}
	c.wbuf, c.wpos = c.wbuf[:0], 0
	if c.bt != nil && c.bt.Unsent() > 0 {
		return c.bt.FlushUnsent()
	}
	return nil
}

// Shrink gives back buffers an outlier message grew (called when the
// session is idle), so 32 idle children do not each keep their largest
// message's worth of memory (STYLE §3).
func (c *Conn) Shrink() {
	if len(c.rbuf) > DefaultBufSize && c.rend-c.rpos <= DefaultBufSize {
		nb := make([]byte, DefaultBufSize)
		c.rend = copy(nb, c.rbuf[c.rpos:c.rend])
		c.rpos = 0
		c.rbuf = nb
	}
	if cap(c.wbuf) > 4*DefaultBufSize && c.Pending() == 0 {
		c.wbuf, c.wpos = make([]byte, 0, DefaultBufSize), 0
	}
}

// fdTransport reads and writes a non-blocking socket directly: no Go
// netpoller, because a child serves one session and runs its own poll
// loop (one syscall less per message than a blocking net.Conn read).
type fdTransport int

// Read and Write use raw system calls: the socket is non-blocking, so they
// never wait, and the runtime's entersyscall/exitsyscall bookkeeping is
// pure overhead on the relay's hottest path.
func (fd fdTransport) Read(p []byte) (int, error) {
	for {
		n, err := rawRead(int(fd), p)
		switch {
		case err == nil:
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, ErrWouldBlock
		default:
			return 0, err
		}
	}
}

func (fd fdTransport) Write(p []byte) (int, error) {
	for {
		n, err := rawWrite(int(fd), p) // EPIPE, not SIGPIPE: Go ignores SIGPIPE on sockets
		switch {
		case err == nil:
			return n, nil
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, ErrWouldBlock
		default:
			return 0, err
		}
	}
}

func (fd fdTransport) Close() error { return unix.Close(int(fd)) }

// IsDisconnect reports errors that mean the peer went away.
func IsDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r, _, e := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

func rawWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r, _, e := syscall.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
