package spawn

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Role is what a re-executed process does.
type Role string

const (
	RoleChild    Role = "child"     // a session child (Pgpool's PT_CHILD)
	RoleHealth   Role = "health"    // health check of one node
	RoleSRWorker Role = "sr-worker" // replication delay and primary check
	RolePCP      Role = "pcp"       // PCP listener
)

// Fixed descriptor slots of an inherited process.
const (
	FDLife   = 3
	FDReady  = 4
	FDShm    = 5
	FDListen = 6 // first listening socket
)

// Environment variables of an inherited process.
const (
	EnvRole   = "PGPOOLGO_ROLE"
	EnvSlot   = "PGPOOLGO_SLOT"   // child slot or node id
	EnvFDs    = "PGPOOLGO_FDS"    // comma-separated names of fds 3…
	EnvConfig = "PGPOOLGO_CONFIG" // the config snapshot to load
	EnvPCP    = "PGPOOLGO_PCPCONF"
	EnvHBA    = "PGPOOLGO_HBA"
	EnvLog    = "PGPOOLGO_LOGFORMAT"
	EnvKey    = "PGPOOLGO_KEYFILE"
)

// Env is what an inherited process received from the supervisor.
type Env struct {
	Role      Role
	Slot      int
	Config    string
	PCPConf   string
	HBA       string
	KeyFile   string
	JSONLog   bool
	Shm       *os.File
	Listeners []*os.File // listening sockets, in slot order
	Names     []string   // names of Listeners (e.g. "tcp:127.0.0.1:9999")
	life      *os.File
	ready     *os.File
}

// ErrNotInherited means the process was not started by a supervisor.
var ErrNotInherited = errors.New("spawn: not started by pgpoold (no " + EnvRole + ")")

// Inherited reads the environment and descriptors the supervisor passed,
// checking that each descriptor is what its name says.
func Inherited() (*Env, error) {
	role := os.Getenv(EnvRole)
	if role == "" {
		return nil, ErrNotInherited
	}
	e := &Env{
		Role: Role(role), Config: os.Getenv(EnvConfig), PCPConf: os.Getenv(EnvPCP),
		HBA: os.Getenv(EnvHBA), KeyFile: os.Getenv(EnvKey), JSONLog: os.Getenv(EnvLog) == "json",
	}
	if s := os.Getenv(EnvSlot); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("spawn: bad %s=%q", EnvSlot, s)
		}
		e.Slot = n
	}
	names := strings.Split(os.Getenv(EnvFDs), ",")
	if len(names) < 3 || names[0] != "life" || names[1] != "ready" || names[2] != "shm" {
		return nil, fmt.Errorf("spawn: %s=%q does not start with life,ready,shm", EnvFDs, os.Getenv(EnvFDs))
	}
	var err error
	if e.life, err = inheritFile(FDLife, "life", unix.S_IFIFO); err != nil {
		return nil, err
	}
	if e.ready, err = inheritFile(FDReady, "ready", unix.S_IFIFO); err != nil {
		return nil, err
	}
	if e.Shm, err = inheritFile(FDShm, "shm", unix.S_IFREG); err != nil {
		return nil, err
	}
	for i, name := range names[3:] {
		f, err := inheritFile(FDListen+i, name, unix.S_IFSOCK)
		if err != nil {
			return nil, err
		}
		e.Listeners = append(e.Listeners, f)
		e.Names = append(e.Names, name)
	}
	// Descriptors beyond the named ones were not meant for us.
	return e, nil
}

func inheritFile(fd int, name string, kind uint32) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("spawn: inherited fd %d (%s): %w", fd, name, err)
	}
	if st.Mode&unix.S_IFMT != kind {
		return nil, fmt.Errorf("spawn: inherited fd %d (%s) has mode %o, want %o", fd, name, st.Mode&unix.S_IFMT, kind)
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), name), nil
}

// Standalone reports a worker started by hand rather than by a supervisor.
func (e *Env) Standalone() bool { return e.life == nil }

// Ready tells the supervisor this process can serve. It is called once.
func (e *Env) Ready() error {
	if e.ready == nil {
		return nil
	}
	_, err := e.ready.Write([]byte{1})
	e.ready.Close()
	e.ready = nil
	if err != nil {
		return fmt.Errorf("spawn: report readiness: %w", err)
	}
	return nil
}

// WatchParent calls onDeath (in its own goroutine) when the supervisor is
// gone: the life pipe's write end is held only by the supervisor, so EOF
// on it is the supervisor's death, however it died. Pdeathsig alone is not
// enough because it fires when the forking OS thread exits, which Go may
// do at any time. A standalone worker has no life pipe and is not watched.
func (e *Env) WatchParent(onDeath func()) {
	life := e.life
	if life == nil {
		return
	}
	go func() {
		var b [1]byte
		for {
			_, err := life.Read(b[:])
			if err != nil {
				onDeath()
				return
			}
		}
	}()
}

// SupervisorGone reports whether the supervisor that started us is gone,
// by our parent pid (a cheap check for loops that do not poll LifeFD).
func SupervisorGone(supervisorPid int) bool { return os.Getppid() != supervisorPid }

// Exit codes of inherited processes, as Pgpool's (reference §1.5).
const (
	ExitNoRestart = 0 // not re-spawned
	ExitRestart   = 1 // re-spawned
	ExitFatal     = 3 // the supervisor shuts the pool down
)

// Signal sends sig to pid, ignoring a process that is already gone.
func Signal(pid int, sig syscall.Signal) error {
	if pid <= 0 {
		return nil
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// Standalone builds the Env of a worker started by hand to join the pool
// of a running supervisor (cmd/pgpool-child, cmd/sr-worker): no life or
// ready pipe, the supervisor's configuration snapshot, its segment, and
// sockets the caller bound itself (SO_REUSEPORT).
func Standalone(role Role, slot int, config string, shmFile *os.File, listeners []*os.File) *Env {
	e := &Env{Role: role, Slot: slot, Config: config, Shm: shmFile, Listeners: listeners}
	for _, l := range listeners {
		e.Names = append(e.Names, l.Name())
	}
	return e
}
