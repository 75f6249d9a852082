package backend

import (
	"errors"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// Ping reports whether the node at t is up the way libpq's PQping does:
// it is up when it answers a startup packet with anything but "the
// database system is starting up / shutting down", even an authentication
// request or an authentication failure. SHOW pool_nodes' pg_status and
// pcp_node_info use it.
func Ping(t Target, user, database string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	fd, err := Dial(t, timeout)
	if err != nil {
		return false
	}
	c := relay.NewConn(fd)
	defer c.Close()
	c.Write(relay.StartupPacket(relay.Param{Name: "database", Value: database}, relay.Param{Name: "user", Value: user}))
	if relay.FlushWait(c, deadline) != nil {
		return false
	}
	f, err := relay.ReadFrame(c, 1<<16, deadline)
	if err != nil {
		return false
	}
	if f[0] == 'E' {
		_, code, _ := relay.ErrorFields(f[5:])
		switch string(code) {
		case "57P03", "53300": // starting up / shutting down, too many clients: PQping says "reject"
			return false
		}
	}
	c.Write(relay.Terminate)
	c.Flush()
	return true
}

// QueryOnce connects to t as user on database, runs sql and disconnects.
// The primary search, SHOW pool_nodes' pg_role and the sr-worker use it.
func QueryOnce(t Target, user, database string, password Password, sql string, timeout time.Duration) (*Result, error) {
	deadline := time.Now().Add(timeout)
	c, err := Connect(t, relay.StartupPacket(
		relay.Param{Name: "application_name", Value: "pgpool"},
		relay.Param{Name: "database", Value: database},
		relay.Param{Name: "user", Value: user}),
		Options{ConnectTimeout: timeout, Deadline: deadline, User: user, Password: password})
	if err != nil {
		return nil, err
	}
	defer c.Terminate()
	return c.Query(sql, deadline)
}

// StaticPassword is a Password that always gives p (an empty p means none
// is known).
func StaticPassword(p string) Password {
	if p == "" {
		return nil
	}
	return func(int) (string, error) { return p, nil }
}

var errNoPassword = errors.New("no password")
