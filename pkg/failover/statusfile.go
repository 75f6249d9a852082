package failover

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// StatusFile is the pgpool_status file in work_dir (logdir before 4.7).
func StatusFile(workDir string) string { return filepath.Join(workDir, "pgpool_status") }

// ReadStatus reads a pgpool_status file (reference §5.8): one line per
// node, "up", "down" or "unused" (case-insensitive prefix match), or the
// legacy binary format (an array of 128 ints). ok is false when the file
// is missing or bogus (no node up), in which case every configured node
// starts waiting.
func ReadStatus(path string, nodes int) (st []shm.NodeStatus, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	st = make([]shm.NodeStatus, nodes)
	for i := range st {
		st[i] = shm.StatusUnused
	}
	if len(data) == 4*shm.MaxBackends && bytes.IndexByte(data, '\n') < 0 {
		// Legacy binary BackendStatusRecord: int per node, native order.
		for i := 0; i < nodes && i < shm.MaxBackends; i++ {
			v := int32(data[4*i]) | int32(data[4*i+1])<<8 | int32(data[4*i+2])<<16 | int32(data[4*i+3])<<24
			if v >= 0 && v <= 3 {
				st[i] = shm.NodeStatus(v)
			}
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for i := 0; sc.Scan() && i < nodes; i++ {
			line := strings.ToLower(strings.TrimSpace(sc.Text()))
			switch {
			case strings.HasPrefix(line, "up"):
				st[i] = shm.StatusUp
			case strings.HasPrefix(line, "down"):
				st[i] = shm.StatusDown
			default:
				st[i] = shm.StatusUnused
			}
		}
	}
	for _, s := range st {
		if s == shm.StatusUp || s == shm.StatusConnectWait {
			return st, true, nil
		}
	}
	return nil, false, nil // no node up: the file is considered bogus
}

// WriteStatus writes the status of nodes 0..n-1: "up" for up or waiting,
// "down", or "unused". It is skipped when every node is down, so the file
// keeps the last set of nodes that could serve (Pgpool §5.8).
func WriteStatus(path string, seg *shm.Segment, n int) error {
	var b bytes.Buffer
	anyUp := false
	for i := 0; i < n; i++ {
		switch st := seg.Node(i).Status; st {
		case shm.StatusUp, shm.StatusConnectWait:
			b.WriteString("up\n")
			anyUp = true
		case shm.StatusDown:
			b.WriteString("down\n")
		default:
			b.WriteString("unused\n")
		}
	}
	if !anyUp {
		return nil
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(b.Bytes()); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
