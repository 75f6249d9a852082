package child

import (
	"errors"
	"syscall"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

var errNodeClosed = errors.New("the backend closed the connection")

// notifySupervisor wakes the supervisor to look at the request queue and
// node status.
func (c *Child) notifySupervisor() {
	spawn.Signal(c.seg.SupervisorPid(), syscall.SIGUSR1)
}

// reportNodeFailure asks the supervisor to detach a node this child lost,
// when failover_on_backend_error allows it (Pgpool §5.2: the request has
// the switchover detail, so only sessions using the node are cut).
func (c *Child) reportNodeFailure(node int) {
	if !c.cfg.FailoverOnBackendError {
		return
	}
	if _, err := c.seg.Post(shm.Request{Kind: shm.ReqNodeDown, Details: shm.DetailSwitchover, Nodes: []int{node}}); err != nil {
		c.log.Error().Err(err).Int("node", node).Msg("could not request the failover of a node")
		return
	}
	c.log.Info().Int("node", node).Msg("requested the failover of a node that failed")
	c.notifySupervisor()
}

// forwardCancel serves a CancelRequest: the key is one pgpoold gave some
// client, possibly in another child; the slot that holds it is found in
// shared memory, and the cancel goes to every node of that slot with the
// node's own pid and key (Pgpool §3.6, without its one-second pause
// between nodes).
func (c *Child) forwardCancel(pid int32, key []byte) {
	child, slot, ok := c.seg.FindCancel(pid, key)
	if !ok {
		c.log.Info().Int32("pid", pid).Msg("invalid cancel key")
		return
	}
	for node := 0; node < c.seg.NumBackends() && node < len(c.cfg.Backends); node++ {
		conn := c.seg.ReadConn(child, slot, node)
		if conn.Pid == 0 || !c.seg.Node(node).Valid() {
			continue
		}
		b := c.cfg.Backends[node]
		t := backend.Target{Node: node, Host: b.Host(), Port: b.Port}
		if err := sendCancel(t, int32(conn.Pid), conn.Key); err != nil {
			c.log.Warn().Err(err).Int("node", node).Msg("could not forward a cancel request")
		}
	}
}

func sendCancel(t backend.Target, pid int32, key []byte) error {
	fd, err := backend.Dial(t, 10*time.Second)
	if err != nil {
		return err
	}
	conn := relay.NewConn(fd)
	defer conn.Close()
	pkt := make([]byte, 12, 12+len(key))
	pkt[0], pkt[1], pkt[2], pkt[3] = 0, 0, 0, byte(12+len(key))
	pkt[4], pkt[5], pkt[6], pkt[7] = 0x04, 0xd2, 0x16, 0x2e // 80877102
	pkt[8], pkt[9], pkt[10], pkt[11] = byte(pid>>24), byte(pid>>16), byte(pid>>8), byte(pid)
	pkt = append(pkt, key...)
	conn.Write(pkt)
	deadline := time.Now().Add(10 * time.Second)
	if err := relay.FlushWait(conn, deadline); err != nil {
		return err
	}
	// PostgreSQL closes the connection once it has signalled the backend.
	// Waiting for that before the client's cancel connection is closed
	// keeps the order a client relies on (asyncpg waits for the close
	// before sending its next query): otherwise a late cancel could hit
	// the client's next statement.
	if _, err := relay.ReadBytes(conn, 1, deadline); err != nil && !relay.IsDisconnect(err) {
		return err
	}
	return nil
}
