// Package failover tests health checks, failover, failback, follow
// primary, the replication-delay worker and pgpool_status on real
// clusters (issue 7), the way the tutorial's "Testing Fail Over" does.
package failover
