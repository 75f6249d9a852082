// Package router decides where each statement goes, as Pgpool-II does in
// streaming-replication mode (reference/pgpool-core.md §4): Classify
// describes a statement, Session.Route applies the decision procedure of
// §4.4 to it, SelectLoadBalancingNode picks a session's load-balance node
// (§4.2), and the Session methods keep the write-tracking state of §4.5.
//
// Everything here is a pure function of its inputs: node status, the
// primary's transaction state and catalog lookups come from the caller,
// through Cluster, Env and the Catalog interface. Nothing allocates on the
// common path; see the benchmarks.
package router
