package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Value returns the display form of a parameter for PGPOOL SHOW name:
// booleans on/off, ints in the greatest unit dividing them ("5min"), enums
// by name, lists as configured, secrets as "*****". An indexed name
// (backend_port0, health_check_period1) shows that node's value; a
// health-check name without suffix shows the default for all nodes.
func (c *Config) Value(name string) (string, bool) {
	p, idx, err := resolve(name)
	if p == nil || err != nil {
		return "", false
	}
	if p.Secret {
		return "*****", true
	}
	if idx >= 0 {
		return c.indexedValue(p, idx), true
	}
	return c.scalarValue(p, false), true
}

func (c *Config) field(p *Param) reflect.Value {
	return reflect.ValueOf(c).Elem().FieldByName(p.Field())
}

// scalarValue renders a scalar for PGPOOL SHOW (status=false) or
// SHOW pool_status (status=true: bools and enums as integers, no units).
func (c *Config) scalarValue(p *Param, status bool) string {
	f := c.field(p)
	switch p.Kind {
	case KindBool:
		if status {
			if f.Bool() {
				return "1"
			}
			return "0"
		}
		if f.Bool() {
			return "on"
		}
		return "off"
	case KindInt:
		v := f.Int()
		switch {
		case p.Name == "unix_socket_permissions":
			return fmt.Sprintf("%04o", v)
		case status || p.NoIndex:
			return strconv.FormatInt(v, 10)
		}
		return formatInt(v, p.Unit)
	case KindEnum:
		if status {
			if p.Name == "syslog_facility" {
				return fmt.Sprintf("LOCAL%d", enumValue(p, f.String())/8-16)
			}
			return strconv.Itoa(enumValue(p, f.String()))
		}
		return f.String()
	case KindList:
		if status {
			sep := ","
			if p.Separator == ";" {
				sep = ";"
			}
			return strings.Join(f.Interface().([]string), sep)
		}
		return c.raw[p.Name]
	}
	return f.String()
}

func (c *Config) indexedValue(p *Param, i int) string {
	switch p.ShowGroup {
	case "backend":
		var b Backend
		if i < len(c.Backends) {
			b = c.Backends[i]
		}
		switch p.Name {
		case "backend_hostname":
			if !b.InUse() {
				return ""
			}
			return b.Host()
		case "backend_port":
			return strconv.Itoa(b.Port)
		case "backend_weight":
			return strconv.Itoa(int(b.Weight)) // Pgpool prints the weight with %d
		case "backend_data_directory":
			return b.DataDirectory
		case "backend_flag":
			return b.Flag.String()
		case "backend_application_name":
			return b.ApplicationName
		}
	case "watchdog":
		var w WatchdogNode
		if i < len(c.Watchdog) {
			w = c.Watchdog[i]
		}
		switch p.Name {
		case "hostname":
			return w.Hostname
		case "wd_port":
			return strconv.Itoa(w.WdPort)
		case "pgpool_port":
			return strconv.Itoa(w.PgpoolPort)
		}
	case "heartbeat":
		var h HeartbeatDest
		if i < len(c.Heartbeat) {
			h = c.Heartbeat[i]
		}
		switch p.Name {
		case "heartbeat_hostname":
			return h.Hostname
		case "heartbeat_port":
			return strconv.Itoa(h.Port)
		case "heartbeat_device":
			return h.Device
		}
	case "health_check":
		h := c.HealthCheck(i)
		switch p.Name {
		case "health_check_period":
			return strconv.Itoa(h.Period)
		case "health_check_timeout":
			return strconv.Itoa(h.Timeout)
		case "health_check_user":
			return h.User
		case "health_check_password":
			return h.Password
		case "health_check_database":
			return h.Database
		case "health_check_max_retries":
			return strconv.Itoa(h.MaxRetries)
		case "health_check_retry_delay":
			return strconv.Itoa(h.RetryDelay)
		case "connect_timeout":
			return strconv.Itoa(h.ConnectTimeout)
		}
	}
	return ""
}

