package relay

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// TLS over a session's non-blocking socket.
//
// A child runs its own poll loop over raw non-blocking sockets (no Go
// netpoller), so a TLS connection must never block either. crypto/tls
// wants a net.Conn under it and treats that conn's errors differently by
// direction (Go 1.26, crypto/tls/conn.go):
//
//   - Reads: readRecordOrCCS makes an error from the underlying Read
//     permanent (c.in.setErrorLocked) unless it is a net.Error whose
//     Temporary() is true; a partly read record stays in c.rawInput and the
//     next Read resumes it. So socketConn.Read returns errWouldBlock, a
//     temporary net.Error, when the socket has nothing, and TLSTransport
//     turns it into ErrWouldBlock for the relay.
//   - Writes: writeRecordLocked stops at the first error and Write stores
//     it with c.out.setErrorLocked, which wraps every net.Error as a
//     permanentError; a record cut halfway cannot be resumed either. So
//     socketConn.Write never fails: it appends the ciphertext to its own
//     buffer, and TLSTransport sends that buffer without blocking, telling
//     the relay how much is left (Unsent) so that the session loop polls
//     for POLLOUT until it is gone.
//   - The handshake stores its first error for good (c.handshakeErr), so
//     it runs in a blocking mode: reads and writes wait with poll until the
//     startup deadline (authentication_timeout).
//
// The session loop polls the socket and calls Fill only when it is
// readable, so no decrypted byte may stay hidden inside tls.Conn when Fill
// returns. socketConn hands tls.Conn at most one record at a time (it reads
// ahead from the socket into its own buffer but stops each Read at the
// record boundary), and TLSTransport always gives tls.Conn.Read room for a
// whole record (maxPlaintext), using a spill buffer when the caller's
// buffer is smaller. After each tls.Conn.Read, tls.Conn therefore holds
// nothing: what is left is in socketConn's read-ahead and the spill,
// both counted by Buffered. Conn.Fill drains them into its own buffer as
// far as it has room (Conn.drainTransport); the session loop reads the
// rest without waiting for the socket (Conn.Hidden).

// maxPlaintext is the largest plaintext a TLS record carries (RFC 8446
// §5.1, crypto/tls maxPlaintext).
const maxPlaintext = 16384

// rawBufSize is socketConn's read-ahead buffer: enough for the largest
// TLS 1.2 ciphertext record (5-byte header + 2^14 + 2048) with room to
// spare, so a whole record always fits.
const rawBufSize = 32 << 10

// errWouldBlock is what socketConn gives crypto/tls when the socket has
// no data: a temporary net.Error, which tls.Conn does not make sticky.
var errWouldBlock net.Error = wouldBlockError{}

type wouldBlockError struct{}

func (wouldBlockError) Error() string   { return "relay: tls socket would block" }
func (wouldBlockError) Timeout() bool   { return false }
func (wouldBlockError) Temporary() bool { return true }

// socketConn is the net.Conn under a tls.Conn: a non-blocking socket with
// a read-ahead buffer cut at record boundaries and a write buffer.
type socketConn struct {
	fd int

	in      []byte // read-ahead: in[inPos:] not yet given to tls.Conn
	inPos   int
	recLeft int  // bytes of the current record not yet given to tls.Conn
	drained bool // the last socket read returned less than it asked for
	eof     bool

	out    []byte // ciphertext: out[outPos:] not yet on the socket
	outPos int

	blocking bool      // handshake mode: wait with poll
	deadline time.Time // for blocking mode; zero: none
}

func newSocketConn(fd int, prefix []byte) *socketConn {
	s := &socketConn{fd: fd, in: make([]byte, 0, rawBufSize), blocking: true}
	s.in = append(s.in, prefix...)
	return s
}

// Read gives tls.Conn the next bytes of the current record, reading the
// socket when none are buffered.
func (s *socketConn) Read(p []byte) (int, error) {
	for {
		buf := s.in[s.inPos:]
		if s.recLeft == 0 && len(buf) >= 5 {
			s.recLeft = 5 + (int(buf[3])<<8 | int(buf[4]))
		}
		if s.recLeft > 0 && len(buf) > 0 {
			n := min(len(p), len(buf), s.recLeft)
			copy(p, buf[:n])
			s.inPos += n
			s.recLeft -= n
			return n, nil
		}
		// Nothing to give (or a header cut short): read more.
		if err := s.fillIn(); err != nil {
			return 0, err
		}
	}
}

