package conformance

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
)

// transcript collects the lines of one in-process scenario. Notice and
// notification callbacks may write from pgx's goroutines, hence the lock.
type transcript struct {
	mu    sync.Mutex
	lines []string
}

func (w *transcript) printf(format string, args ...any) {
	w.mu.Lock()
	w.lines = append(w.lines, fmt.Sprintf(format, args...))
	w.mu.Unlock()
}

func (w *transcript) snapshot() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.lines...)
}

// errLine renders an error as the application sees it: SQLSTATE and
// message for a server error, the text otherwise.
func errLine(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return "error: " + pe.Code + " " + pe.Message
	}
	return "error: " + err.Error()
}

// value renders a column value; long ones by length and MD5.
func value(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		s = `\x` + hex.EncodeToString(x)
	case string:
		s = x
	default:
		s = fmt.Sprint(x)
	}
	if len(s) > 200 {
		return digest(s)
	}
	return s
}

func digest(s string) string {
	sum := md5.Sum([]byte(s))
	return fmt.Sprintf("<%d bytes md5 %s>", len(s), hex.EncodeToString(sum[:]))
}

func joinValues(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = value(v)
	}
	return strings.Join(parts, "|")
}
