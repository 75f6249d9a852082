package backend

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// Target is a node's address: Host is a hostname or IP, or a unix socket
// directory when it starts with '/'.
type Target struct {
	Node int
	Host string
	Port int
}

func (t Target) String() string {
	if strings.HasPrefix(t.Host, "/") {
		return filepath.Join(t.Host, ".s.PGSQL."+strconv.Itoa(t.Port))
	}
	return net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}

// Dial connects to t and returns a non-blocking socket. timeout bounds the
// connect (connect_timeout; zero = none).
func Dial(t Target, timeout time.Duration) (int, error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	if strings.HasPrefix(t.Host, "/") {
		return connect(unix.AF_UNIX, &unix.SockaddrUnix{Name: t.String()}, deadline)
	}
	ips, err := resolve(t.Host)
	if err != nil {
		return -1, err
	}
	var last error
	for _, ip := range ips {
		var sa unix.Sockaddr
		family := unix.AF_INET
		if ip4 := ip.To4(); ip4 != nil {
			s := &unix.SockaddrInet4{Port: t.Port}
			copy(s.Addr[:], ip4)
			sa = s
		} else {
			family = unix.AF_INET6
			s := &unix.SockaddrInet6{Port: t.Port}
			copy(s.Addr[:], ip.To16())
			sa = s
		}
		fd, err := connect(family, sa, deadline)
		if err == nil {
			unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
			return fd, nil
		}
		last = err
	}
	return -1, last
}

func resolve(host string) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	return ips, nil
}

func connect(family int, sa unix.Sockaddr, deadline time.Time) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return -1, err
	}
	err = unix.Connect(fd, sa)
	if errors.Is(err, unix.EINPROGRESS) || errors.Is(err, unix.EAGAIN) {
		if err = relay.Wait(fd, unix.POLLOUT, deadline); err == nil {
			var soerr int
			soerr, err = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
			if err == nil && soerr != 0 {
				err = unix.Errno(soerr)
			}
		}
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}
