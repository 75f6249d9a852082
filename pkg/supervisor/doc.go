// Package supervisor is pgpoold's main process: it takes the port lock,
// creates the shared segment, binds the listening sockets, starts every
// worker by re-executing its own image (package spawn), reaps and
// respawns them, and implements the stop modes and reload.
//
// Model: one goroutine (Supervisor.loop) owns the process table, the
// request queue and the stop state. Signals arrive on a channel it reads;
// a goroutine per worker waits for its exit and reports it on another.
// Long actions that must not block the loop (failover scripts, waiting
// for a primary) run in the failover goroutine, which asks the loop to
// act on processes through events (tableflip's run loop).
//
// The supervisor never imports a role package: it starts processes, not
// functions. Processes talk only through shared memory and signals.
package supervisor
