package pcp

import "context"

// Handler performs what PCP requests ask for (§4). The server calls it from
// the connection's goroutine, one request at a time per connection but
// concurrently across connections. Returning a *Error sends it as is (use
// the Err* constructors for Pgpool's texts; FATAL ends the session); any
// other error is sent as an ERROR with the request's generic message and the
// error text as detail. ctx is cancelled when the server shuts down.
//
// Ids are passed as the client sent them: range checks, like every other
// rule of §1.7, are the Handler's, since it knows the configuration.
type Handler interface {
	// NodeCount (pcp_node_count) returns the number of configured backends,
	// whatever their status.
	NodeCount(ctx context.Context) (int, error)
	// NodeInfo (pcp_node_info) returns node nodeID, or every configured node
	// when nodeID is -1.
	NodeInfo(ctx context.Context, nodeID int) ([]NodeInfo, error)
	// HealthCheckStats (pcp_health_check_stats) returns one node's statistics.
	HealthCheckStats(ctx context.Context, nodeID int) (HealthCheckStats, error)
	// ProcessCount (pcp_proc_count) returns the PIDs of the live children.
	ProcessCount(ctx context.Context) ([]int, error)
	// ProcessInfo (pcp_proc_info) returns one row per child × pool slot ×
	// backend: of child pid, or of every child when pid is 0.
	ProcessInfo(ctx context.Context, pid int) ([]ProcessInfo, error)
	// PoolStatus (pcp_pool_status) returns the rows of SHOW pool_status.
	PoolStatus(ctx context.Context) ([]StatusRow, error)
	// DetachNode (pcp_detach_node) queues a node-down request; when graceful,
	// it first waits for clients to disconnect and returns when the failover
	// has finished (§1.8, §4).
	DetachNode(ctx context.Context, nodeID int, graceful bool) error
	// AttachNode (pcp_attach_node) queues a failback request.
	AttachNode(ctx context.Context, nodeID int) error
	// PromoteNode (pcp_promote_node) makes nodeID the primary: with
	// switchover the current primary is detached and failover_command runs;
	// graceful waits for clients first and for the end of the operation.
	PromoteNode(ctx context.Context, nodeID int, switchover, graceful bool) error
	// RecoverNode (pcp_recovery_node) runs online recovery and returns when it
	// has finished.
	RecoverNode(ctx context.Context, nodeID int) error
	// StopPgpool (pcp_stop_pgpool) validates the request; the server sends
	// the reply and then calls after (when not nil), which signals the
	// supervisor, so that the client gets its answer before pgpool goes down
	// (§1.8). mode is always valid here.
	StopPgpool(ctx context.Context, mode StopMode, scope Scope) (after func(), err error)
	// ReloadConfig (pcp_reload_config) makes pgpool re-read its configuration.
	ReloadConfig(ctx context.Context, scope Scope) error
	// LogRotate (pcp_log_rotate) rotates the logging collector's file.
	LogRotate(ctx context.Context, scope Scope) error
	// InvalidateQueryCache (pcp_invalidate_query_cache) flags the query cache
	// for invalidation.
	InvalidateQueryCache(ctx context.Context) error
	// WatchdogInfo (pcp_watchdog_info) returns the watchdog cluster with node
	// watchdogID, or all nodes when it is -1.
	WatchdogInfo(ctx context.Context, watchdogID int) (WatchdogInfo, error)
	// SetParameter is called for A requests other than client_min_messages,
	// which the server handles itself since it belongs to the session (§1.7).
	// Pgpool knows no other parameter: return ErrInvalidParameter(name) unless
	// the daemon adds one.
	SetParameter(ctx context.Context, name, value string) error
}

// Authenticator returns the pcp.conf password column (md5 hex of the
// password) of user, and whether the user exists. The server calls it on
// every login, so a changed pcp.conf takes effect without reload, as in
// Pgpool. An error (e.g. pcp.conf unreadable) fails the login with Pgpool's
// "failed to authenticate PCP user".
type Authenticator func(user string) (md5hex string, ok bool, err error)
