package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/passcrypt"
	"github.com/pgpool-go/pgpool-go/pkg/pcp"
)

// pcppassFile is $PCPPASSFILE, else ~/.pcppass of the effective user (home
// from the password database, as libpcp's get_home_directory).
func pcppassFile() string {
	if env, ok := os.LookupEnv("PCPPASSFILE"); ok {
		return env
	}
	return filepath.Join(passcrypt.HomeDir(), ".pcppass")
}

// passwordFromFile looks the password up in the pcppass file, as libpcp's
// PasswordFromFile: lines "host:port:user:password", "*" matches anything,
// "\" escapes; the first match wins. The host key is the -h value, or
// "localhost" for the default socket directory. A file that is not a plain
// file or that group or others can access is ignored with a warning
// (printed always since 4.7).
func (x *invocation) passwordFromFile() (string, bool) {
	s := &x.set
	if s.user == "" {
		return "", false
	}
	host := s.host
	if host == "" || host == pcp.DefaultSocketDir {
		host = "localhost"
	}
	path := pcppassFile()
	st, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	if !st.Mode().IsRegular() {
		fmt.Fprintf(x.stderr, "WARNING: password file \"%s\" is not a plain file\n", path)
		return "", false
	}
	if st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(x.stderr, "WARNING: password file \"%s\" has group or world access; permissions should be u=rw (0600) or less\n", path)
		return "", false
	}
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	return lookupPcppass(f, host, strconv.Itoa(s.port), s.user)
}

func lookupPcppass(r io.Reader, host, port, user string) (string, bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for sc.Scan() {
		rest, ok := matchField(sc.Text(), host)
		if !ok {
			continue
		}
		if rest, ok = matchField(rest, port); !ok {
			continue
		}
		if rest, ok = matchField(rest, user); !ok {
			continue
		}
		// De-escape the password up to the next unescaped ':'.
		var b strings.Builder
		for i := 0; i < len(rest) && rest[i] != ':'; i++ {
			if rest[i] == '\\' && i+1 < len(rest) {
				i++
			}
			b.WriteByte(rest[i])
		}
		return b.String(), true
	}
	return "", false
}

// matchField is libpcp's pwdfMatchesString: "*:" matches anything, else
// the field must equal token (passcrypt.MatchField); it returns what
// follows the ':'.
func matchField(line, token string) (string, bool) {
	if strings.HasPrefix(line, "*:") {
		return line[2:], true
	}
	return passcrypt.MatchField(line, token)
}

// maxPasswordPrompt is simple_prompt's buffer: 100 bytes with the NUL.
const maxPasswordPrompt = 99

// prompt asks for the password as libpq's simple_prompt does: on the
// terminal (/dev/tty) with echo off when there is one, else "Password: " on
// stderr and a line from stdin.
func (x *invocation) prompt() string {
	const text = "Password: "
	if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		defer tty.Close()
		io.WriteString(tty, text)
		restore := noEcho(int(tty.Fd()))
		line := readLine(tty)
		restore()
		io.WriteString(tty, "\n")
		return line
	}
	io.WriteString(x.stderr, text)
	restore := func() {}
	if f, ok := x.stdin.(*os.File); ok {
		restore = noEcho(int(f.Fd()))
	}
	line := readLine(x.stdin)
	restore()
	// The typed newline was not echoed; simple_prompt writes one.
	io.WriteString(x.stderr, "\n")
	return line
}

// noEcho turns terminal echo off on fd, if it is a terminal, and returns
// the function that restores it.
func noEcho(fd int) func() {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return func() {}
	}
	t := *old
	t.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return func() {}
	}
	return func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) }
}

// readLine reads one line byte by byte (so that nothing after it is
// consumed), keeping at most maxPasswordPrompt bytes.
func readLine(r io.Reader) string {
	var b []byte
	var c [1]byte
	for {
		n, err := r.Read(c[:])
		if n == 0 {
			if err != nil {
				break
			}
			continue
		}
		if c[0] == '\n' {
			break
		}
		if len(b) < maxPasswordPrompt {
			b = append(b, c[0])
		}
	}
	return string(b)
}