// StatusRow is one row of SHOW pool_status / PGPOOL SHOW ALL.
type StatusRow struct {
	Item        string
	Value       string
	Description string
	// Runtime marks rows whose value lives in shared memory, not in the
	// configuration; Value holds what a freshly started pool shows and
	// pkg/show replaces it. Node is the backend for per-node rows.
	Runtime RuntimeItem
	Node    int
}

// RuntimeItem names a SHOW pool_status row filled from shared memory.
type RuntimeItem uint8

// Runtime rows.
const (
	RuntimeNone RuntimeItem = iota
	RuntimeBackendStatus
	RuntimeStandbyDelay
	RuntimeMemqcacheStatsStartTime
	RuntimeMemqcacheNoCacheHits
	RuntimeMemqcacheCacheHits
)

// statusItems is the order and description of SHOW pool_status
// (pool_process_reporting.c get_config). "@watchdog", "@heartbeat",
// "@memqcache_stats" and "@backends" mark the generated blocks.
var statusItems = []struct{ name, desc string }{
	{"backend_clustering_mode", "clustering mode"},
	{"listen_addresses", "host name(s) or IP address(es) to listen on"},
	{"port", "pgpool accepting port number"},
	{"unix_socket_directories", "pgpool socket directories"},
	{"unix_socket_group", "owning user of the unix sockets"},
	{"unix_socket_permissions", "access permissions of the unix sockets."},
	{"pcp_listen_addresses", "host name(s) or IP address(es) for pcp process to listen on"},
	{"pcp_port", "PCP port # to bind"},
	{"pcp_socket_dir", "PCP socket directory"},
	{"enable_pool_hba", "if true, use pool_hba.conf for client authentication"},
	{"pool_passwd", "file name of pool_passwd for md5 authentication"},
	{"authentication_timeout", "maximum time in seconds to complete client authentication"},
	{"allow_clear_text_frontend_auth", "allow to use clear text password auth when pool_passwd does not contain password"},
	{"ssl", "SSL support"},
	{"ssl_key", "SSL private key file"},
	{"ssl_cert", "SSL public certificate file"},
	{"ssl_ca_cert", "single PEM format file containing CA root certificate(s)"},
	{"ssl_ca_cert_dir", "directory containing CA root certificate(s)"},
	{"ssl_crl_file", "SSL certificate revocation list file"},
	{"ssl_ciphers", "allowed SSL ciphers"},
	{"ssl_prefer_server_ciphers", "Use server's SSL cipher preferences"},
	{"ssl_ecdh_curve", "the curve to use in ECDH key exchange"},
	{"ssl_dh_params_file", "path to the Diffie-Hellman parameters contained file"},
	{"ssl_passphrase_command", "external command to be invoked when a passphrase for decrypting an SSL file such as a private key needs to be obtained"},
	{"listen_backlog_multiplier", "determines the size of the queue for pending connections"},
	{"serialize_accept", "whether to serialize accept() call"},
	{"reserved_connections", "number of reserved connections"},
	{"max_pool", "max # of connection pool per child"},
	{"process_management_mode", "process management mode"},
	{"process_management_strategy", "process management strategy"},
	{"num_init_children", "# of children initially pre-forked"},
	{"min_spare_children", "min # of spare children waitting for connection"},
	{"max_spare_children", "max # of spare children waitting for connection"},
	{"child_life_time", "if idle for this seconds, child exits"},
	{"child_max_connections", "if max_connections received, child exits"},
	{"connection_life_time", "if idle for this seconds, connection closes"},
	{"client_idle_limit", "if idle for this seconds, child connection closes"},
	{"log_destination", "logging destination"},
	{"log_line_prefix", "printf-style string to output at beginning of each log line"},
	{"log_error_verbosity", "controls how much detail about error should be emitted"},
	{"client_min_messages", "controls which message should be sent to client"},
	{"log_min_messages", "controls which message should be emitted to server log"},
	{"log_connections", "if true, print incoming connections to the log"},
	{"log_disconnections", "if true, print closing connections to the log"},
	{"log_hostname", "if true, resolve hostname for ps and log print"},
	{"log_statement", "if non 0, logs all SQL statements"},
	{"log_per_node_statement", "if non 0, logs all SQL statements on each node"},
	{"log_client_messages", "if non 0, logs any client messages"},
	{"log_standby_delay", "how to log standby delay"},
	{"syslog_facility", "syslog local facility"},
	{"syslog_ident", "syslog program ident string"},
	{"pid_file_name", "path to pid file"},
	{"work_dir", "PgPool status file logging directory"},
	{"connection_cache", "if true, cache connection pool"},
	{"reset_query_list", "queries issued at the end of session"},
	{"replicate_select", "non 0 if SELECT statement is replicated"},
	{"insert_lock", "insert lock"},
	{"lobj_lock_table", "table name used for large object replication control"},
	{"replication_stop_on_mismatch", "stop replication mode on fatal error"},
	{"failover_if_affected_tuples_mismatch", "failover if affected tuples are mismatch"},
	{"load_balance_mode", "non 0 if operating in load balancing mode"},
	{"ignore_leading_white_space", "ignore leading white spaces"},
	{"read_only_function_list", "functions those do not write to database"},
	{"write_function_list", "functions those write to database"},
	{"primary_routing_query_pattern_list", "query patterns that should be sent to primary node"},
	{"disable_load_balance_on_write", "Load balance behavior when write query is received"},
	{"dml_adaptive_object_relationship_list", "list of relationships between objects"},
	{"statement_level_load_balance", "statement level load balancing"},
	{"sr_check_period", "sr check period"},
	{"sr_check_user", "sr check user"},
	{"sr_check_database", "sr check database"},
	{"delay_threshold", "standby delay threshold"},
	{"delay_threshold_by_time", "standby delay threshold by time"},
	{"prefer_lower_delay_standby", "load balancing considering streaming delay"},
	{"follow_primary_command", "follow primary command"},
	{"database_redirect_preference_list", "redirect by database name"},
	{"app_name_redirect_preference_list", "redirect by application name"},
	{"user_redirect_preference_list", "redirect by user name"},
	{"allow_sql_comments", "allow SQL comments"},
	{"health_check_period", "health check period"},
	{"health_check_timeout", "health check timeout"},
	{"health_check_user", "health check user"},
	{"health_check_database", "health check database"},
	{"health_check_max_retries", "health check max retries"},
	{"health_check_retry_delay", "health check retry delay"},
	{"connect_timeout", "connect timeout"},
	{"failover_command", "failover command"},
	{"failback_command", "failback command"},
	{"failover_on_backend_error", "failover on backend error"},
	{"failover_on_backend_shutdown", "failover on backend shutdown"},
	{"detach_false_primary", "detach false primary"},
	{"auto_failback", "auto_failback"},
	{"auto_failback_interval", "auto_failback_interval"},
	{"recovery_user", "online recovery user"},
	{"recovery_1st_stage_command", "execute a command in first stage."},
	{"recovery_2nd_stage_command", "execute a command in second stage."},
	{"recovery_timeout", "max time in seconds to wait for the recovering node's postmaster"},
	{"search_primary_node_timeout", "max time in seconds to search for primary node after failover"},
	{"client_idle_limit_in_recovery", "if idle for this seconds, child connection closes in recovery 2nd stage"},
	{"relcache_expire", "relation cache expiration time in seconds"},
	{"relcache_size", "number of relation cache entry"},
	{"check_temp_table", "enable temporary table check"},
	{"check_unlogged_table", "enable unlogged table check"},
	{"enable_shared_relcache", "If true, relation cache stored in memory cache"},
	{"relcache_query_target", "Target node to send relcache queries"},
	{"use_watchdog", "non 0 if operating in use_watchdog"},
	{"wd_ipc_socket_dir", "watchdog ipc socket directory"},
	{"wd_lifecheck_method", "method of watchdog lifecheck"},
	{"clear_memqcache_on_escalation", "If true, clear all the query caches in shared memory when escalation occurs"},
	{"wd_escalation_command", "command executed when escalation occurs"},
	{"wd_de_escalation_command", "command executed when leader pgpool resigns occurs"},
	{"trusted_servers", "upper server list to observe connection"},
	{"trusted_server_command", "command executed when upper servers are observed"},
	{"delegate_ip", "delegate IP address of leader pgpool"},
	{"wd_priority", "watchdog priority"},
	{"wd_interval", "life check interval (second)"},
	{"ping_path", "path to ping command"},
	{"if_cmd_path", "path to interface up/down command"},
	{"if_up_cmd", "virtual interface up command with full parameters"},
	{"if_down_cmd", "virtual interface down command with full parameters"},
	{"arping_path", "path to arping command"},
	{"arping_cmd", "send ARP REQUEST to neighbour host"},
	{"wd_heartbeat_keepalive", "interval time of sending heartbeat signal (sec)"},
	{"wd_heartbeat_deadtime", "deadtime interval for heartbeat signal (sec)"},
	{"wd_life_point", "retry times of life check"},
	{"wd_lifecheck_query", "lifecheck query to pgpool from watchdog"},
	{"wd_lifecheck_dbname", "database name connected for lifecheck"},
	{"wd_lifecheck_user", "watchdog user monitoring pgpools in lifecheck"},
	{"wd_lifecheck_password", "password for watchdog user in lifecheck"},
	{"@watchdog", ""},
	{"@heartbeat", ""},
	{"wd_monitoring_interfaces_list", "interfaces to monitor by watchdog"},
	{"memory_cache_enabled", "If true, use the memory cache functionality, false by default"},
	{"memqcache_method", "Cache store method. either shmem(shared memory) or Memcached. shmem by default"},
	{"memqcache_memcached_host", "Memcached host name. Mandatory if memqcache_method=memcached"},
	{"memqcache_memcached_port", "Memcached port number. Mandatory if memqcache_method=memcached"},
	{"memqcache_total_size", "Total memory size in bytes for storing memory cache. Mandatory if memqcache_method=shmem"},
	{"memqcache_max_num_cache", "Total number of cache entries"},
	{"memqcache_expire", "Memory cache entry life time specified in seconds. 60 by default"},
	{"memqcache_auto_cache_invalidation", "If true, invalidation of query cache is triggered by corresponding DDL/DML/DCL(and memqcache_expire).  If false, it is only triggered  by memqcache_expire.  True by default."},
	{"memqcache_maxcache", "Maximum SELECT result size in bytes"},
	{"memqcache_cache_block_size", "Cache block size in bytes. 8192 by default"},
	{"memqcache_oiddir", "Temporary work directory to record table oids"},
	{"@memqcache_stats", ""},
	{"cache_safe_memqcache_table_list", "tables to memqcache"},
	{"cache_unsafe_memqcache_table_list", "tables not to memqcache"},
	{"@backends", ""},
}

