package pgcluster

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// A port taken between FreePorts and the postmaster's bind must not fail
// the cluster: the harness sees "could not bind" and picks another port.
func TestStartRetriesWhenPortTaken(t *testing.T) {
	c, err := prepare(Options{Nodes: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	taken := c.nodes[0].port
	l, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(taken))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	if err := c.create(); err != nil {
		t.Fatalf("create with node0's port taken: %v", err)
	}
	n := c.Node(0)
	if n.Port() == taken {
		t.Fatalf("node0 still on the taken port %d", taken)
	}
	var port string
	if err := n.QueryRowIn("postgres", "show port").Scan(&port); err != nil {
		t.Fatal(err)
	}
	if port != strconv.Itoa(n.Port()) {
		t.Errorf("server on port %s, Port() = %d", port, n.Port())
	}
	if log := tailFile(n.LogPath(), 100); !strings.Contains(log, "could not bind") {
		t.Errorf("the first start did not fail on the port; log:\n%s", log)
	}
}
