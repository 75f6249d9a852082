package passcrypt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultPoolPasswd is the pool_passwd parameter's default.
const DefaultPoolPasswd = "pool_passwd"

// ErrPoolPasswdDisabled is returned by PoolPasswdFile when pgpool.conf sets
// pool_passwd to the empty string, which turns the file off.
var ErrPoolPasswdDisabled = errors.New("passcrypt: pool_passwd is disabled (set to '') in the configuration")

// ConfigError reports a pgpool.conf that cannot be used to find pool_passwd.
type ConfigError struct {
	Path string
	Err  error
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("passcrypt: read configuration %s: %v", e.Path, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// PoolPasswdFile returns the pool_passwd file that pgpool reads with
// configuration file conf: the pool_passwd parameter (default "pool_passwd"),
// relative to conf's directory unless absolute (reference §2.3).
//
// Only this one parameter is read, with pgpool.conf's syntax (name [=]
// value, single-quoted values with ” or \' for a quote, # comments, the
// last setting wins); validating the whole file is pkg/config's business.
func PoolPasswdFile(conf string) (string, error) {
	data, err := os.ReadFile(conf)
	if err != nil {
		return "", &ConfigError{Path: conf, Err: err}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		// Pgpool's parser fails on a file without any setting.
		return "", &ConfigError{Path: conf, Err: errors.New("the file has no settings")}
	}
	value := DefaultPoolPasswd
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		name, v, ok, err := parseConfLine(sc.Text())
		if err != nil {
			return "", &ConfigError{Path: conf, Err: fmt.Errorf("line %d: %w", n, err)}
		}
		if ok && strings.EqualFold(name, "pool_passwd") {
			value = v
		}
	}
	if err := sc.Err(); err != nil {
		return "", &ConfigError{Path: conf, Err: err}
	}
	if value == "" {
		return "", ErrPoolPasswdDisabled
	}
	if filepath.IsAbs(value) {
		return value, nil
	}
	return filepath.Join(filepath.Dir(conf), value), nil
}

// parseConfLine reads one "name [=] value" line of pgpool.conf.
func parseConfLine(line string) (name, value string, ok bool, err error) {
	s := strings.TrimLeft(line, " \t\r")
	if s == "" || s[0] == '#' {
		return "", "", false, nil
	}
	i := strings.IndexAny(s, " \t=")
	if i < 0 {
		return "", "", false, fmt.Errorf("syntax error: %q has no value", strings.TrimSpace(s))
	}
	name = s[:i]
	s = strings.TrimLeft(s[i:], " \t")
	if strings.HasPrefix(s, "=") {
		s = strings.TrimLeft(s[1:], " \t")
	}
	if strings.HasPrefix(s, "'") {
		var b strings.Builder
		for j := 1; j < len(s); j++ {
			switch c := s[j]; {
			case c == '\\' && j+1 < len(s):
				j++
				b.WriteByte(s[j])
			case c == '\'' && j+1 < len(s) && s[j+1] == '\'':
				j++
				b.WriteByte('\'')
			case c == '\'':
				return name, b.String(), true, nil
			default:
				b.WriteByte(c)
			}
		}
		return "", "", false, fmt.Errorf("unterminated quoted value of %s", name)
	}
	if j := strings.IndexAny(s, " \t\r#"); j >= 0 {
		s = s[:j]
	}
	return name, s, true, nil
}

// userMatches reports whether a pool_passwd line belongs to user
// (pool_passwd.c userMatchesString).
func userMatches(line, user string) bool {
	_, ok := MatchField(line, user)
	return ok
}

// MatchField matches the first field of a line of Pgpool's password files
// (pool_passwd, .pcppass): the field, where "\" escapes the next
// character, must equal value and be followed by an unescaped ":". It
// returns what follows that ":".
func MatchField(line, value string) (rest string, ok bool) {
	j := 0
	bslash := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '\\' && !bslash {
			bslash = true
			continue
		}
		if c == ':' && !bslash && j == len(value) {
			return line[i+1:], true
		}
		if j == len(value) || c != value[j] {
			return "", false
		}
		bslash = false
		j++
	}
	return "", false
}

// escapeUser escapes ":" and backslash in a user name, as pool_passwd's reader
// expects. Pgpool writes the name as is, which breaks the line of a user
// whose name has a colon.
func escapeUser(user string) string {
	if !strings.ContainsAny(user, ":\\") {
		return user
	}
	var b strings.Builder
	for i := 0; i < len(user); i++ {
		if user[i] == ':' || user[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(user[i])
	}
	return b.String()
}

// UpdatePoolPasswd sets user's entry in the pool_passwd file path as pg_md5
// -m and pg_enc -m do: the first line of that user is replaced by
// "user:entry" (":" and backslash in user escaped), or the line is appended;
// the file is created when missing.
//
// The file is rewritten in place, as Pgpool does, because a running pgpool
// keeps pool_passwd open and re-reads it through that descriptor: a renamed
// replacement would not be seen until restart. Unlike Pgpool (truncate, then
// write) the new content is written over the old one and the file is then
// cut to length, so a concurrent reader never finds it empty.
func UpdatePoolPasswd(path, user, entry string) error {
	if entry == "" {
		return fmt.Errorf("passcrypt: error updating password, invalid password length:0")
	}
	if strings.ContainsAny(user+entry, "\n\x00") {
		return fmt.Errorf("passcrypt: user name and password must not contain a newline or NUL")
	}
	// Create the file first if needed, so that the kernel applies the umask to
	// its mode as it did for Pgpool's fopen("w+").
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o666)
	if err != nil {
		return fmt.Errorf("passcrypt: initializing pool password, failed to open file:\"%s\": %w", path, err)
	}
	old, err := readAll(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("passcrypt: read %s: %w", path, err)
	}

	newLine := escapeUser(user) + ":" + entry
	var out strings.Builder
	updated := false
	for _, line := range splitLines(old) {
		if !updated && userMatches(line, user) {
			line = newLine
			updated = true
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	if !updated {
		out.WriteString(newLine)
		out.WriteByte('\n')
	}
	return rewriteInPlace(path, []byte(out.String()))
}

func readAll(f *os.File) (string, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(f)
	return b.String(), err
}

// splitLines splits file content into lines without their newlines.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

// rewriteInPlace writes data over the file at path (same inode, mode and
// owner), cuts it to length and syncs it.
func rewriteInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("passcrypt: pool_passwd reopen failed: %w", err)
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		return fmt.Errorf("passcrypt: write %s: %w", path, err)
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		f.Close()
		return fmt.Errorf("passcrypt: truncate %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("passcrypt: sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("passcrypt: close %s: %w", path, err)
	}
	return nil
}
