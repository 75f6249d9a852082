// Package srcheck is the sr-worker (Pgpool's "worker process", reference
// §6): every sr_check_period it measures each standby's replication delay
// against the primary, reads pg_stat_replication's state and sync state
// matched by backend_application_nameN, records them in shared memory for
// the router (delay_threshold, prefer_lower_delay_standby) and SHOW
// pool_nodes, logs delays as log_standby_delay says, and with
// detach_false_primary asks the supervisor to detach false primaries.
package srcheck