// StatusRows returns the rows of SHOW pool_status (and pcp_pool_status) in
// Pgpool's order and formats (reference §7.4): booleans and enums as
// integers, lists joined, then per configured watchdog node, heartbeat
// destination and backend. Rows marked Runtime carry a placeholder value.
// Passwords are not listed, as in Pgpool (wd_lifecheck_password is, as in
// Pgpool).
func (c *Config) StatusRows() []StatusRow {
	rows := make([]StatusRow, 0, len(statusItems)+8*len(c.Backends))
	for _, it := range statusItems {
		switch it.name {
		case "@watchdog":
			for j, w := range c.Watchdog {
				if w.PgpoolPort == 0 {
					continue
				}
				if j == c.PgpoolNodeID {
					rows = append(rows,
						StatusRow{Item: fmt.Sprintf("hostname%d", j), Value: w.Hostname, Description: "hostname or IP address of local pgpool node"},
						StatusRow{Item: fmt.Sprintf("pgpool_port%d", j), Value: strconv.Itoa(w.PgpoolPort), Description: "local pgpool port number"},
						StatusRow{Item: fmt.Sprintf("wd_port%d", j), Value: strconv.Itoa(w.WdPort), Description: "local watchdog port number"})
					continue
				}
				rows = append(rows,
					StatusRow{Item: fmt.Sprintf("hostname%d", j), Value: w.Hostname, Description: fmt.Sprintf("hostname or IP address of pgpool node #%d", j)},
					StatusRow{Item: fmt.Sprintf("pgpool_port%d", j), Value: strconv.Itoa(w.PgpoolPort), Description: fmt.Sprintf("pgpool port number of pgpool node #%d", j)},
					StatusRow{Item: fmt.Sprintf("wd_port%d", j), Value: strconv.Itoa(w.WdPort), Description: fmt.Sprintf("watchdog port number of pgpool node #%d", j)})
			}
		case "@heartbeat":
			for j, h := range c.Heartbeat {
				if h.Port == 0 || j >= MaxWatchdogNodes {
					continue
				}
				if j == c.PgpoolNodeID {
					rows = append(rows,
						StatusRow{Item: fmt.Sprintf("heartbeat_hostname%d", j), Value: h.Hostname, Description: "IP address or hostname for receiving heartbeat"},
						StatusRow{Item: fmt.Sprintf("heartbeat_device%d", j), Value: h.Device, Description: "name of NIC device for receiving hearbeat"},
						StatusRow{Item: fmt.Sprintf("heartbeat_port%d", j), Value: strconv.Itoa(h.Port), Description: "port number for receiving heartbeat"})
					continue
				}
				rows = append(rows,
					StatusRow{Item: fmt.Sprintf("heartbeat_hostname%d", j), Value: h.Hostname, Description: fmt.Sprintf("destination IP address or hostname for sending heartbeat to pgpool node #%d", j)},
					StatusRow{Item: fmt.Sprintf("heartbeat_device%d", j), Value: h.Device, Description: fmt.Sprintf("name of NIC device for sending hearbeat to pgpool node #%d", j)},
					StatusRow{Item: fmt.Sprintf("heartbeat_port%d", j), Value: strconv.Itoa(h.Port), Description: fmt.Sprintf("destination port for sending heartbeat to pgpool node #%d", j)})
			}
		case "@memqcache_stats":
			rows = append(rows,
				StatusRow{Item: "memqcache_stats_start_time", Description: "Start time of query cache stats", Runtime: RuntimeMemqcacheStatsStartTime},
				StatusRow{Item: "memqcache_no_cache_hits", Value: "0", Description: "Number of SELECTs not hitting query cache", Runtime: RuntimeMemqcacheNoCacheHits},
				StatusRow{Item: "memqcache_cache_hits", Value: "0", Description: "Number of SELECTs hitting query cache", Runtime: RuntimeMemqcacheCacheHits})
		case "@backends":
			for j, b := range c.Backends {
				if !b.InUse() {
					continue
				}
				rows = append(rows,
					StatusRow{Item: fmt.Sprintf("backend_hostname%d", j), Value: b.Host(), Description: fmt.Sprintf("backend #%d hostname", j), Node: j},
					StatusRow{Item: fmt.Sprintf("backend_port%d", j), Value: strconv.Itoa(b.Port), Description: fmt.Sprintf("backend #%d port number", j), Node: j},
					StatusRow{Item: fmt.Sprintf("backend_weight%d", j), Value: formatWeight(c.NormalizedWeight(j)), Description: fmt.Sprintf("weight of backend #%d", j), Node: j},
					StatusRow{Item: fmt.Sprintf("backend_data_directory%d", j), Value: b.DataDirectory, Description: fmt.Sprintf("data directory for backend #%d", j), Node: j},
					StatusRow{Item: fmt.Sprintf("backend_status%d", j), Value: "waiting", Description: fmt.Sprintf("status of backend #%d", j), Runtime: RuntimeBackendStatus, Node: j},
					StatusRow{Item: fmt.Sprintf("standby_delay%d", j), Value: "0", Description: fmt.Sprintf("standby delay of backend #%d", j), Runtime: RuntimeStandbyDelay, Node: j},
					StatusRow{Item: fmt.Sprintf("backend_flag%d", j), Value: b.Flag.String(), Description: fmt.Sprintf("backend #%d flag", j), Node: j},
					StatusRow{Item: fmt.Sprintf("backend_application_name%d", j), Value: b.ApplicationName, Description: fmt.Sprintf("application_name for backend #%d", j), Node: j})
			}
		default:
			p := paramIndex[it.name]
			item := it.name
			if item == "memqcache_oiddir" {
				item = "memqcache_cache_oiddir" // Pgpool's row name
			}
			v := c.scalarValue(p, true)
			if p.Kind == KindString {
				v = c.field(p).String()
			}
			rows = append(rows, StatusRow{Item: item, Value: v, Description: it.desc})
		}
	}
	return rows
}

