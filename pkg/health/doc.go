// Package health is the health check of one node (Pgpool's health check
// process, reference §5.1): every health_check_period it connects to the
// node as health_check_user, authenticates and disconnects, retrying
// health_check_max_retries times; it records statistics in shared memory
// and, when the node does not answer, posts a failover request. It never
// changes node status itself. It also attaches a down standby back when
// auto_failback applies (§5.6).
package health
