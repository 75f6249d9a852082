package passcrypt

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
)

const (
	// KeyFileEnv names the environment variable that overrides the default
	// key file (POOLKEYFILEENV).
	KeyFileEnv = "PGPOOLKEYFILE"
	// KeyFileName is the key file in the home directory (POOLKEYFILE).
	KeyFileName = ".pgpoolkey"
	// maxKeyLength: Pgpool reads the key with fgets into a 256-byte buffer
	// (MAX_POOL_KEY_LEN), so a key has at most 255 bytes.
	maxKeyLength = 255
)

// ErrNoKeyFile is returned by ReadKeyFile when the file does not exist or
// holds no line.
var ErrNoKeyFile = errors.New("passcrypt: encryption key not provided")

// KeyFile is a pgpool key file as ReadKeyFile found it.
type KeyFile struct {
	Path string
	Key  string
	// Insecure is set when group or others have access. Pgpool warns and uses
	// the key anyway; so do we, and the caller prints the warning.
	Insecure bool
}

// InsecureWarning is Pgpool's warning text for an insecure key file.
func (k KeyFile) InsecureWarning() string {
	return fmt.Sprintf("pool key file \"%s\" has group or world access; permissions should be u=rw (0600) or less", k.Path)
}

// NotPlainFileError is returned for a key file path that is not a regular file.
type NotPlainFileError struct{ Path string }

func (e *NotPlainFileError) Error() string {
	return fmt.Sprintf("pool key file \"%s\" is not a plain file", e.Path)
}

// KeyFilePath returns the key file to use, in pgpool's and pg_enc's order: the
// path given on the command line (-k) when not empty, else $PGPOOLKEYFILE,
// else ~/.pgpoolkey of the effective user (home directory from the password
// database, as Pgpool's get_home_directory; $HOME only if that fails).
func KeyFilePath(flag string) string {
	if flag != "" {
		return flag
	}
	if env, ok := os.LookupEnv(KeyFileEnv); ok {
		return env
	}
	return filepath.Join(HomeDir(), KeyFileName)
}

// HomeDir is the effective user's home directory as Pgpool finds it: from
// the password database, falling back to $HOME.
func HomeDir() string {
	if u, err := user.Current(); err == nil && u.HomeDir != "" {
		return u.HomeDir
	}
	home, _ := os.UserHomeDir()
	return home
}

// ReadKeyFile reads a pgpool key file as Pgpool's read_pool_key does: the
// file is opened before it is checked (no swap race), must be a regular file,
// and its first line, without the trailing newline and cut at 255 bytes, is
// the key. A missing or empty file is ErrNoKeyFile.
func ReadKeyFile(path string) (KeyFile, error) {
	kf := KeyFile{Path: path}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return kf, fmt.Errorf("%w: %s does not exist", ErrNoKeyFile, path)
		}
		return kf, fmt.Errorf("passcrypt: open key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return kf, fmt.Errorf("passcrypt: stat key file %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return kf, &NotPlainFileError{Path: path}
	}
	kf.Insecure = st.Mode().Perm()&0o077 != 0
	line, err := bufio.NewReader(io.LimitReader(f, maxKeyLength)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return kf, fmt.Errorf("passcrypt: read key file %s: %w", path, err)
	}
	if line == "" {
		return kf, fmt.Errorf("%w: %s is empty", ErrNoKeyFile, path)
	}
	if line[len(line)-1] == '\n' {
		line = line[:len(line)-1]
	}
	kf.Key = line
	return kf, nil
}
