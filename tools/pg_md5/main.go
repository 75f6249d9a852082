// Command pg_md5 is Pgpool-II's pg_md5: it prints the md5 hex of a password
// for pcp.conf, or with -m writes a user's md5 entry into pool_passwd
// (reference/pgpool-pcp-recovery-setup.md §2.3). Options, texts and exit
// codes are Pgpool-II's (src/tools/pgmd5/pg_md5.c).
package main

import (
	"bufio"
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
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/passcrypt"
)

var options = []getopt.Option{
	{Short: 'h', Long: "help"},
	{Short: 'p', Long: "prompt"},
	{Short: 'm', Long: "md5auth"},
	{Short: 'u', Long: "username", HasArg: true},
	{Short: 'f', Long: "config-file", HasArg: true},
	{Short: 'i', Long: "input-file", HasArg: true},
}

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

type tool struct {
	prog          string
	stdin         io.Reader
	stdout        io.Writer
	stderr        io.Writer
	conf          string
	username      string
	prompt        bool
	md5auth       bool
	inputFile     string
	useInputFile  bool
	operands      []string
	configChecked bool
}

// exitCode ends the tool after its message was printed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	t := &tool{prog: argv[0], stdin: stdin, stdout: stdout, stderr: stderr, conf: config.DefaultFile()}
	parsed, err := getopt.Parse(argv[0], argv[1:], options)
	if err != nil {
		// glibc complains, then pg_md5 prints its usage and succeeds.
		fmt.Fprintln(stderr, err)
		t.usage(stdout)
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
		Name: "pg_md5", HideHelp: true, HideVersion: true, Flags: flags,
		Writer: stdout, ErrWriter: stderr, ExitErrHandler: func(*cli.Context, error) {},
		Action: func(*cli.Context) error { return t.main(parsed) },
	}
	if err := app.Run(append([]string{argv[0]}, parsed.Normalized()...)); err != nil {
		if code, ok := err.(exitCode); ok {
			return int(code)
		}
		fmt.Fprintf(stderr, "%s: %v\n", argv[0], err)
		return 1
	}
	return 0
}

func (t *tool) usage(w io.Writer) {
	fmt.Fprintf(w, `Usage:

  %s [OPTIONS]
  %s <PASSWORD>

  --prompt, -p         Prompt password using standard input.
  --md5auth, -m        Produce md5 authentication password.
  --username, -u USER  When producing a md5 authentication password,
                       create the pool_passwd entry for USER.
  --config-file, -f CONFIG-FILE  Specify pgpool.conf.
  --input-file, -i INPUT-FILE  Specify file containing username and password pairs.
  --help, -h           This help menu.

Warning: At most %d characters are allowed for input.
Warning: Plain password argument is deprecated for security concerns
         and kept for compatibility. Please prefer using password
         prompt or input file method.
`, t.prog, t.prog, passcrypt.MaxInputLength)
}

func (t *tool) main(parsed *getopt.Result) error {
	for _, o := range parsed.Opts {
		switch o.Short {
		case 'h':
			t.usage(t.stdout)
			return nil
		case 'p':
			t.prompt = true
		case 'm':
			t.md5auth = true
		case 'f':
			t.conf = o.Value
		case 'i':
			t.inputFile, t.useInputFile = o.Value, true
		case 'u':
			if len(o.Value) > passcrypt.MaxInputLength {
				fmt.Fprint(t.stderr, "Error: input exceeds maximum username length!\n\n")
				return exitCode(1)
			}
			t.username = o.Value
		}
	}
	if t.useInputFile {
		return t.processInputFile()
	}
	var password string
	if t.prompt {
		pw, err := t.readPassword()
		if err != nil {
			return err
		}
		password = pw
	} else {
		if len(parsed.Operands) == 0 {
			t.usage(t.stderr)
			return exitCode(1)
		}
		password = parsed.Operands[0]
		if len(password) > passcrypt.MaxInputLength {
			fmt.Fprint(t.stderr, "Error: Input exceeds maximum password length!\n\n")
			t.usage(t.stderr)
			return exitCode(1)
		}
	}
	if t.md5auth {
		return t.updatePoolPasswd(t.username, password)
	}
	fmt.Fprintf(t.stdout, "%s\n", passcrypt.MD5Hex(password))
	return nil
}

