package relay

import (
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// spinWait is how long Poll first waits with a raw system call, outside
// the Go scheduler's view. A backend's answer or a benchmark client's next
// query arrives well within it.
const spinWait = 3 * time.Millisecond

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
// code (sysmon preempts that only after 10 ms, longer than spinWait), and
// only then blocks the ordinary way, so that an idle session costs
// nothing.
func Poll(fds []unix.PollFd, timeout int) (int, error) {
	first := int(spinWait / time.Millisecond)
	if timeout >= 0 && timeout < first {
		first = timeout
	}
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

// EpollWait is epoll_wait with Poll's two-phase wait (a raw wait up to
// spinWait, then an ordinary blocking one), for a child waiting for its
// next client: under connect-per-transaction loads the next client comes
// within the raw window.
func EpollWait(ep int, events []unix.EpollEvent, timeout int) (int, error) {
	first := int(spinWait / time.Millisecond)
	if timeout >= 0 && timeout < first {
		first = timeout
	}
	for {
		r, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&events[0])),
			uintptr(len(events)), uintptr(first), 0, 0)
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
		n, err := unix.EpollWait(ep, events, timeout)
		if err != unix.EINTR {
			return n, err
		}
	}
}
