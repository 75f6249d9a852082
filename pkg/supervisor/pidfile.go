package supervisor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrRunning means the pid file names a live process.
var ErrRunning = errors.New("pid file found. is another pgpool running?")

// ReadPidFile returns the pid recorded in path. Pgpool writes the pid
// followed by a NUL byte; we accept that, a newline, or nothing.
func ReadPidFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	s := strings.TrimRight(string(b), "\x00\n\r\t ")
	pid, err := strconv.Atoi(s)
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("pid file %s holds %q, not a process id", path, s)
	}
	return pid, nil
}

// ClaimPidFile writes our pid to path, refusing when it names a live
// process and taking over a stale file (dead pid), as Pgpool does. It
// returns whether a stale file was replaced. The file is written to a
// temporary name and renamed, so a reader never sees it half written.
func ClaimPidFile(path string) (stale bool, err error) {
	if pid, err := ReadPidFile(path); err == nil {
		if processAlive(pid) && pid != os.Getpid() {
			return false, fmt.Errorf("%s: %w (pid %d)", path, ErrRunning, pid)
		}
		stale = true
	}
	if err := os.MkdirAll(filepath.Dir(path), 0755); err != nil {
		return stale, fmt.Errorf("create directory of pid_file_name %s: %w", path, err)
	}
	tmp := path + ".tmp"
	// A newline rather than Pgpool's NUL: `kill $(cat pgpool.pid)` then
	// works without the shell's "ignored null byte" warning, and readers
	// of Pgpool's format (atoi) read it alike.
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0600); err != nil {
		return stale, fmt.Errorf("write pid file %s: %w", path, err)
	}
	if f, err := os.Open(tmp); err == nil {
		f.Sync()
		f.Close()
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return stale, fmt.Errorf("write pid file %s: %w", path, err)
	}
	return stale, nil
}

// RemovePidFile removes path if it still holds our pid.
func RemovePidFile(path string) {
	if pid, err := ReadPidFile(path); err == nil && pid == os.Getpid() {
		os.Remove(path)
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
