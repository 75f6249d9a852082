// Package backend opens connections to PostgreSQL nodes: dial (TCP or
// unix socket), send the startup packet, authenticate, collect the
// ParameterStatus and BackendKeyData that follow, and run the simple
// queries pgpoold needs internally (health check, primary search,
// replication delay, catalog lookups).
//
// Connections are non-blocking relay.Conns; this package waits on them
// with deadlines, because it runs only in the slow phases, never per
// message of a session.
package backend
