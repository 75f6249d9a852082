package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
)

// PCPUser is one pcp.conf entry: a user and the md5 hex of its password.
type PCPUser struct {
	User string
	MD5  string
}

// LoadPCPConf reads pcp.conf as Pgpool's pcp_child does: one "user:md5hex"
// per line; lines that start with '#' and empty lines are skipped; the user
// is the text before the first ':' and the password the rest of the line,
// neither trimmed; each at most 128 bytes, lines at most 511 bytes.
// Duplicate users are all kept (each is tried in turn).
func LoadPCPConf(path string) ([]PCPUser, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: read pcp.conf: %w", err)
	}
	return parsePCPConf(path, data)
}

const (
	pcpMaxLine  = 511 // Pgpool reads with a 512-byte buffer
	pcpMaxField = 128 // MAX_USER_PASSWD_LEN
)

func parsePCPConf(path string, data []byte) ([]PCPUser, error) {
	var users []PCPUser
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		perr := func(msg string) error { return &ParseError{File: path, Line: n, Msg: msg} }
		if len(line) > pcpMaxLine {
			return nil, perr(fmt.Sprintf("line too long (%d bytes, at most %d)", len(line), pcpMaxLine))
		}
		user, pass, ok := bytes.Cut([]byte(line), []byte(":"))
		if !ok {
			return nil, perr(`missing ":" between user name and password (expected user:md5hex)`)
		}
		if len(user) > pcpMaxField || len(pass) > pcpMaxField {
			return nil, perr(fmt.Sprintf("user name or password longer than %d characters", pcpMaxField))
		}
		users = append(users, PCPUser{User: string(user), MD5: string(pass)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	return users, nil
}
