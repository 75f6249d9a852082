package relay

import (
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// spinWait is how long Poll first waits with a raw system call, outside
// the Go scheduler's view (SetRawWait). A backend's answer or a client's
// next query arrives well within the default.
var spinWait = 3 * time.Millisecond

// SetRawWait sets how long Poll and EpollWait wait with a raw system call
// before they block the ordinary way. A child, whose one goroutine does
// all the work, uses a longer one (see Poll); a process with several busy
// goroutines keeps the default, since a raw wait holds its P.
func SetRawWait(d time.Duration) { spinWait = d }

// Poll waits for events on fds like poll(2), timeout in milliseconds
// (-1: none).
//
// A child serves one session on one goroutine, so its waits are short
// and frequent. A plain blocking system call makes the Go runtime hand
// the goroutine's P to another thread after 20 µs and keeps sysmon waking
// every 20 µs; measured on this project's machine, a round trip to a
// process answering in 100 µs cost 42 µs of CPU that way (the netpoller
// costs as much), and 13 µs with a raw system call. So Poll first waits
// up to spinWait with a raw ppoll, which the runtime sees as running Go
// code, and only then blocks the ordinary way, so that an idle session
// costs nothing.
//
// Children wait up to 50 ms (child.Main) and run without asynchronous
// preemption (supervisor.childGODEBUG), so sysmon does not interrupt the
// raw wait; the cost of a long one is that a garbage collection started
// by another goroutine of the child waits for it. With 3 ms, children
// under pgbench -C fell into the blocking phase between clients, and
// waking from it (the runtime retaking and handing back the P, sysmon
// back on its 20 µs tick) cost 0.38 ms of CPU per connection; with 50 ms,
// 0.26 ms.
func Poll(fds []unix.PollFd, timeout int) (int, error) {
	first := rawTimeout(timeout)
	// ppoll leaves the time not slept in ts when a signal interrupts it,
	// so a retry waits only the rest.
	ts := unix.NsecToTimespec(int64(first) * int64(time.Millisecond))
	for {
		r, _, e := syscall.RawSyscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)),
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e == 0 {
			if r > 0 || timeout >= 0 && timeout <= first {
				return int(r), nil
			}
			break
		}
		if e != unix.EINTR {
			return 0, e
		}
	}
	if timeout > 0 {
		timeout -= first
	}
	for {
		n, err := unix.Poll(fds, timeout)
		if err != unix.EINTR {
			return n, err
		}
	}
}

// rawTimeout is the part of timeout (ms, -1 none) spent in the raw wait.
func rawTimeout(timeout int) int {
	first := int(spinWait / time.Millisecond)
	if timeout >= 0 && timeout < first {
		first = timeout
	}
	return first
}

// EpollWait is epoll_wait with Poll's two-phase wait (a raw wait up to
// spinWait, then an ordinary blocking one), for a child waiting for its
// next client: under connect-per-transaction loads the next client comes
// within the raw window.
func EpollWait(ep int, events []unix.EpollEvent, timeout int) (int, error) {
	first := rawTimeout(timeout)
	r, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), uintptr(first), 0, 0)
	switch {
	case e == 0 && (r > 0 || timeout >= 0 && timeout <= first):
		return int(r), nil
	case e != 0 && e != unix.EINTR:
		return 0, e
	}
	// Nothing in the raw window, or a signal cut it short (epoll_pwait
	// does not say how long it slept): the ordinary wait takes the rest
	// of timeout, ending at the latest when the whole of it would.
	if timeout > 0 {
		timeout -= first
	}
	for {
		n, err := unix.EpollWait(ep, events, timeout)
		if err != unix.EINTR {
			return n, err
		}
	}
}