// formatWeight prints a normalised weight as C's "%f" ("nan" for 0/0).
func formatWeight(w float64) string {
	if math.IsNaN(w) {
		return "nan"
	}
	return strconv.FormatFloat(w, 'f', 6, 64)
}

// ShowAll returns the rows of PGPOOL SHOW ALL: the grouped indexed
// parameters first (per configured slot), then every other parameter in
// table order, secrets as "*****".
func (c *Config) ShowAll() []StatusRow {
	var rows []StatusRow
	for _, g := range []string{"backend", "watchdog", "heartbeat", "health_check"} {
		r, _ := c.ShowGroup(g)
		rows = append(rows, r...)
	}
	for i := range paramTable {
		p := &paramTable[i]
		if p.Indexed {
			continue
		}
		v, _ := c.Value(p.Name)
		rows = append(rows, StatusRow{Item: p.Name, Value: v, Description: p.Description})
	}
	return rows
}

// ShowGroup returns the rows of PGPOOL SHOW <name> for a group (backend,
// watchdog, heartbeat, health_check) or an indexed parameter given without
// suffix (backend_hostname): one row per configured slot.
func (c *Config) ShowGroup(name string) ([]StatusRow, bool) {
	var params []*Param
	slots := 0
	group := name
	if p, ok := paramIndex[name]; ok && p.Indexed && !p.NoIndex {
		params, group = []*Param{p}, p.ShowGroup
	} else {
		for i := range paramTable {
			if paramTable[i].ShowGroup == name {
				params = append(params, &paramTable[i])
			}
		}
		if len(params) == 0 {
			return nil, false
		}
	}
	used := func(i int) bool { return true }
	switch group {
	case "backend", "health_check":
		slots = len(c.Backends)
		used = func(i int) bool { return c.Backends[i].InUse() }
	case "watchdog":
		slots = len(c.Watchdog)
		used = func(i int) bool { return c.Watchdog[i].PgpoolPort != 0 }
	case "heartbeat":
		slots = len(c.Heartbeat)
		used = func(i int) bool { return c.Heartbeat[i].Port != 0 }
	}
	var rows []StatusRow
	for i := 0; i < slots; i++ {
		if !used(i) {
			continue
		}
		for _, p := range params {
			n := fmt.Sprintf("%s%d", p.Name, i)
			v, _ := c.Value(n)
			rows = append(rows, StatusRow{Item: n, Value: v, Description: p.Description, Node: i})
		}
	}
	return rows, true
}
