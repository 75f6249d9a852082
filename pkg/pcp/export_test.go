package pcp

import (
	"context"
	"net"
)

// ServeSessionNoRecover runs the request loop of one session on rwc without
// the panic guard of conn.serve, so that a fuzzer sees panics. With
// authenticated set the session starts logged in as user "fuzz".
func ServeSessionNoRecover(srv *Server, rwc net.Conn, authenticated bool) error {
	srv.mu.Lock()
	srv.init()
	srv.mu.Unlock()
	c := newConn(srv, rwc)
	c.authenticated, c.user = authenticated, "fuzz"
	ctx := context.WithValue(srv.ctx, sessionKey{}, c)
	for {
		if err := c.handleOne(ctx); err != nil {
			return err
		}
	}
}
