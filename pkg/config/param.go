package config

import (
	"strings"
	"unicode"
)

// Kind is the value type of a parameter.
type Kind uint8

// Parameter kinds.
const (
	KindBool Kind = iota + 1
	KindInt
	KindReal
	KindString
	KindEnum
	KindList
)

var kindNames = [...]string{"", "bool", "int", "real", "string", "enum", "list"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Unit is the base unit of an integer parameter. A value written without a
// unit is in the base unit; time parameters accept us, ms, s, min, h, d and
// memory parameters B, kB, MB, GB, TB (pool_config_variables.c, copied from
// PostgreSQL's guc.c).
type Unit uint8

// Units.
const (
	UnitNone Unit = iota
	UnitMs
	UnitS
	UnitMin
	UnitBytes
	UnitKB
)

var unitNames = [...]string{"", "ms", "s", "min", "B", "kB"}

func (u Unit) String() string { return unitNames[u] }

// IsTime reports whether u is a time unit.
func (u Unit) IsTime() bool { return u == UnitMs || u == UnitS || u == UnitMin }

// IsMemory reports whether u is a memory unit.
func (u Unit) IsMemory() bool { return u == UnitBytes || u == UnitKB }

// Context says when a parameter may change (Pgpool's CFGCXT_*).
type Context uint8

// Contexts, ordered like Pgpool's: a parameter of context X may be set in
// any context up to X.
const (
	ContextInit    Context = iota + 1 // restart required
	ContextReload                     // pgpool reload / SIGHUP
	ContextSession                    // reload, and PGPOOL SET per session
)

var contextNames = [...]string{"", "init", "reload", "session"}

func (c Context) String() string { return contextNames[c] }

// EnumOption is one accepted value of an enum parameter. Value is the
// number Pgpool stores (and prints in SHOW pool_status); Hidden options are
// accepted but never displayed (Pgpool's "debug" = debug2).
type EnumOption struct {
	Name   string
	Value  int
	Hidden bool
}

// Param describes one pgpool.conf parameter, as one row of Pgpool's
// pool_config_variables.c.
type Param struct {
	Name        string
	Kind        Kind
	Default     string // compile-time default, in pgpool.conf syntax (unquoted)
	Min, Max    float64
	Options     []EnumOption // KindEnum
	Unit        Unit         // KindInt
	Context     Context
	Group       string // Pgpool's config group: connection, logging, watchdog, ...
	ShowGroup   string // PGPOOL SHOW <group>: backend, watchdog, heartbeat, health_check
	Description string // Pgpool's text (PGPOOL SHOW ALL)
	Separator   string // KindList: ",", ";" or "|"
	Indexed     bool   // takes a node suffix: backend_hostname0 ...
	MaxIndex    int    // Indexed: indexes are 0 .. MaxIndex-1
	NoIndex     bool   // Indexed and a value without suffix is the default for every node
	Secret      bool   // shown as "*****" by PGPOOL SHOW
	Since       string // first Pgpool-II version that knows the name, when after 4.0
}

// Field is the name of the Config field holding p (empty for indexed-only
// parameters, which live in Backends, Watchdog and Heartbeat).
func (p *Param) Field() string {
	if p.Indexed && !p.NoIndex {
		return ""
	}
	return FieldName(p.Name)
}

// FieldName maps a Pgpool name to its Config field mechanically:
// num_init_children → NumInitChildren, ssl_ca_cert → SslCaCert.
func FieldName(name string) string {
	var b strings.Builder
	up := true
	for _, r := range name {
		if r == '_' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Limits of indexed parameters (pool_config.h, pool.h).
const (
	MaxBackends         = 128 // MAX_NUM_BACKENDS
	MaxWatchdogNodes    = 128 // MAX_WATCHDOG_NUM
	MaxHeartbeatDests   = 256 // WD_MAX_IF_NUM
	maxInt              = 2147483647
	maxLong             = 9223372036854775807
	defaultSocketDir    = "/tmp"
	defaultPidFileName  = "/var/run/pgpool/pgpool.pid"
	defaultMemqcacheDir = "/var/log/pgpool/oiddir"
)

// Params returns the parameter table in a stable order: Pgpool's
// SHOW pool_status order first, then the parameters that view omits.
// The returned slice is a copy.
func Params() []Param {
	out := make([]Param, len(paramTable))
	copy(out, paramTable)
	return out
}

// Lookup returns the table entry for a parameter name without node suffix.
func Lookup(name string) (*Param, bool) {
	p, ok := paramIndex[name]
	return p, ok
}

var paramIndex = func() map[string]*Param {
	m := make(map[string]*Param, len(paramTable))
	for i := range paramTable {
		m[paramTable[i].Name] = &paramTable[i]
	}
	return m
}()

// Constructors keep the table below readable.

func pb(name string, def bool, ctx Context, group, desc string) Param {
	d := "off"
	if def {
		d = "on"
	}
	return Param{Name: name, Kind: KindBool, Default: d, Context: ctx, Group: group, Description: desc}
}

func pi(name string, def string, lo, hi float64, unit Unit, ctx Context, group, desc string) Param {
	return Param{Name: name, Kind: KindInt, Default: def, Min: lo, Max: hi, Unit: unit, Context: ctx, Group: group, Description: desc}
}

func ps(name, def string, ctx Context, group, desc string) Param {
	return Param{Name: name, Kind: KindString, Default: def, Context: ctx, Group: group, Description: desc}
}

func pe(name, def string, opts []EnumOption, ctx Context, group, desc string) Param {
	return Param{Name: name, Kind: KindEnum, Default: def, Options: opts, Context: ctx, Group: group, Description: desc}
}

func pl(name, def, sep string, ctx Context, group, desc string) Param {
	return Param{Name: name, Kind: KindList, Default: def, Separator: sep, Context: ctx, Group: group, Description: desc}
}

func secret(p Param) Param          { p.Secret = true; return p }
func since(v string, p Param) Param { p.Since = v; return p }

func indexed(p Param, max int, showGroup string, noIndex bool) Param {
	p.Indexed, p.MaxIndex, p.ShowGroup, p.NoIndex = true, max, showGroup, noIndex
	return p
}

func opts(names ...string) []EnumOption {
	o := make([]EnumOption, len(names))
	for i, n := range names {
		o[i] = EnumOption{Name: n, Value: i + 1}
	}
	return o
}

// Message levels as in Pgpool's utils/elog.h (PostgreSQL 9.x numbering).
var messageLevels = []EnumOption{
	{"debug", 13, true}, {"debug5", 10, false}, {"debug4", 11, false}, {"debug3", 12, false},
	{"debug2", 13, false}, {"debug1", 14, false}, {"info", 17, false}, {"notice", 18, false},
	{"warning", 19, false}, {"error", 20, false}, {"log", 15, false}, {"fatal", 21, false},
	{"panic", 22, false},
}

var syslogFacilities = func() []EnumOption {
	o := make([]EnumOption, 8)
	for i := range o {
		o[i] = EnumOption{Name: "LOCAL" + string(rune('0'+i)), Value: (16 + i) << 3}
	}
	return o
}()

const (
	gConn    = "connection"
	gPool    = "connection_pool"
	gLog     = "logging"
	gFile    = "file_location"
	gLB      = "load_balance"
	gSR      = "streaming_replication"
	gMode    = "main_replica"
	gRepl    = "replication"
	gHC      = "health_check"
	gFail    = "failover"
	gRecov   = "recovery"
	gWD      = "watchdog"
	gWDLife  = "watchdog_lifecheck"
	gCache   = "cache"
	gSSL     = "ssl"
	gGeneral = "general"
)

const (
	cI = ContextInit
	cR = ContextReload
	cS = ContextSession
)

// paramTable is the one parameter table. Defaults and contexts follow
// Pgpool-II 4.7 (reference §8.2, pool_config_variables.c); descriptions are
// Pgpool's own text where it has one.
var paramTable = []Param{
	pe("backend_clustering_mode", "streaming_replication",
		[]EnumOption{{"streaming_replication", 1, false}, {"native_replication", 2, false}, {"logical_replication", 3, false}, {"raw", 5, false}, {"snapshot_isolation", 6, false}},
		cI, gMode, "backend clustering mode."),

	// CONNECTIONS
	pl("listen_addresses", "localhost", ",", cI, gConn, "hostname(s) or IP address(es) on which pgpool will listen on."),
	pi("port", "9999", 1024, 65535, UnitNone, cI, gConn, "tcp/IP port number on which pgpool will listen on."),
	since("4.4", pl("unix_socket_directories", defaultSocketDir, ",", cI, gConn, "The directories to create the UNIX domain sockets for accepting pgpool-II client connections.")),
	since("4.4", ps("unix_socket_group", "", cI, gConn, "The owning user of the sockets that always starts the server.")),
	since("4.4", pi("unix_socket_permissions", "0777", 0, 0777, UnitNone, cI, gConn, "The access permissions of the Unix domain sockets.")),
	pl("pcp_listen_addresses", "localhost", ",", cI, gConn, "hostname(s) or IP address(es) on which pcp will listen on."),
	pi("pcp_port", "9898", 1024, 65535, UnitNone, cI, gConn, "tcp/IP port number on which pgpool PCP process will listen on."),
	pl("pcp_socket_dir", defaultSocketDir, ",", cI, gConn, "The directory to create the UNIX domain socket for accepting pgpool-II PCP connections."),
	pb("enable_pool_hba", false, cR, gConn, "Use pool_hba.conf for client authentication."),
	ps("pool_passwd", "pool_passwd", cI, gFile, "File name of pool_passwd for md5 authentication."),
	pi("authentication_timeout", "60", 0, maxInt, UnitS, cI, gConn, "Time out value in seconds for client authentication."),
	pb("allow_clear_text_frontend_auth", false, cR, gGeneral, "allow to use clear text password authentication with clients, when pool_passwd does not contain the user password."),
	pb("ssl", false, cI, gSSL, "Enables SSL support for frontend and backend connections"),
	ps("ssl_key", "", cI, gSSL, "SSL private key file."),
	ps("ssl_cert", "", cI, gSSL, "SSL public certificate file."),
	ps("ssl_ca_cert", "", cI, gSSL, "Single PEM format file containing CA root certificate(s)."),
	ps("ssl_ca_cert_dir", "", cI, gSSL, "Directory containing CA root certificate(s)."),
	ps("ssl_crl_file", "", cI, gSSL, "SSL certificate revocation list file"),
	ps("ssl_ciphers", "HIGH:MEDIUM:+3DES:!aNULL", cI, gSSL, "Allowed SSL ciphers."),
	pb("ssl_prefer_server_ciphers", false, cI, gSSL, "Use server's SSL cipher preferences, rather than the client's"),
	ps("ssl_ecdh_curve", "prime256v1", cI, gSSL, "The curve to use in ECDH key exchange."),
	ps("ssl_dh_params_file", "", cI, gSSL, "Path to the Diffie-Hellman parameters contained file"),
	ps("ssl_passphrase_command", "", cI, gSSL, "Command to obtain passphrases for SSL private keys."),

	// POOLS
	pi("listen_backlog_multiplier", "2", 1, maxInt, UnitNone, cI, gConn, "length of connection queue from frontend to pgpool-II"),
	pb("serialize_accept", false, cI, gConn, "whether to serialize accept() call to avoid thundering herd problem"),
	pi("reserved_connections", "0", 0, maxInt, UnitNone, cI, gPool, "Number of reserved connections."),
	pi("max_pool", "4", 0, maxInt, UnitNone, cI, gPool, "Maximum number of connection pools per child process."),
	since("4.4", pe("process_management_mode", "static", opts("static", "dynamic"), cR, gPool, "child process management mode.")),
	since("4.4", pe("process_management_strategy", "gentle", opts("aggressive", "gentle", "lazy"), cR, gPool, "child process management strategy.")),
	pi("num_init_children", "32", 1, maxInt, UnitNone, cI, gPool, "Maximim number of child processs to handle client connections."),
	since("4.4", pi("min_spare_children", "5", 1, maxInt, UnitNone, cR, gPool, "Minimum number of spare child processes.")),
	since("4.4", pi("max_spare_children", "10", 1, maxInt, UnitNone, cR, gPool, "Maximum number of spare child processes.")),
	pi("child_life_time", "300", 0, maxInt, UnitS, cI, gPool, "pgpool-II child process life time in seconds."),
	pi("child_max_connections", "0", 0, maxInt, UnitNone, cI, gPool, "A pgpool-II child process will be terminated after this many connections from clients."),
	pi("connection_life_time", "0", 0, maxInt, UnitS, cI, gPool, "Cached connections expiration time in seconds."),
	pi("client_idle_limit", "0", 0, maxInt, UnitS, cS, gPool, "idle time in seconds to disconnects a client."),

	// LOGS
	ps("log_destination", "stderr", cR, gLog, "destination of pgpool-II log"),
	ps("log_line_prefix", "%m: %a pid %p: ", cR, gLog, "printf-style string to output at beginning of each log line."),
	pe("log_error_verbosity", "default", []EnumOption{{"terse", 0, false}, {"default", 1, false}, {"verbose", 2, false}}, cS, gLog, "How much details about error should be emitted."),
	pe("client_min_messages", "notice", messageLevels, cS, gLog, "Which messages should be sent to client."),
	pe("log_min_messages", "warning", messageLevels, cS, gLog, "Which messages should be emitted to server log."),
	pb("log_connections", false, cR, gLog, "Logs each successful connection."),
	pb("log_disconnections", false, cR, gLog, "Logs end of a session."),
	pb("log_hostname", false, cR, gLog, "Logs the host name in the connection logs."),
	pb("log_statement", false, cS, gLog, "Logs all statements in the pgpool logs."),
	pb("log_per_node_statement", false, cS, gLog, "Logs per node detailed SQL statements."),
	pb("log_client_messages", false, cS, gLog, "Logs any client messages in the pgpool logs."),
	pe("log_standby_delay", "if_over_threshold", opts("always", "if_over_threshold", "none"), cR, gMode, "When to log standby delay."),
	pe("syslog_facility", "LOCAL0", syslogFacilities, cR, gLog, "syslog local facility."),
	ps("syslog_ident", "pgpool", cR, gLog, "syslog program ident string."),

	// FILE LOCATIONS
	ps("pid_file_name", defaultPidFileName, cI, gFile, "Path to store pgpool-II pid file."),
	since("4.7", ps("work_dir", defaultSocketDir, cI, gFile, "Pgpool-II work directory (pgpool_status file and query cache lock file).")),

	// CONNECTION POOLING
	pb("connection_cache", true, cI, gPool, "Caches connections to backends."),
	pl("reset_query_list", "ABORT;DISCARD ALL", ";", cR, gPool, "list of commands sent to reset the backend connection when user session exits."),

	// REPLICATION MODE
	pb("replicate_select", false, cR, gRepl, "Replicate SELECT statements when load balancing is disabled."),
	pb("insert_lock", true, cR, gRepl, "Automatically locks table with INSERT to keep SERIAL data consistency"),
	ps("lobj_lock_table", "", cR, gRepl, "Table name used for large object replication control."),
	pb("replication_stop_on_mismatch", false, cR, gRepl, "Starts degeneration and stops replication, If there's a data mismatch between primary and secondary."),
	pb("failover_if_affected_tuples_mismatch", false, cR, gRepl, "Starts degeneration, If there's a data mismatch between primary and secondary."),

	// LOAD BALANCING
	pb("load_balance_mode", true, cI, gLB, "Enables load balancing of queries."),
	pb("ignore_leading_white_space", true, cR, gLB, "Ignores leading white spaces of each query string."),
	pl("read_only_function_list", "", ",", cR, gPool, "list of functions that does not writes to database."),
	pl("write_function_list", "", ",", cR, gPool, "list of functions that writes to database."),
	pl("primary_routing_query_pattern_list", "", ";", cR, gPool, "list of query patterns that should be sent to primary node."),
	pe("disable_load_balance_on_write", "transaction", opts("off", "transaction", "trans_transaction", "always", "dml_adaptive"), cR, gLB, "Load balance behavior when write query is received."),
	ps("dml_adaptive_object_relationship_list", "", cR, gSR, "list of relationships between objects."),
	pb("statement_level_load_balance", false, cR, gLB, "Enables statement level load balancing"),

	// STREAMING
	pi("sr_check_period", "10", 0, maxInt, UnitS, cR, gSR, "Time interval in seconds between the streaming replication delay checks."),
	ps("sr_check_user", "nobody", cR, gSR, "The User name to perform streaming replication delay check."),
	secret(ps("sr_check_password", "", cR, gSR, "The password for user to perform streaming replication delay check.")),
	ps("sr_check_database", "postgres", cR, gSR, "The database name to perform streaming replication delay check."),
	pi("delay_threshold", "0", 0, maxLong, UnitBytes, cR, gSR, "standby delay threshold in bytes."),
	since("4.4", pi("delay_threshold_by_time", "0", 0, maxInt, UnitMs, cR, gSR, "standby delay threshold by time.")),
	pb("prefer_lower_delay_standby", false, cR, gSR, "If the load balance node is delayed over delay_threshold on SR, pgpool find another standby node which is lower delayed."),
	ps("follow_primary_command", "", cR, gFail, "Command to execute in streaming replication mode after a primary node failover."),
	ps("database_redirect_preference_list", "", cR, gSR, "redirect by database name."),
	ps("app_name_redirect_preference_list", "", cR, gSR, "redirect by application name."),
	since("4.5", ps("user_redirect_preference_list", "", cR, gSR, "redirect by user name.")),
	pb("allow_sql_comments", false, cS, gLB, "Ignore SQL comments, while judging if load balance or query cache is possible."),

	// HEALTH CHECK (the value without suffix is the default of every node)
	indexed(pi("health_check_period", "0", 0, maxInt, UnitS, cR, gHC, "Time interval in seconds between the health checks."), MaxBackends, "health_check", true),
	indexed(pi("health_check_timeout", "20", 0, maxInt, UnitS, cR, gHC, "Backend node health check timeout value in seconds."), MaxBackends, "health_check", true),
	indexed(ps("health_check_user", "nobody", cR, gHC, "User name for PostgreSQL backend health check."), MaxBackends, "health_check", true),
	indexed(secret(ps("health_check_password", "", cR, gHC, "Password for PostgreSQL backend health check database user.")), MaxBackends, "health_check", true),
	indexed(ps("health_check_database", "postgres", cR, gHC, "The database name to be used to perform PostgreSQL backend health check."), MaxBackends, "health_check", true),
	indexed(pi("health_check_max_retries", "0", 0, maxInt, UnitNone, cR, gHC, "The maximum number of times to retry a failed health check before giving up and initiating failover."), MaxBackends, "health_check", true),
	indexed(pi("health_check_retry_delay", "1", 0, maxInt, UnitS, cR, gHC, "The amount of time in seconds to wait between failed health check retries."), MaxBackends, "health_check", true),
	indexed(pi("connect_timeout", "10000", 0, maxInt, UnitMs, cR, gHC, "Timeout in milliseconds before giving up connecting to backend."), MaxBackends, "health_check", true),

	// FAILOVER AND FAILBACK
	ps("failover_command", "", cR, gFail, "Command to execute when backend node is detached."),
	ps("failback_command", "", cR, gFail, "Command to execute when backend node is attached."),
	pb("failover_on_backend_error", true, cR, gFail, "Triggers fail over when reading/writing to backend socket fails."),
	since("4.3", pb("failover_on_backend_shutdown", false, cR, gFail, "Triggers fail over when backend is shutdown.")),
	pb("detach_false_primary", false, cR, gFail, "Automatically detaches false primary node."),
	pb("auto_failback", false, cR, gFail, "Enables nodes automatically reattach, when detached node continue streaming replication."),
	pi("auto_failback_interval", "60", 0, maxInt, UnitS, cR, gFail, "min interval of executing auto_failback in seconds"),

	// ONLINE RECOVERY
	ps("recovery_user", "", cR, gRecov, "User name for online recovery."),
	secret(ps("recovery_password", "", cR, gRecov, "Password for online recovery.")),
	since("4.7", ps("recovery_database", "postgres", cR, gRecov, "Database name for online recovery.")),
	ps("recovery_1st_stage_command", "", cR, gRecov, "Command to execute in first stage recovery."),
	ps("recovery_2nd_stage_command", "", cR, gRecov, "Command to execute in second stage recovery."),
	pi("recovery_timeout", "90", 0, maxInt, UnitS, cR, gRecov, "Maximum time in seconds to wait for the recovering PostgreSQL node."),
	pi("search_primary_node_timeout", "300", 0, maxInt, UnitS, cR, gFail, "Max time in seconds to search for primary node after failover."),
	pi("client_idle_limit_in_recovery", "0", -1, maxInt, UnitS, cS, gRecov, "Time limit is seconds for the child connection, before it is terminated during the 2nd stage recovery."),

	// OTHERS
	pi("relcache_expire", "0", 0, maxLong, UnitS, cI, gCache, "Relation cache expiration time in seconds."),
	pi("relcache_size", "256", 0, maxInt, UnitNone, cI, gCache, "Number of relation cache entry."),
	pe("check_temp_table", "catalog", opts("catalog", "trace", "none", "on", "off"), cR, gGeneral, "Enables temporary table check."),
	pb("check_unlogged_table", true, cS, gGeneral, "Enables unlogged table check."),
	pb("enable_shared_relcache", true, cI, gCache, "relation cache stored in memory cache."),
	pe("relcache_query_target", "primary", opts("primary", "load_balance_node"), cR, gLB, "Target node to send relache queries."),

	// WATCHDOG
	pb("use_watchdog", false, cI, gWD, "Enables the pgpool-II watchdog."),
	ps("wd_ipc_socket_dir", defaultSocketDir, cI, gConn, "The directory to create the UNIX domain socket for accepting pgpool-II watchdog IPC connections."),
	pe("wd_lifecheck_method", "heartbeat", opts("query", "heartbeat", "external"), cI, gWD, "method for watchdog lifecheck."),
	pb("clear_memqcache_on_escalation", true, cR, gWD, "Clears the query cache in the shared memory when pgpool-II escalates to leader watchdog node."),
	ps("wd_escalation_command", "", cR, gWD, "Command to execute when watchdog node becomes cluster leader node."),
	ps("wd_de_escalation_command", "", cR, gWD, "Command to execute when watchdog node resigns from the cluster leader node."),
	ps("trusted_servers", "", cI, gWD, "List of servers to verify connectivity."),
	ps("trusted_server_command", "ping -q -c3 %h", cR, gWD, "Command to excute when communicate with trusted server."),
	ps("delegate_ip", "", cI, gWD, "Delegate IP address to be used when pgpool node become a watchdog cluster leader."),
	pi("wd_priority", "1", 0, maxInt, UnitNone, cI, gWD, "Watchdog node priority for leader election."),
	pi("wd_interval", "10", 0, maxInt, UnitS, cI, gWD, "Time interval in seconds between life check."),
	ps("ping_path", "/bin", cI, gWD, "path to ping command."),
	ps("if_cmd_path", "/sbin", cI, gWD, "Path to interface command."),
	ps("if_up_cmd", "/usr/bin/sudo /sbin/ip addr add $_IP_$/24 dev eth0 label eth0:0", cI, gWD, "Complete command to bring UP virtual interface."),
	ps("if_down_cmd", "/usr/bin/sudo /sbin/ip addr del $_IP_$/24 dev eth0", cI, gWD, "Complete command to bring down virtual interface."),
	ps("arping_path", "/usr/sbin", cI, gWD, "path to arping command."),
	ps("arping_cmd", "/usr/bin/sudo /usr/sbin/arping -U $_IP_$ -w 1 -I eth0", cI, gWD, "arping command."),
	pi("wd_heartbeat_keepalive", "2", 1, maxInt, UnitS, cI, gWD, "Time interval in seconds between sending the heartbeat signal."),
	pi("wd_heartbeat_deadtime", "30", 1, maxInt, UnitS, cI, gWD, "Deadtime interval in seconds for heartbeat signal."),
	pi("wd_life_point", "3", 0, maxInt, UnitNone, cI, gWD, "Maximum number of retries before failing the life check."),
	ps("wd_lifecheck_query", "SELECT 1", cI, gWD, "SQL query to be used by watchdog lifecheck."),
	ps("wd_lifecheck_dbname", "template1", cR, gWD, "Database name to be used for by watchdog lifecheck."),
	ps("wd_lifecheck_user", "nobody", cR, gWD, "User name to be used for by watchdog lifecheck."),
	secret(ps("wd_lifecheck_password", "", cR, gWD, "Password for watchdog user in lifecheck.")),
	indexed(ps("hostname", "", cR, gWD, "Hostname of pgpool node for watchdog connection."), MaxWatchdogNodes, "watchdog", false),
	indexed(pi("pgpool_port", "0", 1024, 65535, UnitNone, cR, gWD, "tcp/ip pgpool port number of other pgpool node for watchdog connection."), MaxWatchdogNodes, "watchdog", false),
	indexed(pi("wd_port", "0", 1024, 65535, UnitNone, cR, gWD, "tcp/ip watchdog port number of other pgpool node for watchdog connection.."), MaxWatchdogNodes, "watchdog", false),
	indexed(ps("heartbeat_hostname", "", cR, gWDLife, "Hostname for sending heartbeat signal."), MaxHeartbeatDests, "heartbeat", false),
	indexed(ps("heartbeat_device", "", cR, gWDLife, "Name of NIC device for sending heartbeat."), MaxHeartbeatDests, "heartbeat", false),
	indexed(pi("heartbeat_port", "0", 1024, 65535, UnitNone, cR, gWDLife, "Port for sending heartbeat."), MaxHeartbeatDests, "heartbeat", false),
	pl("wd_monitoring_interfaces_list", "", ",", cI, gWD, "List of network device names, to be monitored by the watchdog process for the network link state."),

	// QUERY CACHE
	pb("memory_cache_enabled", false, cI, gCache, "Enables the memory cache functionality."),
	pe("memqcache_method", "shmem", opts("shmem", "memcached"), cI, gCache, "Cache store method. either shmem(shared memory) or Memcached. shmem by default."),
	ps("memqcache_memcached_host", "localhost", cI, gCache, "Hostname or IP address of memcached."),
	pi("memqcache_memcached_port", "11211", 0, maxInt, UnitNone, cI, gCache, "Port number of Memcached server."),
	pi("memqcache_total_size", "67108864", 0, maxLong, UnitBytes, cI, gCache, "Total memory size in bytes for storing memory cache."),
	pi("memqcache_max_num_cache", "1000000", 0, maxInt, UnitNone, cI, gCache, "Total number of cache entries."),
	pi("memqcache_expire", "0", 0, maxInt, UnitS, cI, gCache, "Memory cache entry life time specified in seconds."),
	pb("memqcache_auto_cache_invalidation", true, cR, gCache, "Automatically deletes the cache related to the updated tables."),
	pi("memqcache_maxcache", "409600", 0, maxInt, UnitBytes, cI, gCache, "Maximum SELECT result size in bytes."),
	pi("memqcache_cache_block_size", "1048576", 512, maxInt, UnitBytes, cI, gCache, "Cache block size in bytes."),
	ps("memqcache_oiddir", defaultMemqcacheDir, cI, gCache, "Temporary directory to record table oids."),
	pl("cache_safe_memqcache_table_list", "", ",", cR, gCache, "list of tables to be cached."),
	pl("cache_unsafe_memqcache_table_list", "", ",", cR, gCache, "list of tables should not be cached."),

	// BACKENDS (shown per configured node at the end of SHOW pool_status)
	indexed(ps("backend_hostname", "", cR, gConn, "hostname or IP address of PostgreSQL backend."), MaxBackends, "backend", false),
	indexed(pi("backend_port", "0", 1024, 65535, UnitNone, cR, gConn, "port number of PostgreSQL backend."), MaxBackends, "backend", false),
	indexed(Param{Name: "backend_weight", Kind: KindReal, Default: "0", Min: 0, Max: 100000000, Context: cR, Group: gConn, Description: "load balance weight of backend."}, MaxBackends, "backend", false),
	indexed(ps("backend_data_directory", "", cR, gConn, "data directory of the backend."), MaxBackends, "backend", false),
	indexed(Param{Name: "backend_flag", Kind: KindList, Separator: "|", Default: "ALLOW_TO_FAILOVER", Context: cR, Group: gConn, Description: "Controls various backend behavior."}, MaxBackends, "backend", false),
	indexed(ps("backend_application_name", "", cR, gConn, "application_name of the backend."), MaxBackends, "backend", false),

	// Parameters SHOW pool_status does not list.
	pb("failover_when_quorum_exists", true, cI, gFail, "Do failover only when cluster has the quorum."),
	pb("failover_require_consensus", true, cI, gFail, "Only do failover when majority aggrees."),
	pb("allow_multiple_failover_requests_from_node", false, cI, gFail, "A Pgpool-II node can send multiple failover requests to build consensus."),
	pb("enable_consensus_with_half_votes", false, cI, gFail, "apply majority rule for consensus and quorum computation at 50% of votes in a cluster with an even number of nodes."),
	pb("wd_remove_shutdown_nodes", false, cR, gWD, "Revoke the cluster membership of properly shutdown watchdog nodes."),
	pi("wd_lost_node_removal_timeout", "0", 0, maxInt, UnitS, cR, gWD, "Timeout in seconds to revoke the cluster membership of LOST watchdog nodes."),
	pi("wd_no_show_node_removal_timeout", "0", 0, maxInt, UnitS, cR, gWD, "Timeout in seconds to revoke the cluster membership of NO-SHOW watchdog nodes."),
	ps("wd_authkey", "", cR, gWD, "Authentication key to be used in watchdog communication."),
	since("4.7", ps("wd_listen_address", "*", cI, gWD, "Address on which the watchdog process listens.")),
	since("4.7", pi("wd_listen_port", "0", 0, 65535, UnitNone, cI, gWD, "Port on which the watchdog process listens (0: wd_portN of the local node).")),
	since("4.7", pl("wd_heartbeat_listen_addresses", "*", ",", cI, gWDLife, "Addresses on which the heartbeat receiver listens.")),
	since("4.7", pi("wd_heartbeat_listen_port", "0", 0, 65535, UnitNone, cI, gWDLife, "Port on which the heartbeat receiver listens (0: heartbeat_portN of the local node).")),
	pb("logging_collector", false, cI, gLog, "Enable capturing of stderr into log files."),
	ps("log_directory", "/tmp/pgpool_logs", cI, gLog, "directory where log files are written."),
	ps("log_filename", "pgpool-%Y-%m-%d_%H%M%S.log", cI, gLog, "log file name pattern."),
	pb("log_truncate_on_rotation", false, cI, gLog, "If on, an existing log file gets truncated on time based log rotation."),
	pi("log_rotation_age", "1440", 0, maxInt, UnitMin, cI, gLog, "Automatic rotation of logfiles will happen after that (minutes) time."),
	pi("log_rotation_size", "10240", 0, maxInt/1024, UnitKB, cI, gLog, "Automatic rotation of logfiles will happen after that much (kilobytes) log output."),
	pi("log_file_mode", "0600", 0, maxInt, UnitNone, cI, gLog, "creation mode for log files."),
	since("4.4", pb("log_pcp_processes", false, cR, gLog, "Logs process forking and exiting of PCP processes.")),
	since("4.5", pb("notice_per_node_statement", false, cS, gLog, "Logs per node detailed SQL statements as notice messages.")),
	since("4.6", pe("log_backend_messages", "none", opts("none", "terse", "verbose"), cS, gLog, "Logs any backend messages in the pgpool logs.")),
	pb("health_check_test", false, cI, gHC, "If on, enable health check testing."),
	// pgpool-go's own: the PCP protocol has no version negotiation, and
	// pcp_* clients of older releases misread 4.7's node info rows; a site
	// whose scripts run older clients (Debian 12 ships 4.3) picks their
	// layout here (reference §1.9).
	since("pgpool-go", pe("pcp_reply_layout", "4.7", opts("4.7", "4.5", "4.4", "4.3"), cR, gConn, "Row layout of PCP replies: the Pgpool-II release of the pcp_* clients in use.")),
}
