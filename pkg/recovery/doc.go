// Package recovery is online recovery in streaming replication mode
// (pcp_recovery_node, reference §5.2): on the primary, as recovery_user,
// pgpool_recovery() runs recovery_1st_stage_command from the primary's
// data directory to rebuild the detached node, pgpool_remote_start()
// starts it, pgpool waits until it accepts connections, and asks the
// supervisor to attach it. Each stage has a time limit and is named in its
// errors, which carry Pgpool-II's texts.
//
// Sites install the pgpool_recovery extension on the primary (Debian's
// postgresql-15-pgpool2). When it is absent and the primary's data
// directory is on this host, pgpoold runs the same scripts itself with the
// same arguments, and says so in the log.
package recovery
