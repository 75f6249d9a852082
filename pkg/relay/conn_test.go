package relay_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

func TestPartial(t *testing.T) {
	big := make([]byte, 5+3*relay.DefaultBufSize)
	big[0], big[1], big[2], big[3], big[4] = 'B', 0, 0, byte((len(big)-1)>>8), byte(len(big)-1)
	for _, tc := range []struct {
		name    string
		data    []byte
		partial bool
	}{
		{"nothing buffered is not partial", nil, false},
		{"a header alone is partial", []byte{'S', 0, 0, 0, 8}, true},
		{"a whole frame is not partial", []byte{'S', 0, 0, 0, 4}, false},
		{"a large frame read beyond the default buffer size is partial", big[:2*relay.DefaultBufSize], true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fds[1])
			c := relay.NewConn(fds[0])
			defer c.Close()
			if len(tc.data) > 0 {
				if _, err := unix.Write(fds[1], tc.data); err != nil {
					t.Fatal(err)
				}
			}
			// As the session does: Frame grows the buffer, Fill reads.
			for c.Buffered() < len(tc.data) {
				c.Frame(relay.MaxLargeMessage)
				if err := c.Fill(); err != nil {
					t.Fatal(err)
				}
			}
			if got := c.Partial(); got != tc.partial {
				t.Fatalf("Partial() = %v with %d bytes buffered, want %v", got, c.Buffered(), tc.partial)
			}
		})
	}
}
