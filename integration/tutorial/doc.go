// Package tutorial runs the getting-started tutorial end to end in a fresh
// sandbox made by tools/pgpool_setup (issue 9): show pool_nodes,
// replication with pgbench, load balancing, failover of a standby and of
// the primary, and online recovery with pcp_recovery_node.
package tutorial