// readPassword prompts on the terminal with echo off, as pg_md5 -p: the
// input must be a terminal.
func (t *tool) readPassword() (string, error) {
	old, err := unix.IoctlGetTermios(0, unix.TCGETS)
	if err != nil {
		fmt.Fprint(t.stderr, "stdin is not tty\n")
		return "", exitCode(1)
	}
	raw := *old
	raw.Iflag &^= unix.BRKINT | unix.ISTRIP | unix.IXON
	raw.Lflag &^= unix.ICANON | unix.IEXTEN | unix.ECHO | unix.ECHOE | unix.ECHOK | unix.ECHONL
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	fmt.Fprint(t.stdout, "password: ")
	unix.IoctlSetTermios(0, unix.TCSETS, &raw)
	line, err := readLine(t.stdin, passcrypt.MaxInputLength)
	unix.IoctlSetTermios(0, unix.TCSETS, old)
	fmt.Fprint(t.stdout, "\n")
	if err != nil && line == "" {
		fmt.Fprintf(t.stderr, "Couldn't read input from stdin. (fgets(): %v)", err)
		return "", exitCode(1)
	}
	return strings.TrimSuffix(line, "\n"), nil
}

// processInputFile handles -i: "user:password" per line.
func (t *tool) processInputFile() error {
	fmt.Fprintf(t.stdout, "trying to read username:password pairs from file %s\n", t.inputFile)
	f, err := os.Open(t.inputFile)
	if err != nil {
		fmt.Fprintf(t.stderr, "failed to open input_file \"%s\" (%s)\n\n", t.inputFile, strerror(err))
		return exitCode(1)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		fmt.Fprintf(t.stdout, "LINE#%02d: ", n)
		if line == "" {
			fmt.Fprint(t.stdout, "BLANK LINE\n")
			continue
		}
		user, password, ok := strings.Cut(line, ":")
		if !ok || password == "" {
			fmt.Fprint(t.stdout, "Invalid username:password pair\n")
			continue
		}
		if len(user) > passcrypt.MaxInputLength {
			fmt.Fprintf(t.stdout, "input exceeds maximum username length %d\n\n", passcrypt.MaxInputLength)
			continue
		}
		if len(password) > passcrypt.MaxInputLength {
			fmt.Fprintf(t.stdout, "input exceeds maximum password length %d\n", passcrypt.MaxInputLength)
			continue
		}
		fmt.Fprintf(t.stdout, "USER: <%s>\n", user)
		if t.md5auth {
			if err := t.updatePoolPasswd(user, password); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(t.stdout, "%s\n", passcrypt.MD5Hex(password))
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(t.stderr, "failed to read input_file \"%s\" (%s)\n\n", t.inputFile, strerror(err))
		return exitCode(1)
	}
	return nil
}

// updatePoolPasswd writes user's md5 entry into the pool_passwd of the
// configuration; an empty user is the OS user.
func (t *tool) updatePoolPasswd(name, password string) error {
	path, err := passcrypt.PoolPasswdFile(t.conf)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(t.stderr, "WARNING: pid %d: could not open configuration file: \"%s\"\n", os.Getpid(), t.conf)
		} else {
			fmt.Fprintf(t.stderr, "WARNING: pid %d: %v\n", os.Getpid(), err)
		}
		fmt.Fprint(t.stderr, "Unable to get configuration. Exiting...\n\n")
		return exitCode(1)
	}
	if name == "" {
		u, err := user.LookupId(fmt.Sprint(os.Getuid()))
		if err != nil {
			fmt.Fprint(t.stderr, "getpwuid() failed\n\n")
			return exitCode(1)
		}
		name = u.Username
	}
	if err := passcrypt.UpdatePoolPasswd(path, name, passcrypt.PoolPasswdMD5(name, password)); err != nil {
		fmt.Fprintf(t.stderr, "ERROR: %v\n", err)
		return exitCode(1)
	}
	return nil
}

// strerror renders an OS error like C's %m.
func strerror(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}

// readLine reads up to and including a newline, at most n bytes, one byte at
// a time so that input after the line stays for the next prompt (C's fgets on
// stdin keeps it in the stdio buffer).
func readLine(r io.Reader, n int) (string, error) {
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
