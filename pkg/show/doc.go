// Package show answers Pgpool-II's own commands, which a child intercepts
// in the simple query protocol: SHOW pool_nodes, pool_processes,
// pool_pools, pool_status, pool_version, pool_health_check_stats,
// pool_backend_stats, pool_cache, and PGPOOL SHOW / SET / RESET. Columns,
// their order and their formats are Pgpool-II 4.7's (reference §7),
// because monitoring parses them positionally. One file per command.
package show
