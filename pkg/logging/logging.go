package logging

import (
	"fmt"
	"io"
	"log/syslog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Options are the logging parameters of pgpool.conf plus the output format.
type Options struct {
	Destination    string // log_destination: "stderr", "syslog" or "stderr,syslog"
	LinePrefix     string // log_line_prefix
	MinMessages    string // log_min_messages
	SyslogFacility string // syslog_facility, e.g. LOCAL0
	SyslogIdent    string // syslog_ident
	JSON           bool   // one JSON object per line instead of Pgpool's text
	App            string // %a until a session names it: main, child, pcp_main, ...
}

// Keys of zerolog fields with a meaning for the text format.
const (
	KeyApp    = "app"  // %a
	KeyDB     = "db"   // %d
	KeyUser   = "user" // %u
	KeyDetail = "detail"
	KeyHint   = "hint"
	// KeyLevel overrides the printed level word (NOTICE, INFO) for the few
	// messages Pgpool prints at levels zerolog does not have.
	KeyLevel = "pglevel"
)

// New builds a logger writing to the destinations of o, with stderr as the
// stderr destination. The returned close function releases syslog.
func New(o Options, stderr io.Writer) (zerolog.Logger, func(), error) {
	var outs []io.Writer
	closeFn := func() {}
	for _, d := range strings.Split(o.Destination, ",") {
		switch strings.TrimSpace(strings.ToLower(d)) {
		case "", "stderr":
			outs = append(outs, stderr)
		case "syslog":
			w, err := syslog.New(facility(o.SyslogFacility)|syslog.LOG_INFO, o.SyslogIdent)
			if err != nil {
				return zerolog.Nop(), closeFn, fmt.Errorf("open syslog for log_destination: %w", err)
			}
			outs = append(outs, w)
			closeFn = func() { w.Close() }
		default:
			return zerolog.Nop(), closeFn, fmt.Errorf("log_destination: unknown destination %q (use stderr, syslog)", d)
		}
	}
	var out io.Writer = outs[0]
	if len(outs) > 1 {
		out = io.MultiWriter(outs...)
	}
	w := &writer{out: out, o: o, pid: os.Getpid(), min: rank[strings.ToLower(o.MinMessages)]}
	if w.min == 0 {
		w.min = rank["warning"]
	}
	l := zerolog.New(w).Level(zerologLevel(o.MinMessages)).With().Timestamp().Logger()
	return l, closeFn, nil
}

func facility(name string) syslog.Priority {
	switch strings.ToUpper(name) {
	case "LOCAL1":
		return syslog.LOG_LOCAL1
	case "LOCAL2":
		return syslog.LOG_LOCAL2
	case "LOCAL3":
		return syslog.LOG_LOCAL3
	case "LOCAL4":
		return syslog.LOG_LOCAL4
	case "LOCAL5":
		return syslog.LOG_LOCAL5
	case "LOCAL6":
		return syslog.LOG_LOCAL6
	case "LOCAL7":
		return syslog.LOG_LOCAL7
	default:
		return syslog.LOG_LOCAL0
	}
}

// writer turns zerolog's JSON events into Pgpool-style lines (or passes
// the JSON through), filtering by Pgpool's level order. Only events that
// pass zerolog's level reach it, so its cost is per printed line.
type writer struct {
	mu   sync.Mutex
	out  io.Writer
	o    Options
	pid  int
	min  int
	line int
	buf  []byte
}

func (w *writer) Write(p []byte) (int, error) { return w.WriteLevel(zerolog.NoLevel, p) }

func (w *writer) WriteLevel(level zerolog.Level, p []byte) (int, error) {
	ev, err := decodeEvent(p)
	if err != nil {
		return w.out.Write(p) // not ours to judge: pass it on
	}
	word := levelWord[level]
	if s, ok := ev.str(KeyLevel); ok {
		word = strings.ToUpper(s)
	}
	if word == "" {
		word = "LOG"
	}
	if wordRank(word) < w.min {
		return len(p), nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.line++
	if w.o.JSON {
		_, err := w.out.Write(p)
		return len(p), err
	}
	w.buf = w.format(w.buf[:0], word, ev)
	_, err = w.out.Write(w.buf)
	if cap(w.buf) > 64<<10 {
		w.buf = nil // one huge message must not pin its buffer forever
	}
	return len(p), err
}

func (w *writer) format(b []byte, word string, ev event) []byte {
	b = w.prefix(b, ev)
	b = append(b, word...)
	b = append(b, ":  "...)
	msg, _ := ev.str(zerolog.MessageFieldName)
	b = append(b, msg...)
	for _, f := range ev.fields {
		switch f.key {
		case zerolog.LevelFieldName, zerolog.TimestampFieldName, zerolog.MessageFieldName,
			KeyApp, KeyDB, KeyUser, KeyDetail, KeyHint, KeyLevel, "pid":
			continue
		}
		b = append(b, ' ')
		b = append(b, f.key...)
		b = append(b, '=')
		b = append(b, f.text...)
	}
	b = append(b, '\n')
	if d, ok := ev.str(KeyDetail); ok {
		b = w.prefix(b, ev)
		b = append(b, "DETAIL:  "...)
		b = append(b, d...)
		b = append(b, '\n')
	}
	if h, ok := ev.str(KeyHint); ok {
		b = w.prefix(b, ev)
		b = append(b, "HINT:  "...)
		b = append(b, h...)
		b = append(b, '\n')
	}
	return b
}

// prefix renders log_line_prefix: %a application, %p pid, %P process
// name, %t time, %m time with milliseconds, %d database, %u user, %l line
// number, %% a percent sign. Unknown escapes print nothing, as in Pgpool.
func (w *writer) prefix(b []byte, ev event) []byte {
	p := w.o.LinePrefix
	now := time.Now()
	for i := 0; i < len(p); i++ {
		if p[i] != '%' || i+1 == len(p) {
			b = append(b, p[i])
			continue
		}
		i++
		switch p[i] {
		case 'a':
			if app, ok := ev.str(KeyApp); ok {
				b = append(b, app...)
			} else {
				b = append(b, w.o.App...)
			}
		case 'p':
			b = fmt.Appendf(b, "%d", w.pid)
		case 'P':
			b = append(b, w.o.App...)
		case 't':
			b = now.AppendFormat(b, "2006-01-02 15:04:05 MST")
		case 'm':
			b = now.AppendFormat(b, "2006-01-02 15:04:05.000 MST")
		case 'd':
			s, _ := ev.str(KeyDB)
			b = append(b, s...)
		case 'u':
			s, _ := ev.str(KeyUser)
			b = append(b, s...)
		case 'l':
			b = fmt.Appendf(b, "%d", w.line)
		case '%':
			b = append(b, '%')
		}
	}
	return b
}
