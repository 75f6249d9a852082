// Package bgproc holds what pgpool's periodic background processes (the
// per-node health checks and the sr-worker) have in common: loading the
// supervisor's config snapshot, attaching the shared-memory segment, the
// signal protocol (SIGHUP reloads, SIGUSR1 restarts, SIGTERM/SIGINT/SIGQUIT
// end the process), the sleep between rounds, and posting failover
// requests to the supervisor.
package bgproc
