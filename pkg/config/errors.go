package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned (wrapped, with a Diagnostic warning) by Load when
// the configuration file does not exist. The Config returned alongside holds
// the compile-time defaults, as Pgpool starts with defaults after a
// WARNING; the daemon decides whether that is acceptable.
var ErrNotFound = errors.New("config: configuration file not found")

// ParseError is a fatal problem in a configuration file: a syntax error, a
// value that does not parse or is out of range, or an invalid combination
// found by the post-processing checks. Line is 1-based; File and Line are
// empty for errors of PGPOOL SET.
type ParseError struct {
	File    string
	Line    int
	Param   string // parameter name as written (with node suffix), if any
	Value   string // offending value, if any
	Allowed string // what is allowed: a range, the enum values, a format
	Msg     string // what is wrong, in Pgpool's words where it has some
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	}
	switch {
	case e.Param != "" && e.Value != "" || e.Param != "" && e.Msg == "":
		fmt.Fprintf(&b, "invalid value for parameter %q: %q", e.Param, e.Value)
		if e.Msg != "" {
			b.WriteString(": ")
			b.WriteString(e.Msg)
		}
	case e.Param != "":
		fmt.Fprintf(&b, "parameter %q: %s", e.Param, e.Msg)
	default:
		b.WriteString(e.Msg)
	}
	if e.Allowed != "" {
		fmt.Fprintf(&b, " (allowed: %s)", e.Allowed)
	}
	return b.String()
}

// Level is the severity of a Diagnostic.
type Level uint8

// Diagnostic levels, in Pgpool's (PostgreSQL's) order.
const (
	LevelInfo Level = iota + 1
	LevelNotice
	LevelWarning
)

var levelNames = [...]string{"", "info", "notice", "warning"}

func (l Level) String() string { return levelNames[l] }

// Diagnostic is a non-fatal finding while reading a file: an unknown
// parameter (INFO, as Pgpool), an old parameter name (NOTICE), a
// restart-only change ignored on reload (WARNING), ...
type Diagnostic struct {
	Level   Level
	File    string
	Line    int
	Param   string
	Message string
}

func (d Diagnostic) String() string {
	loc := ""
	if d.File != "" {
		loc = fmt.Sprintf("%s:%d: ", d.File, d.Line)
	}
	return fmt.Sprintf("%s%s: %s", loc, strings.ToUpper(d.Level.String()), d.Message)
}

// errorList gathers ParseErrors of one load.
type errorList []error

func (l errorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return errors.Join(l...)
}
