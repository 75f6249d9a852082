package supervisor

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// Listener is a bound listening socket to hand to workers.
type Listener struct {
	Name string // "tcp:127.0.0.1:9999" or "unix:/tmp/.s.PGSQL.9999"
	File *os.File
	Path string // unix socket file, removed at shutdown
}

// SocketOptions say where and how to listen.
type SocketOptions struct {
	Addresses   []string // listen_addresses; "*" = all, empty = unix only
	Port        int
	SocketDirs  []string // unix_socket_directories
	Group       string   // unix_socket_group
	Permissions int      // unix_socket_permissions
	Backlog     int
}

// Listen binds every address and socket directory of o. An address that
// cannot be bound is skipped with a warning, as Pgpool does, but it is an
// error when nothing at all could be bound.
func Listen(o SocketOptions, warn func(what string, err error)) ([]Listener, error) {
	var out []Listener
	addrs, err := expandAddresses(o.Addresses)
	if err != nil {
		return nil, err
	}
	for _, ip := range addrs {
		l, err := listenTCP(ip, o.Port, o.Backlog)
		if err != nil {
			warn(fmt.Sprintf("listen on %s port %d", ip, o.Port), err)
			continue
		}
		out = append(out, l)
	}
	for _, dir := range o.SocketDirs {
		if dir == "" {
			continue
		}
		l, err := listenUnix(dir, o)
		if err != nil {
			warn(fmt.Sprintf("listen on unix socket in %s", dir), err)
			continue
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("could not bind any socket for port %d (listen_addresses %q, socket directories %q)", o.Port, o.Addresses, o.SocketDirs)
	}
	return out, nil
}

func expandAddresses(list []string) ([]net.IP, error) {
	var out []net.IP
	seen := map[string]bool{}
	add := func(ip net.IP) {
		if !seen[ip.String()] {
			seen[ip.String()] = true
			out = append(out, ip)
		}
	}
	for _, a := range list {
		switch a {
		case "":
			continue
		case "*":
			add(net.IPv4zero)
			add(net.IPv6unspecified)
			continue
		}
		if ip := net.ParseIP(a); ip != nil {
			add(ip)
			continue
		}
		ips, err := net.LookupIP(a)
		if err != nil {
			return nil, fmt.Errorf("resolve listen address %q: %w", a, err)
		}
		for _, ip := range ips {
			add(ip)
		}
	}
	return out, nil
}

func listenTCP(ip net.IP, port, backlog int) (Listener, error) {
	family, sa := unix.AF_INET, unix.Sockaddr(nil)
	if ip4 := ip.To4(); ip4 != nil {
		s := &unix.SockaddrInet4{Port: port}
		copy(s.Addr[:], ip4)
		sa = s
	} else {
		family = unix.AF_INET6
		s := &unix.SockaddrInet6{Port: port}
		copy(s.Addr[:], ip.To16())
		sa = s
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return Listener{}, err
	}
	// SO_REUSEPORT lets a standalone pgpool-child join the pool by binding
	// the same address (DESIGN.md); the port lock keeps a second pool out.
	for _, opt := range []int{unix.SO_REUSEADDR, unix.SO_REUSEPORT} {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, opt, 1); err != nil {
			unix.Close(fd)
			return Listener{}, err
		}
	}
	if family == unix.AF_INET6 {
		unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return Listener{}, err
	}
	if err := unix.Listen(fd, backlog); err != nil {
		unix.Close(fd)
		return Listener{}, err
	}
	name := "tcp:" + net.JoinHostPort(ip.String(), strconv.Itoa(port))
	return Listener{Name: name, File: os.NewFile(uintptr(fd), name)}, nil
}

func listenUnix(dir string, o SocketOptions) (Listener, error) {
	path := filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(o.Port))
	// The port lock is held, so a socket file here is a leftover of a
	// pool that died (Pgpool unlinks it too).
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Listener{}, fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return Listener{}, err
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return Listener{}, err
	}
	if o.Group != "" {
		if g, err := user.LookupGroup(o.Group); err == nil {
			gid, _ := strconv.Atoi(g.Gid)
			os.Chown(path, -1, gid)
		} else if gid, err := strconv.Atoi(o.Group); err == nil {
			os.Chown(path, -1, gid)
		}
	}
	perm := o.Permissions
	if perm == 0 {
		perm = 0777
	}
	if err := os.Chmod(path, os.FileMode(perm)); err != nil {
		unix.Close(fd)
		os.Remove(path)
		return Listener{}, err
	}
	if err := unix.Listen(fd, 10000); err != nil {
		unix.Close(fd)
		os.Remove(path)
		return Listener{}, err
	}
	name := "unix:" + path
	return Listener{Name: name, File: os.NewFile(uintptr(fd), name), Path: path}, nil
}

// Close closes the socket and removes its file.
func (l Listener) Close() {
	l.File.Close()
	if l.Path != "" {
		os.Remove(l.Path)
	}
}

// isAddrInUse reports a bind failure because the port is taken.
func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
