package spawn

import (
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TitleRoom is the size of the argv[0] area the supervisor gives a worker,
// so the worker can rewrite its title in place (as Pgpool and PostgreSQL
// do) without the kernel's arg area growing.
const TitleRoom = 96

// Argv0 is the argv[0] a worker starts with: its initial title padded to
// TitleRoom bytes.
func Argv0(title string) string {
	if len(title) >= TitleRoom {
		return title[:TitleRoom]
	}
	return title + strings.Repeat(" ", TitleRoom-len(title))
}

// SetTitle rewrites the process title shown by ps (the args column) and
// the short name (comm) to "pgpool". Operators grep ps for Pgpool's titles,
// e.g. "pgpool: wait for connection request". Go keeps os.Args[0] pointing
// at the original argv memory, which is what /proc/self/cmdline reads.
func SetTitle(title string) {
	if len(os.Args) == 0 {
		return
	}
	a0 := os.Args[0]
	if len(a0) < TitleRoom/2 {
		return // not started with room for titles: leave argv alone
	}
	mem := unsafe.Slice(unsafe.StringData(a0), len(a0))
	n := copy(mem, title)
	for i := n; i < len(mem); i++ {
		mem[i] = ' '
	}
}

// SetName sets the short process name (comm, 15 bytes) shown by ps -e,
// top and perf; workers are re-executed from /proc/self/exe, whose name is
// "exe". Every thread that exists gets the name (PR_SET_NAME names only
// the calling thread); threads the runtime starts later inherit it from
// the thread that creates them.
func SetName(name string) {
	b := append([]byte(name), 0)
	unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&b[0])), 0, 0, 0)
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, t := range tasks {
		os.WriteFile("/proc/self/task/"+t.Name()+"/comm", []byte(name), 0)
	}
}
