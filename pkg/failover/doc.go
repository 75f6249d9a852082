// Package failover is the supervisor's state machine for node status:
// the startup primary search, failover (detach), failback (attach),
// promotion and switchover, follow primary, and the pgpool_status file,
// in Pgpool-II's order (reference §5.3).
//
// Model: one goroutine (Manager.run) is the only consumer of the shared
// request queue and the only writer of node status and roles. Requests
// are handled one at a time, in queue order; a failure reported while a
// failover runs waits in the queue and is handled after it, never lost.
// Scripts (failover_command, failback_command, follow_primary_command)
// run to completion as Pgpool runs them, but in this goroutine, not the
// supervisor's loop: the supervisor keeps reaping, respawning and
// answering signals meanwhile (Pgpool blocks everything, trap T8). What
// must happen to processes (cut sessions, restart children and workers)
// is asked of the supervisor through Actions.
package failover
