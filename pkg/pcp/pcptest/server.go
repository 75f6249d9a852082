package pcptest

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
)

// Server is a running pcp.Server listening on 127.0.0.1 and on a Unix socket
// whose name carries the same port, as pgpoold's PCP listener does.
type Server struct {
	*pcp.Server
	Port      int    // TCP port, also in the socket name .s.PGSQL.<Port>
	SocketDir string // directory of the Unix socket
	Addr      string // host:port of the TCP listener
	Users     map[string]string
	Log       *LogBuffer
}

// MD5Hex is md5hex(s), the pcp.conf password column.
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// NewServer starts srv's settings (Handler, Layout, …) on free loopback
// ports; users maps PCP user names to cleartext passwords. The server is
// closed when the test ends.
func NewServer(t testing.TB, h pcp.Handler, users map[string]string, configure ...func(*pcp.Server)) *Server {
	t.Helper()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1:0: %v", err)
	}
	port := tcp.Addr().(*net.TCPAddr).Port
	dir, err := os.MkdirTemp("", "pcptest")
	if err != nil {
		t.Fatalf("create socket directory: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	unix, err := net.Listen("unix", filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(port)))
	if err != nil {
		tcp.Close()
		t.Fatalf("listen on unix socket in %s: %v", dir, err)
	}
	log := &LogBuffer{}
	s := &Server{
		Server: &pcp.Server{
			Handler: h,
			Authenticate: func(user string) (string, bool, error) {
				pw, ok := users[user]
				return MD5Hex(pw), ok, nil
			},
			Logger: zerolog.New(log).Level(zerolog.DebugLevel),
		},
		Port:      port,
		SocketDir: dir,
		Addr:      tcp.Addr().String(),
		Users:     users,
		Log:       log,
	}
	for _, f := range configure {
		f(s.Server)
	}
	done := make(chan error, 1)
	go func() { done <- s.Server.Serve([]net.Listener{tcp, unix}) }()
	t.Cleanup(func() {
		s.Server.Close()
		select {
		case err := <-done:
			if !errors.Is(err, pcp.ErrServerClosed) {
				t.Errorf("pcp server ended with %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("pcp server did not stop within 10s of Close")
		}
	})
	return s
}
