// Package pool is a child's cache of backend connections (Pgpool's
// connection pool, reference §3.2–§3.5): max_pool slots, each holding the
// connections of one (user, database, startup packet) to the nodes a
// session used, reused by the next client with the same key and evicted
// least-recently-released first.
//
// A slot's connections are opened lazily: the primary (or main node) and
// the session's load-balance node when a session starts, any other node
// only when a statement must go there. Pgpool opens a connection to every
// valid node for every slot; with one primary and N standbys a session
// that reads from one standby costs N-1 backend processes fewer here.
package pool
