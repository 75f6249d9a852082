package pgcluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// ServerUser is the OS user that runs PostgreSQL and pgpool when the tests
// run as root (PostgreSQL refuses to run as root). It is created as a system
// user if it does not exist.
const ServerUser = "postgres"

// osUser says as whom server processes run: either the current user
// (cred == nil) or [ServerUser], switched to with SysProcAttr.Credential.
type osUser struct {
	name string
	uid  int
	gid  int
	home string
	cred *syscall.Credential // nil: run as the current user
}

var (
	runAsOnce sync.Once
	runAsUser osUser
	runAsErr  error
)

// serverUser returns the user that runs servers, creating [ServerUser] when
// running as root and it is missing.
func serverUser() (osUser, error) {
	runAsOnce.Do(func() { runAsUser, runAsErr = lookupServerUser() })
	return runAsUser, runAsErr
}

func lookupServerUser() (osUser, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return osUser{}, fmt.Errorf("look up current user: %w", err)
		}
		return osUser{name: u.Username, uid: os.Getuid(), gid: os.Getgid(), home: u.HomeDir}, nil
	}
	u, err := user.Lookup(ServerUser)
	if err != nil {
		var unknown user.UnknownUserError
		if !errors.As(err, &unknown) {
			return osUser{}, fmt.Errorf("look up OS user %s: %w", ServerUser, err)
		}
		out, cerr := exec.Command("useradd", "--system", "--user-group",
			"--home-dir", "/var/lib/postgresql", "--shell", "/bin/bash", ServerUser).CombinedOutput()
		if cerr != nil {
			return osUser{}, fmt.Errorf("create OS user %s (PostgreSQL refuses to run as root): useradd: %w: %s",
				ServerUser, cerr, bytes.TrimSpace(out))
		}
		if u, err = user.Lookup(ServerUser); err != nil {
			return osUser{}, fmt.Errorf("look up OS user %s after useradd: %w", ServerUser, err)
		}
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return osUser{}, fmt.Errorf("uid of %s: %w", ServerUser, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return osUser{}, fmt.Errorf("gid of %s: %w", ServerUser, err)
	}
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	if ids, err := u.GroupIds(); err == nil {
		for _, s := range ids {
			if g, err := strconv.Atoi(s); err == nil {
				cred.Groups = append(cred.Groups, uint32(g))
			}
		}
	}
	return osUser{name: u.Username, uid: uid, gid: gid, home: u.HomeDir, cred: cred}, nil
}

// chown gives path (not recursive) to the server user; a no-op when not root.
func (u osUser) chown(paths ...string) error {
	if u.cred == nil {
		return nil
	}
	for _, p := range paths {
		if err := os.Lchown(p, u.uid, u.gid); err != nil {
			return fmt.Errorf("chown %s to %s: %w", p, u.name, err)
		}
	}
	return nil
}

// chownTree gives every file under root to the server user.
func (u osUser) chownTree(root string) error {
	if u.cred == nil {
		return nil
	}
	return filepath.WalkDir(root, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return u.chown(p)
	})
}

// writeFile writes a file owned by the server user.
func (u osUser) writeFile(path string, data []byte, perm os.FileMode) error {
	if err := os.WriteFile(path, data, perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(path, perm); err != nil { // WriteFile keeps the mode of an existing file
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	return u.chown(path)
}

// mkdir creates dir (mode 0755 unless perm says otherwise) owned by the server user.
func (u osUser) mkdir(dir string, perm os.FileMode) error {
	if err := os.MkdirAll(dir, perm); err != nil {
		return fmt.Errorf("create directory %s: %w", dir, err)
	}
	if err := os.Chmod(dir, perm); err != nil {
		return fmt.Errorf("chmod %s: %w", dir, err)
	}
	return u.chown(dir)
}

// command builds a command that runs as the server user, in "/", with an
// environment free of PG* variables (a PGHOST or PGPORT of the caller must not
// redirect pg_ctl or pg_basebackup to another server).
func (u osUser) command(path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = "/" // the server user may not be able to enter the caller's cwd
	cmd.Env = u.env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
	return cmd
}

func (u osUser) env() []string {
	env := make([]string, 0, len(os.Environ())+4)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "PG"):
			continue
		case u.cred != nil && (k == "HOME" || k == "USER" || k == "LOGNAME"):
			continue
		}
		env = append(env, kv)
	}
	if u.cred != nil {
		env = append(env, "HOME="+u.home, "USER="+u.name, "LOGNAME="+u.name)
	}
	return env
}

// run runs a short command as the server user and returns its combined
// output; the error names the command and carries the output.
func (u osUser) run(path string, args ...string) ([]byte, error) {
	cmd := u.command(path, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w\n%s", filepath.Base(path), strings.Join(args, " "), err, tail(out, 30))
	}
	return out, nil
}

// checkAccess fails clearly when the server user cannot create files in dir
// (e.g. a TMPDIR below /root).
func (u osUser) checkAccess(dir string) error {
	if u.cred == nil {
		return nil
	}
	if out, err := u.command("/bin/sh", "-c", `test -d "$1" && test -w "$1" && test -x "$1"`, "sh", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("OS user %s cannot use %s (every parent directory must be traversable by it; set TMPDIR or Options.Dir elsewhere): %w %s",
			u.name, dir, err, bytes.TrimSpace(out))
	}
	return nil
}

// tail returns the last n lines of b.
func tail(b []byte, n int) string {
	b = bytes.TrimRight(b, "\n")
	i := len(b)
	for ; n > 0 && i > 0; n-- {
		j := bytes.LastIndexByte(b[:i], '\n')
		if j < 0 {
			i = 0
			break
		}
		i = j
	}
	if i > 0 {
		i++
	}
	return string(b[i:])
}

// tailFile returns the last n lines of a file, or a note why it cannot.
func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	return tail(b, n)
}
