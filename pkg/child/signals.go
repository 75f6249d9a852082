package child

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// flags are set by the signal goroutine and read by the child's loop.
type flags struct {
	smart     atomic.Bool // SIGTERM: exit after the current session
	fast      atomic.Bool // SIGINT: end the session now and exit
	reload    atomic.Bool // SIGHUP: reload the configuration between sessions
	closeIdle atomic.Bool // SIGUSR1: close idle pooled connections
	wakefd    int         // eventfd the loop polls
}

func newFlags() (*flags, error) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, err
	}
	return &flags{wakefd: fd}, nil
}

// watch turns signals into flags (Pgpool's child handlers, reference
// §1.5): SIGTERM smart, SIGINT fast, SIGQUIT immediate, SIGHUP reload,
// SIGUSR1 close idle connections, SIGUSR2 wake up.
func (f *flags) watch() {
	ch := make(chan os.Signal, 8)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	signal.Ignore(syscall.SIGPIPE)
	go func() {
		for sig := range ch {
			switch sig {
			case syscall.SIGTERM:
				f.smart.Store(true)
			case syscall.SIGINT:
				if !f.fast.Swap(true) {
					// The loop ends the session politely; if it cannot
					// within a second (blocked connecting somewhere),
					// leave anyway.
					time.AfterFunc(time.Second, func() { os.Exit(0) })
				}
			case syscall.SIGQUIT:
				os.Exit(0)
			case syscall.SIGHUP:
				f.reload.Store(true)
			case syscall.SIGUSR1:
				f.closeIdle.Store(true)
			}
			f.wake()
		}
	}()
}

func (f *flags) wake() {
	var one = [8]byte{1}
	unix.Write(f.wakefd, one[:])
}

// drain clears the eventfd after a wake-up.
func (f *flags) drain() {
	var b [8]byte
	unix.Read(f.wakefd, b[:])
}
