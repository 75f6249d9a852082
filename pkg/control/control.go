package control

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/supervisor"
)

// StopSignal maps Pgpool's -m values: s/smart (default), f/fast,
// i/immediate.
func StopSignal(mode string) (syscall.Signal, error) {
	switch strings.ToLower(mode) {
	case "", "s", "smart":
		return syscall.SIGTERM, nil
	case "f", "fast":
		return syscall.SIGINT, nil
	case "i", "immediate":
		return syscall.SIGQUIT, nil
	}
	return 0, fmt.Errorf("invalid shutdown mode \"%s\" (use smart, fast or immediate)", mode)
}

// Stop signals the pool whose pid file is pidFile and waits for it to
// exit, printing a dot per second and resending the signal every five
// seconds, then "done." (Pgpool's stop_me). The pid file is removed.
func Stop(pidFile string, sig syscall.Signal, out io.Writer) error {
	pid, err := supervisor.ReadPidFile(pidFile)
	if err != nil {
		return fmt.Errorf("could not open pid file %s. reason: %w", pidFile, unwrapPath(err))
	}
	if err := syscall.Kill(pid, sig); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			os.Remove(pidFile)
			return fmt.Errorf("could not stop process with pid: %d: no such process (removed the stale pid file)", pid)
		}
		return fmt.Errorf("could not stop process with pid: %d: %w", pid, err)
	}
	fmt.Fprintf(out, "stop request sent to pgpool (pid: %d). waiting for termination...", pid)
	// Poll often but print Pgpool's one dot per second.
	for i := 1; alive(pid); i++ {
		time.Sleep(100 * time.Millisecond)
		if i%10 == 0 {
			fmt.Fprint(out, ".")
		}
		if i%50 == 0 {
			syscall.Kill(pid, sig)
		}
	}
	fmt.Fprintln(out, "done.")
	os.Remove(pidFile)
	return nil
}

// Reload sends SIGHUP to the pool whose pid file is pidFile.
func Reload(pidFile string) error {
	pid, err := supervisor.ReadPidFile(pidFile)
	if err != nil {
		return fmt.Errorf("could not open pid file %s. reason: %w", pidFile, unwrapPath(err))
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		return fmt.Errorf("could not reload configuration file pid: %d: %w", pid, err)
	}
	return nil
}

// alive reports whether pid runs. A zombie (exited, not yet reaped by a
// parent that is not waiting for it) counts as gone.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the parenthesised command name.
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
