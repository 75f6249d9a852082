// Command pg_md5 is Pgpool-II's pg_md5: it prints the md5 hex of a password
// for pcp.conf, or with -m writes a user's md5 entry into pool_passwd
// (reference/pgpool-pcp-recovery-setup.md §2.3). Options, texts and exit
// codes are Pgpool-II's (src/tools/pgmd5/pg_md5.c).
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/internal/getopt"
	"github.com/pgpool-go/pgpool-go/internal/pwtool"
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

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	t := &tool{prog: argv[0], stdin: stdin, stdout: stdout, stderr: stderr, conf: config.DefaultFile()}
	return pwtool.Run(argv, options, stdout, stderr, t.usage, t.main)
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
				return pwtool.ExitCode(1)
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
			return pwtool.ExitCode(1)
		}
		password = parsed.Operands[0]
		if len(password) > passcrypt.MaxInputLength {
			fmt.Fprint(t.stderr, "Error: Input exceeds maximum password length!\n\n")
			t.usage(t.stderr)
			return pwtool.ExitCode(1)
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
		return "", pwtool.ExitCode(1)
	}
	raw := *old
	raw.Iflag &^= unix.BRKINT | unix.ISTRIP | unix.IXON
	raw.Lflag &^= unix.ICANON | unix.IEXTEN | unix.ECHO | unix.ECHOE | unix.ECHOK | unix.ECHONL
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	fmt.Fprint(t.stdout, "password: ")
	unix.IoctlSetTermios(0, unix.TCSETS, &raw)
	line, err := pwtool.ReadLine(t.stdin, passcrypt.MaxInputLength)
	unix.IoctlSetTermios(0, unix.TCSETS, old)
	fmt.Fprint(t.stdout, "\n")
	if err != nil && line == "" {
		fmt.Fprintf(t.stderr, "Couldn't read input from stdin. (fgets(): %v)", err)
		return "", pwtool.ExitCode(1)
	}
	return strings.TrimSuffix(line, "\n"), nil
}

// processInputFile handles -i: "user:password" per line.
func (t *tool) processInputFile() error {
	fmt.Fprintf(t.stdout, "trying to read username:password pairs from file %s\n", t.inputFile)
	f, err := os.Open(t.inputFile)
	if err != nil {
		fmt.Fprintf(t.stderr, "failed to open input_file \"%s\" (%s)\n\n", t.inputFile, pwtool.Strerror(err))
		return pwtool.ExitCode(1)
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
		fmt.Fprintf(t.stderr, "failed to read input_file \"%s\" (%s)\n\n", t.inputFile, pwtool.Strerror(err))
		return pwtool.ExitCode(1)
	}
	return nil
}

// updatePoolPasswd writes user's md5 entry into the pool_passwd of the
// configuration; an empty user is the OS user.
func (t *tool) updatePoolPasswd(name, password string) error {
	return pwtool.UpdatePoolPasswd(t.stderr, t.conf, name, func(name string) string { return passcrypt.PoolPasswdMD5(name, password) })
}
