// Package child is the life of a session child (Pgpool's PT_CHILD): wait
// for a connection on the inherited listening sockets, serve that one
// client through its session, cache its backend connections, repeat.
//
// A child runs one session at a time on one goroutine, with non-blocking
// sockets and its own poll loop: no Go netpoller, no goroutine or channel
// per message. Signals are turned into flags by a small goroutine that
// wakes the loop through an eventfd.
package child
