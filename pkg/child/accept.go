package child

import (
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// acceptPoller makes the epoll instance an idle child waits on. The
// listening sockets are registered EPOLLEXCLUSIVE: the kernel wakes one
// waiting child per connection instead of all 32 (no thundering herd),
// and a child busy with a session is not waiting, so it is skipped.
func acceptPoller(listeners []int, wakefd int) (int, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return -1, err
	}
	for _, fd := range listeners {
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(fd)}
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
			unix.Close(ep)
			return -1, err
		}
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(ep)
		return -1, err
	}
	return ep, nil
}

// accept waits for a connection. It returns fd < 0 when it woke up for
// another reason (signal, timer), so the caller re-checks its flags.
func (c *Child) accept() (fd int, host string, port int, err error) {
	// An idle child sleeps until a client, a signal (the wake pipe) or its
	// next lifetime deadline: waking it without cause costs the machine
	// CPU in every one of num_init_children processes.
	timeout := -1
	if !c.wakeAt.IsZero() {
		timeout = int(time.Until(c.wakeAt)/time.Millisecond) + 1
		timeout = max(timeout, 1)
	}
	var events [4]unix.EpollEvent
	n, err := relay.EpollWait(c.epfd, events[:], timeout)
	if err != nil {
		return -1, "", 0, err
	}
	for i := 0; i < n; i++ {
		lfd := int(events[i].Fd)
		if lfd == c.flags.wakefd {
			c.flags.drain()
			continue
		}
		nfd, sa, err := unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err != nil {
			// Another child took it, or a transient error (out of fds):
			// back off a little so a persistent error does not spin.
			if err != unix.EAGAIN && err != unix.ECONNABORTED {
				c.log.Warn().Err(err).Msg("accept failed")
				time.Sleep(5 * time.Millisecond)
			}
			continue
		}
		host, port = peer(sa)
		if _, ok := sa.(*unix.SockaddrUnix); !ok {
			unix.SetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
			unix.SetsockoptInt(nfd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
		}
		return nfd, host, port, nil
	}
	return -1, "", 0, nil
}

func peer(sa unix.Sockaddr) (string, int) {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(a.Addr).String(), a.Port
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(a.Addr).Unmap().String(), a.Port
	}
	return "[local]", 0
}
