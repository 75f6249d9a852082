// Command pg_enc is Pgpool-II's pg_enc: it encrypts a database password with
// the pgpool key (AES-256) for pool_passwd or password parameters, and with
// -m writes the user's entry into pool_passwd (reference §2.4). Options,
// texts and exit codes are Pgpool-II's (src/tools/pgenc/pg_enc.c); the
// cipher is passcrypt's, the same as Pgpool's.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/internal/getopt"
	"github.com/pgpool-go/pgpool-go/internal/pwtool"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/passcrypt"
	"github.com/pgpool-go/pgpool-go/pkg/version"
)

// maxPromptPassword is what pg_enc's prompt keeps: fgets into a
// MAX_PGPASS_LEN (128) buffer.
const maxPromptPassword = passcrypt.MaxInputLength - 1

// maxKeyLength is the longest key pg_enc takes from -K or the prompt
// (MAX_POOL_KEY_LEN).
const maxKeyLength = 256

var options = []getopt.Option{
	{Short: 'h', Long: "help"},
	{Short: 'p', Long: "prompt"},
	{Short: 'P', Long: "prompt-for-key"},
	{Short: 'm', Long: "update-pass"},
	{Short: 'u', Long: "username", HasArg: true},
	{Short: 'K', Long: "enc-key", HasArg: true},
	{Short: 'k', Long: "key-file", HasArg: true},
	{Short: 'f', Long: "config-file", HasArg: true},
	{Short: 'i', Long: "input-file", HasArg: true},
}

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

type tool struct {
	prog         string
	stdin        io.Reader
	stdout       io.Writer
	stderr       io.Writer
	conf         string
	username     string
	encKey       string
	keyFile      string
	prompt       bool
	promptForKey bool
	updatePass   bool
	inputFile    string
	useInputFile bool
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	t := &tool{prog: argv[0], stdin: stdin, stdout: stdout, stderr: stderr, conf: config.DefaultFile()}
	return pwtool.Run(argv, options, stdout, stderr, t.usage, t.main)
}

func (t *tool) usage(w io.Writer) {
	home := passcrypt.HomeDir()
	if home == "" {
		home = "USER-HOME-DIR"
	}
	fmt.Fprintf(w, "%s version %s (%s),\n", "pgpool-II", version.Pgpool, version.Codename)
	fmt.Fprint(w, "  password encryption utility for Pgpool\n\n")
	fmt.Fprint(w, "Usage:\n")
	fmt.Fprintf(w, "  %s [OPTIONS] <PASSWORD>\n", t.prog)
	fmt.Fprint(w, "  -k, --key-file=KEY_FILE\n")
	fmt.Fprint(w, "                       Set the path to the encryption key file.\n")
	fmt.Fprintf(w, "                       Default: %s/%s\n", home, passcrypt.KeyFileName)
	fmt.Fprintf(w, "                       Can be overridden by the %s environment variable.\n", passcrypt.KeyFileEnv)
	fmt.Fprint(w, "  -K, --enc-key=ENCRYPTION_KEY\n")
	fmt.Fprint(w, "                       Encryption key to be used for encrypting database passwords.\n")
	fmt.Fprint(w, "  -f, --config-file=CONFIG_FILE\n")
	fmt.Fprint(w, "                       Specifies the pgpool.conf file.\n")
	fmt.Fprint(w, "  -i, --input-file=INPUT-FILE\n")
	fmt.Fprint(w, "                       Specify file containing username and password pairs.\n")
	fmt.Fprint(w, "  -p, --prompt         Prompt for database password using standard input.\n")
	fmt.Fprint(w, "  -P, --prompt-for-key Prompt for encryption key using standard input.\n")
	fmt.Fprint(w, "  -m, --update-pass    Create encrypted password entry in the pool_passwd file.\n")
	fmt.Fprint(w, "  -u, --username       The username for the pool_password entry.\n")
	fmt.Fprint(w, "  -h, --help           Print this help.\n\n")
}

