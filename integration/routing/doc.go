// Package routing tests streaming-replication routing through pgpoold on a
// real primary and standby (issue 6): the seed tutorial's "Testing
// Replication" and "Testing Load Balance" with pgbench, the node every kind
// of statement reaches (reference/pgpool-core.md §4.3–§4.7) in the simple
// and the extended protocol, that writes never reach a standby, and SHOW
// pool_nodes / pool_backend_stats (§7.1, §2.6).
//
// The node a statement reached is read from the nodes themselves: every
// node logs every statement (log_statement = all in database test) and
// each statement the tests send carries a marker comment, so a node's log
// says whether it executed that statement; statements that return
// inet_server_port() also say which node answered. The statement table
// runs against Debian's Pgpool-II 4.3.5 too (TestRoutingTablePgpool2),
// the oracle for what pgpoold must do; where the two differ on purpose the
// case says why.
package routing
