package pcptest

import (
	"bytes"
	"strings"
	"sync"
)

// LogBuffer collects the server's log lines; safe for concurrent use.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Contains reports whether the log has a line containing s.
func (b *LogBuffer) Contains(s string) bool {
	return strings.Contains(b.String(), s)
}
