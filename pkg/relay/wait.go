package relay

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ErrTimeout is returned when a deadline passes while waiting.
var ErrTimeout = os.ErrDeadlineExceeded

// Wait blocks until fd is ready for events (unix.POLLIN / POLLOUT) or the
// deadline passes (zero: no deadline). It is for the slow phases
// (startup, authentication, internal queries); the session loop polls
// all its sockets at once instead.
func Wait(fd int, events int16, deadline time.Time) error {
	pfd := [1]unix.PollFd{{Fd: int32(fd), Events: events}}
	for {
		timeout := -1
		if !deadline.IsZero() {
			d := time.Until(deadline)
			if d <= 0 {
				return ErrTimeout
			}
			timeout = int(d/time.Millisecond) + 1
		}
		n, err := Poll(pfd[:], timeout)
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// ReadFrame reads one whole frame from c, waiting for data until the
// deadline. max bounds the frame size. The frame is valid until the next
// read from c.
func ReadFrame(c *Conn, max int, deadline time.Time) ([]byte, error) {
	for {
		f, ok, err := c.Frame(max)
		if err != nil {
			return nil, err
		}
		if ok {
			return f, nil
		}
		if err := c.Fill(); err != nil {
			if !errors.Is(err, ErrWouldBlock) {
				return nil, err
			}
			if err := Wait(c.FD, unix.POLLIN, deadline); err != nil {
				return nil, err
			}
		}
	}
}

// FlushWait writes c's buffer out, waiting until the deadline.
func FlushWait(c *Conn, deadline time.Time) error {
	for {
		err := c.Flush()
		if err == nil || !errors.Is(err, ErrWouldBlock) {
			return err
		}
		if err := Wait(c.FD, unix.POLLOUT, deadline); err != nil {
			return err
		}
	}
}

// ReadBytes reads exactly n raw bytes (a startup packet has no type byte).
func ReadBytes(c *Conn, n int, deadline time.Time) ([]byte, error) {
	c.makeRoom(n)
	for c.rend-c.rpos < n {
		if err := c.Fill(); err != nil {
			if !errors.Is(err, ErrWouldBlock) {
				return nil, err
			}
			if err := Wait(c.FD, unix.POLLIN, deadline); err != nil {
				return nil, err
			}
		}
	}
	b := c.rbuf[c.rpos : c.rpos+n]
	c.rpos += n
	return b, nil
}

// PeekBytes returns the unread buffered bytes without consuming them.
func (c *Conn) PeekBytes() []byte { return c.rbuf[c.rpos:c.rend] }