// fillIn reads from the socket into the read-ahead buffer, after what is
// there. In blocking mode it first sends pending output (the peer may be
// waiting for it) and waits for data until the deadline.
func (s *socketConn) fillIn() error {
	if s.eof {
		return io.EOF
	}
	if s.inPos == len(s.in) {
		s.in, s.inPos = s.in[:0], 0
	} else if s.inPos > 0 && cap(s.in)-len(s.in) < maxPlaintext {
		s.in = s.in[:copy(s.in, s.in[s.inPos:])]
		s.inPos = 0
	}
	if s.blocking {
		if err := s.flushBlocking(); err != nil {
			return err
		}
	}
	for {
		free := s.in[len(s.in):cap(s.in)]
		n, err := unix.Read(s.fd, free)
		switch {
		case err == nil && n == 0:
			s.eof = true
			return io.EOF
		case err == nil:
			s.in = s.in[:len(s.in)+n]
			s.drained = n < len(free)
			return nil
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			s.drained = true
			if !s.blocking {
				return errWouldBlock
			}
			if err := Wait(s.fd, unix.POLLIN, s.deadline); err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// completeRecordBytes is the size of the whole records in the read-ahead
// buffer beyond what tls.Conn already has: an upper bound of the plaintext
// a Read can produce without touching the socket.
func (s *socketConn) completeRecordBytes() int {
	buf := s.in[s.inPos:]
	total, left := 0, s.recLeft
	if left > 0 {
		if left > len(buf) {
			return 0
		}
		total, buf = left, buf[left:]
	}
	for len(buf) >= 5 {
		n := 5 + (int(buf[3])<<8 | int(buf[4]))
		if n > len(buf) {
			break
		}
		total += n
		buf = buf[n:]
	}
	return total
}

// Write takes tls.Conn's ciphertext into the write buffer. It never fails
// (see the comment at the top of this file).
func (s *socketConn) Write(p []byte) (int, error) {
	s.out = append(s.out, p...)
	return len(p), nil
}

func (s *socketConn) unsent() int { return len(s.out) - s.outPos }

// flush writes the write buffer without blocking; ErrWouldBlock when some
// is left.
func (s *socketConn) flush() error {
	for s.outPos < len(s.out) {
		n, err := unix.Write(s.fd, s.out[s.outPos:])
		switch {
		case err == nil:
			s.outPos += n
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			return ErrWouldBlock
		default:
			return err
		}
	}
	if cap(s.out) > 4*DefaultBufSize {
		s.out = nil // an outlier (a large result) grew it: give it back
	} else {
		s.out = s.out[:0]
	}
	s.outPos = 0
	return nil
}

// flushBlocking writes the write buffer, waiting until the deadline.
func (s *socketConn) flushBlocking() error {
	for {
		err := s.flush()
		if err == nil || !errors.Is(err, ErrWouldBlock) {
			return err
		}
		if err := Wait(s.fd, unix.POLLOUT, s.deadline); err != nil {
			return err
		}
	}
}

// Close sends what is left if the socket takes it at once (the
// close_notify alert) and closes the socket.
func (s *socketConn) Close() error {
	s.flush()
	return unix.Close(s.fd)
}

func (s *socketConn) LocalAddr() net.Addr {
	sa, err := unix.Getsockname(s.fd)
	if err != nil {
		return &net.TCPAddr{}
	}
	return sockaddrToAddr(sa)
}

func (s *socketConn) RemoteAddr() net.Addr {
	sa, err := unix.Getpeername(s.fd)
	if err != nil {
		return &net.TCPAddr{}
	}
	return sockaddrToAddr(sa)
}

func sockaddrToAddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	return &net.TCPAddr{}
}

// Deadlines are the relay's business (poll timeouts), not tls.Conn's:
// tls.Conn.Close sets a write deadline around its close_notify, which the
// non-blocking write buffer makes moot.
func (s *socketConn) SetDeadline(time.Time) error      { return nil }
func (s *socketConn) SetReadDeadline(time.Time) error  { return nil }
func (s *socketConn) SetWriteDeadline(time.Time) error { return nil }

// TLSTransport is a Conn's Transport after a TLS handshake. It never
// blocks: see the comment at the top of this file.
type TLSTransport struct {
	tc *tls.Conn
	sc *socketConn

	spill    []byte // a record's plaintext that did not fit the caller's buffer
	spillPos int
}

// ConnectionState is the TLS state (version, cipher suite, peer
// certificates, negotiated ALPN protocol).
func (t *TLSTransport) ConnectionState() tls.ConnectionState { return t.tc.ConnectionState() }

// Read returns decrypted bytes: those left from the last record first,
// then whole records while the socket has them and p has room.
func (t *TLSTransport) Read(p []byte) (int, error) {
	n := 0
	if t.spillPos < len(t.spill) {
		n = copy(p, t.spill[t.spillPos:])
		t.spillPos += n
		if t.spillPos < len(t.spill) {
			return n, nil
		}
	}
	for n < len(p) {
		if n > 0 && t.sc.drained && t.sc.completeRecordBytes() == 0 {
			// The socket was empty at the last read and no whole record
			// is buffered: more needs a socket read, and the poll loop
			// will say when there is something to read.
			break
		}
		var m int
		var err error
		if len(p)-n >= maxPlaintext {
			m, err = t.tc.Read(p[n:])
		} else {
			if t.spill == nil {
				t.spill = make([]byte, maxPlaintext)
			}
			t.spill = t.spill[:maxPlaintext]
			m, err = t.tc.Read(t.spill)
			t.spill = t.spill[:m]
			m = copy(p[n:], t.spill)
			t.spillPos = m
		}
		n += m
		if err != nil {
			if errors.Is(err, errWouldBlock) { // tls.Conn returns our error as is
				break
			}
			if n > 0 {
				// Deliver what we have; the error comes back at the
				// next Read (tls.Conn keeps it).
				return n, nil
			}
			return 0, err
		}
		if t.spillPos < len(t.spill) {
			break // p is full
		}
	}
	if n == 0 {
		return 0, ErrWouldBlock
	}
	return n, nil
}

// Buffered is the most plaintext a Read can return without reading the
// socket: the spill and the whole records read ahead.
func (t *TLSTransport) Buffered() int {
	return len(t.spill) - t.spillPos + t.sc.completeRecordBytes()
}

// Write encrypts p into the write buffer and sends what the socket takes.
// It accepts nothing while earlier ciphertext is still unsent, so the
// buffer holds at most one Flush's worth.
func (t *TLSTransport) Write(p []byte) (int, error) {
	if t.sc.unsent() > 0 {
		if err := t.sc.flush(); err != nil {
			return 0, err
		}
	}
	n, err := t.tc.Write(p)
	if err != nil {
		return n, err
	}
	if err := t.sc.flush(); err != nil && !errors.Is(err, ErrWouldBlock) {
		return n, err
	}
	return n, nil
}

// Unsent is the ciphertext not yet on the socket.
func (t *TLSTransport) Unsent() int { return t.sc.unsent() }

// FlushUnsent sends the ciphertext left by Write; ErrWouldBlock when the
// socket does not take it all.
func (t *TLSTransport) FlushUnsent() error { return t.sc.flush() }

// Close sends close_notify (best effort) and closes the socket.
func (t *TLSTransport) Close() error { return t.tc.Close() }

// ServerTLS runs the server side of a TLS handshake on c's socket, waiting
// until deadline, and makes c encrypted from then on. Bytes already in c's
// read buffer are the start of the handshake (a direct-TLS ClientHello);
// after an SSLRequest the caller checks that there are none.
func ServerTLS(c *Conn, cfg *tls.Config, deadline time.Time) (*TLSTransport, error) {
	return startTLS(c, deadline, func(sc *socketConn) *tls.Conn { return tls.Server(sc, cfg) })
}

// ClientTLS runs the client side of a TLS handshake on c's socket (after
// the server answered 'S' to an SSLRequest) and makes c encrypted.
func ClientTLS(c *Conn, cfg *tls.Config, deadline time.Time) (*TLSTransport, error) {
	return startTLS(c, deadline, func(sc *socketConn) *tls.Conn { return tls.Client(sc, cfg) })
}

func startTLS(c *Conn, deadline time.Time, wrap func(*socketConn) *tls.Conn) (*TLSTransport, error) {
	prefix := c.PeekBytes()
	sc := newSocketConn(c.FD, prefix)
	c.Skip(len(prefix))
	sc.deadline = deadline
	tc := wrap(sc)
	if err := tc.Handshake(); err != nil {
		sc.flush() // the alert that tells the peer why, if the socket takes it
		if errors.Is(err, ErrTimeout) {
			return nil, ErrTimeout
		}
		return nil, err
	}
	if err := sc.flushBlocking(); err != nil {
		return nil, err
	}
	sc.blocking = false
	t := &TLSTransport{tc: tc, sc: sc}
	c.SetTransport(t)
	return t, nil
}
