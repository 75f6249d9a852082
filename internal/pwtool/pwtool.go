package pwtool

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/internal/getopt"
	"github.com/pgpool-go/pgpool-go/pkg/passcrypt"
)

// ExitCode ends a tool after its message was printed.
type ExitCode int

func (e ExitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// Run parses argv with Pgpool's getopt rules and runs action; it returns
// the process exit code. On an option error the tools behave like
// Pgpool's: glibc's complaint, then usage on stdout, and success.
func Run(argv []string, options []getopt.Option, stdout, stderr io.Writer, usage func(io.Writer), action func(*getopt.Result) error) int {
	parsed, err := getopt.Parse(argv[0], argv[1:], options)
	if err != nil {
		fmt.Fprintln(stderr, err)
		usage(stdout)
		return 0
	}
	var flags []cli.Flag
	for _, o := range options {
		if o.HasArg {
			flags = append(flags, &cli.StringFlag{Name: o.Long, Aliases: []string{string(o.Short)}})
		} else {
			flags = append(flags, &cli.BoolFlag{Name: o.Long, Aliases: []string{string(o.Short)}})
		}
	}
	// Options are Pgpool's; urfave/cli must not treat -h/--help as its own.
	cli.HelpFlag = nil
	app := &cli.App{
		Name: argv[0], HideHelp: true, HideVersion: true, Flags: flags,
		Writer: stdout, ErrWriter: stderr, ExitErrHandler: func(*cli.Context, error) {},
		Action: func(*cli.Context) error { return action(parsed) },
	}
	if err := app.Run(append([]string{argv[0]}, parsed.Normalized()...)); err != nil {
		var code ExitCode
		if errors.As(err, &code) {
			return int(code)
		}
		fmt.Fprintf(stderr, "%s: %v\n", argv[0], err)
		return 1
	}
	return 0
}

// UpdatePoolPasswd writes name's entry, made by entry, into the
// pool_passwd file that the configuration file conf names; an empty name
// is the OS user. Failures are printed to stderr in Pgpool's words.
func UpdatePoolPasswd(stderr io.Writer, conf, name string, entry func(name string) string) error {
	path, err := passcrypt.PoolPasswdFile(conf)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "WARNING: pid %d: could not open configuration file: \"%s\"\n", os.Getpid(), conf)
		} else {
			fmt.Fprintf(stderr, "WARNING: pid %d: %v\n", os.Getpid(), err)
		}
		fmt.Fprint(stderr, "Unable to get configuration. Exiting...\n\n")
		return ExitCode(1)
	}
	if name == "" {
		u, err := user.LookupId(fmt.Sprint(os.Getuid()))
		if err != nil {
			fmt.Fprint(stderr, "getpwuid() failed\n\n")
			return ExitCode(1)
		}
		name = u.Username
	}
	if err := passcrypt.UpdatePoolPasswd(path, name, entry(name)); err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return ExitCode(1)
	}
	return nil
}

// Strerror renders an OS error like C's %m.
func Strerror(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}

// ReadLine reads up to and including a newline, at most n bytes, one byte
// at a time so that input after the line stays for the next prompt (C's
// fgets on stdin keeps it in the stdio buffer).
func ReadLine(r io.Reader, n int) (string, error) {
	var b []byte
	var c [1]byte
	for len(b) < n {
		k, err := r.Read(c[:])
		if k == 1 {
			b = append(b, c[0])
			if c[0] == '\n' {
				break
			}
			continue
		}
		if err != nil {
			return string(b), err
		}
	}
	return string(b), nil
}