func (t *tool) main(parsed *getopt.Result) error {
	for _, o := range parsed.Opts {
		switch o.Short {
		case 'h':
			t.usage(t.stdout)
			return nil
		case 'p':
			t.prompt = true
		case 'P':
			t.promptForKey = true
		case 'm':
			t.updatePass = true
		case 'f':
			t.conf = o.Value
		case 'i':
			t.inputFile, t.useInputFile = o.Value, true
		case 'k':
			t.keyFile = o.Value
		case 'K':
			t.encKey = truncate(o.Value, maxKeyLength)
		case 'u':
			if len(o.Value) > passcrypt.MaxInputLength+1 {
				fmt.Fprint(t.stderr, "Error: input exceeds maximum username length!\n\n")
				return pwtool.ExitCode(1)
			}
			t.username = truncate(o.Value, passcrypt.MaxInputLength)
		}
	}

	var password string
	if !t.useInputFile {
		if t.prompt || len(parsed.Operands) == 0 {
			pw, err := t.readTTY("db password: ", maxPromptPassword)
			if err != nil {
				return err
			}
			password = pw
		} else {
			password = parsed.Operands[0]
			if len(password) > passcrypt.MaxInputLength {
				fmt.Fprintf(t.stderr, "Error: Input exceeds maximum password length given:%d max allowed:%d!\n\n", len(password), passcrypt.MaxInputLength)
				t.usage(t.stderr)
				return pwtool.ExitCode(1)
			}
		}
	}

	key, err := t.key()
	if err != nil {
		return err
	}
	if t.useInputFile {
		return t.processInputFile(key)
	}
	if t.updatePass {
		return t.updatePoolPasswd(t.username, password, key)
	}
	t.printEncrypted(password, key)
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// key resolves the encryption key: -P, else -K, else the key file (-k,
// $PGPOOLKEYFILE, ~/.pgpoolkey).
func (t *tool) key() (string, error) {
	if t.promptForKey {
		key, err := t.readTTY("encryption key: ", maxKeyLength-1)
		if err != nil {
			return "", err
		}
		if key == "" {
			fmt.Fprint(t.stderr, "encryption key not provided\n")
			return "", pwtool.ExitCode(1)
		}
		return key, nil
	}
	if t.encKey != "" {
		return t.encKey, nil
	}
	path := passcrypt.KeyFilePath(t.keyFile)
	fmt.Fprintf(t.stdout, "trying to read key from file %s\n", path)
	kf, err := passcrypt.ReadKeyFile(path)
	var npf *passcrypt.NotPlainFileError
	switch {
	case errors.As(err, &npf):
		t.warn(npf.Error())
	case err == nil && kf.Insecure:
		t.warn(kf.InsecureWarning())
	}
	if err != nil {
		fmt.Fprint(t.stderr, "encryption key not provided\n")
		return "", pwtool.ExitCode(1)
	}
	return kf.Key, nil
}

// warn prints a warning as Pgpool's frontend ereport does (its message ends
// in a newline of its own, hence the blank line).
func (t *tool) warn(msg string) {
	fmt.Fprintf(t.stderr, "WARNING: pid %d: %s\n\n", os.Getpid(), msg)
}

// readTTY prompts on stdout and reads a line from the terminal on stdin with
// echo off; stdin must be a terminal.
func (t *tool) readTTY(prompt string, max int) (string, error) {
	old, err := unix.IoctlGetTermios(0, unix.TCGETS)
	if err != nil {
		fmt.Fprint(t.stderr, "stdin is not tty\n")
		return "", pwtool.ExitCode(1)
	}
	raw := *old
	raw.Iflag &^= unix.BRKINT | unix.ISTRIP | unix.IXON
	raw.Lflag &^= unix.ICANON | unix.IEXTEN | unix.ECHO | unix.ECHOE | unix.ECHOK | unix.ECHONL
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	fmt.Fprint(t.stdout, prompt)
	unix.IoctlSetTermios(0, unix.TCSETS, &raw)
	line, err := pwtool.ReadLine(t.stdin, max)
	unix.IoctlSetTermios(0, unix.TCSETS, old)
	fmt.Fprint(t.stdout, "\n")
	if err != nil && line == "" {
		fmt.Fprintf(t.stderr, "Couldn't read input from stdin. (fgets(): %v)", err)
		return "", pwtool.ExitCode(1)
	}
	return strings.TrimSuffix(line, "\n"), nil
}

func (t *tool) printEncrypted(password, key string) {
	entry := passcrypt.EncryptAES(password, key)
	b64 := strings.TrimPrefix(entry, passcrypt.PrefixAES)
	fmt.Fprintf(t.stdout, "\n%s\n", b64)
	fmt.Fprintf(t.stdout, "pool_passwd string: %s\n", entry)
}

// processInputFile handles -i: "user:password" per line; problems are
// reported per line on stderr.
func (t *tool) processInputFile(key string) error {
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
		if line == "" {
			continue
		}
		user, password, ok := strings.Cut(line, ":")
		if !ok || password == "" {
			fmt.Fprintf(t.stderr, "LINE#%02d: invalid username:password pair\n", n)
			continue
		}
		if len(user) > passcrypt.MaxInputLength {
			fmt.Fprintf(t.stderr, "LINE#%02d: input exceeds maximum username length %d\n", n, passcrypt.MaxInputLength)
			continue
		}
		if len(password) > passcrypt.MaxInputLength {
			fmt.Fprintf(t.stderr, "LINE#%02d: input exceeds maximum password length %d\n", n, passcrypt.MaxInputLength)
			continue
		}
		if t.updatePass {
			if err := t.updatePoolPasswd(user, password, key); err != nil {
				return err
			}
		} else {
			t.printEncrypted(password, key)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(t.stderr, "failed to read input_file \"%s\" (%s)\n\n", t.inputFile, pwtool.Strerror(err))
		return pwtool.ExitCode(1)
	}
	return nil
}

// updatePoolPasswd writes user's AES entry into the pool_passwd of the
// configuration; an empty user is the OS user.
func (t *tool) updatePoolPasswd(name, password, key string) error {
	return pwtool.UpdatePoolPasswd(t.stderr, t.conf, name, func(name string) string { return passcrypt.EncryptAES(password, key) })
}
