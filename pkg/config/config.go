package config

import (
	"math"
	"strings"
)

// Config is one loaded pgpool.conf. It is immutable once returned by Load,
// Default, Reload or WithSession: pass the pointer around, never modify it;
// a reload builds a new Config.
//
// Every scalar parameter has one exported field named mechanically from its
// Pgpool name (see FieldName) and tagged with that name. Ints are in the
// parameter's base unit (Param.Unit), enums hold the canonical option name,
// lists hold their items. The health-check fields hold the value given
// without node suffix; HealthCheck(node) resolves per-node overrides.
type Config struct {
	// File is the absolute path of the file loaded ("" for Default()); Dir
	// its directory, against which pool_passwd, pid_file_name and
	// pgpool_node_id are resolved.
	File string
	Dir  string

	// Backends is indexed by node id; len is the highest index with a
	// non-zero backend_portN plus one. Gaps have Port 0.
	Backends []Backend
	// Watchdog holds hostnameN/wd_portN/pgpool_portN; len is the highest
	// index with a non-zero wd_portN or pgpool_portN plus one.
	Watchdog []WatchdogNode
	// Heartbeat holds heartbeat_hostnameN/heartbeat_portN/heartbeat_deviceN;
	// len is the highest index with a non-zero heartbeat_portN plus one.
	Heartbeat []HeartbeatDest
	// PgpoolNodeID is read from the pgpool_node_id file beside pgpool.conf
	// when use_watchdog is on (0 otherwise).
	PgpoolNodeID int

	// Parsed forms of the list parameters (lists.go); the router uses
	// these, never the strings.
	DatabaseRedirect  []Redirect // database_redirect_preference_list
	AppNameRedirect   []Redirect // app_name_redirect_preference_list
	UserRedirect      []Redirect // user_redirect_preference_list
	DMLAdaptiveRel    []ObjectRelation
	ReadOnlyFunctions []Pattern // read_only_function_list
	WriteFunctions    []Pattern // write_function_list
	PrimaryRouting    []Pattern // primary_routing_query_pattern_list
	CacheSafeTables   []Pattern
	CacheUnsafeTables []Pattern

	BackendClusteringMode                 string   `pgpool:"backend_clustering_mode"`
	ListenAddresses                       []string `pgpool:"listen_addresses"`
	Port                                  int      `pgpool:"port"`
	UnixSocketDirectories                 []string `pgpool:"unix_socket_directories"`
	UnixSocketGroup                       string   `pgpool:"unix_socket_group"`
	UnixSocketPermissions                 int      `pgpool:"unix_socket_permissions"`
	PcpListenAddresses                    []string `pgpool:"pcp_listen_addresses"`
	PcpPort                               int      `pgpool:"pcp_port"`
	PcpSocketDir                          []string `pgpool:"pcp_socket_dir"`
	EnablePoolHba                         bool     `pgpool:"enable_pool_hba"`
	PoolPasswd                            string   `pgpool:"pool_passwd"`
	AuthenticationTimeout                 int      `pgpool:"authentication_timeout"`
	AllowClearTextFrontendAuth            bool     `pgpool:"allow_clear_text_frontend_auth"`
	Ssl                                   bool     `pgpool:"ssl"`
	SslKey                                string   `pgpool:"ssl_key"`
	SslCert                               string   `pgpool:"ssl_cert"`
	SslCaCert                             string   `pgpool:"ssl_ca_cert"`
	SslCaCertDir                          string   `pgpool:"ssl_ca_cert_dir"`
	SslCrlFile                            string   `pgpool:"ssl_crl_file"`
	SslCiphers                            string   `pgpool:"ssl_ciphers"`
	SslPreferServerCiphers                bool     `pgpool:"ssl_prefer_server_ciphers"`
	SslEcdhCurve                          string   `pgpool:"ssl_ecdh_curve"`
	SslDhParamsFile                       string   `pgpool:"ssl_dh_params_file"`
	SslPassphraseCommand                  string   `pgpool:"ssl_passphrase_command"`
	ListenBacklogMultiplier               int      `pgpool:"listen_backlog_multiplier"`
	SerializeAccept                       bool     `pgpool:"serialize_accept"`
	ReservedConnections                   int      `pgpool:"reserved_connections"`
	MaxPool                               int      `pgpool:"max_pool"`
	ProcessManagementMode                 string   `pgpool:"process_management_mode"`
	ProcessManagementStrategy             string   `pgpool:"process_management_strategy"`
	NumInitChildren                       int      `pgpool:"num_init_children"`
	MinSpareChildren                      int      `pgpool:"min_spare_children"`
	MaxSpareChildren                      int      `pgpool:"max_spare_children"`
	ChildLifeTime                         int      `pgpool:"child_life_time"`
	ChildMaxConnections                   int      `pgpool:"child_max_connections"`
	ConnectionLifeTime                    int      `pgpool:"connection_life_time"`
	ClientIdleLimit                       int      `pgpool:"client_idle_limit"`
	LogDestination                        string   `pgpool:"log_destination"`
	LogLinePrefix                         string   `pgpool:"log_line_prefix"`
	LogErrorVerbosity                     string   `pgpool:"log_error_verbosity"`
	ClientMinMessages                     string   `pgpool:"client_min_messages"`
	LogMinMessages                        string   `pgpool:"log_min_messages"`
	LogConnections                        bool     `pgpool:"log_connections"`
	LogDisconnections                     bool     `pgpool:"log_disconnections"`
	LogHostname                           bool     `pgpool:"log_hostname"`
	LogStatement                          bool     `pgpool:"log_statement"`
	LogPerNodeStatement                   bool     `pgpool:"log_per_node_statement"`
	LogClientMessages                     bool     `pgpool:"log_client_messages"`
	LogStandbyDelay                       string   `pgpool:"log_standby_delay"`
	SyslogFacility                        string   `pgpool:"syslog_facility"`
	SyslogIdent                           string   `pgpool:"syslog_ident"`
	PidFileName                           string   `pgpool:"pid_file_name"`
	WorkDir                               string   `pgpool:"work_dir"`
	ConnectionCache                       bool     `pgpool:"connection_cache"`
	ResetQueryList                        []string `pgpool:"reset_query_list"`
	ReplicateSelect                       bool     `pgpool:"replicate_select"`
	InsertLock                            bool     `pgpool:"insert_lock"`
	LobjLockTable                         string   `pgpool:"lobj_lock_table"`
	ReplicationStopOnMismatch             bool     `pgpool:"replication_stop_on_mismatch"`
	FailoverIfAffectedTuplesMismatch      bool     `pgpool:"failover_if_affected_tuples_mismatch"`
	LoadBalanceMode                       bool     `pgpool:"load_balance_mode"`
	IgnoreLeadingWhiteSpace               bool     `pgpool:"ignore_leading_white_space"`
	ReadOnlyFunctionList                  []string `pgpool:"read_only_function_list"`
	WriteFunctionList                     []string `pgpool:"write_function_list"`
	PrimaryRoutingQueryPatternList        []string `pgpool:"primary_routing_query_pattern_list"`
	DisableLoadBalanceOnWrite             string   `pgpool:"disable_load_balance_on_write"`
	DmlAdaptiveObjectRelationshipList     string   `pgpool:"dml_adaptive_object_relationship_list"`
	StatementLevelLoadBalance             bool     `pgpool:"statement_level_load_balance"`
	SrCheckPeriod                         int      `pgpool:"sr_check_period"`
	SrCheckUser                           string   `pgpool:"sr_check_user"`
	SrCheckPassword                       string   `pgpool:"sr_check_password"`
	SrCheckDatabase                       string   `pgpool:"sr_check_database"`
	DelayThreshold                        int      `pgpool:"delay_threshold"`
	DelayThresholdByTime                  int      `pgpool:"delay_threshold_by_time"`
	PreferLowerDelayStandby               bool     `pgpool:"prefer_lower_delay_standby"`
	FollowPrimaryCommand                  string   `pgpool:"follow_primary_command"`
	DatabaseRedirectPreferenceList        string   `pgpool:"database_redirect_preference_list"`
	AppNameRedirectPreferenceList         string   `pgpool:"app_name_redirect_preference_list"`
	UserRedirectPreferenceList            string   `pgpool:"user_redirect_preference_list"`
	AllowSqlComments                      bool     `pgpool:"allow_sql_comments"`
	HealthCheckPeriod                     int      `pgpool:"health_check_period"`
	HealthCheckTimeout                    int      `pgpool:"health_check_timeout"`
	HealthCheckUser                       string   `pgpool:"health_check_user"`
	HealthCheckPassword                   string   `pgpool:"health_check_password"`
	HealthCheckDatabase                   string   `pgpool:"health_check_database"`
	HealthCheckMaxRetries                 int      `pgpool:"health_check_max_retries"`
	HealthCheckRetryDelay                 int      `pgpool:"health_check_retry_delay"`
	ConnectTimeout                        int      `pgpool:"connect_timeout"`
	FailoverCommand                       string   `pgpool:"failover_command"`
	FailbackCommand                       string   `pgpool:"failback_command"`
	FailoverOnBackendError                bool     `pgpool:"failover_on_backend_error"`
	FailoverOnBackendShutdown             bool     `pgpool:"failover_on_backend_shutdown"`
	DetachFalsePrimary                    bool     `pgpool:"detach_false_primary"`
	AutoFailback                          bool     `pgpool:"auto_failback"`
	AutoFailbackInterval                  int      `pgpool:"auto_failback_interval"`
	RecoveryUser                          string   `pgpool:"recovery_user"`
	RecoveryPassword                      string   `pgpool:"recovery_password"`
	RecoveryDatabase                      string   `pgpool:"recovery_database"`
	Recovery1stStageCommand               string   `pgpool:"recovery_1st_stage_command"`
	Recovery2ndStageCommand               string   `pgpool:"recovery_2nd_stage_command"`
	RecoveryTimeout                       int      `pgpool:"recovery_timeout"`
	SearchPrimaryNodeTimeout              int      `pgpool:"search_primary_node_timeout"`
	ClientIdleLimitInRecovery             int      `pgpool:"client_idle_limit_in_recovery"`
	RelcacheExpire                        int      `pgpool:"relcache_expire"`
	RelcacheSize                          int      `pgpool:"relcache_size"`
	CheckTempTable                        string   `pgpool:"check_temp_table"`
	CheckUnloggedTable                    bool     `pgpool:"check_unlogged_table"`
	EnableSharedRelcache                  bool     `pgpool:"enable_shared_relcache"`
	RelcacheQueryTarget                   string   `pgpool:"relcache_query_target"`
	UseWatchdog                           bool     `pgpool:"use_watchdog"`
	WdIpcSocketDir                        string   `pgpool:"wd_ipc_socket_dir"`
	WdLifecheckMethod                     string   `pgpool:"wd_lifecheck_method"`
	ClearMemqcacheOnEscalation            bool     `pgpool:"clear_memqcache_on_escalation"`
	WdEscalationCommand                   string   `pgpool:"wd_escalation_command"`
	WdDeEscalationCommand                 string   `pgpool:"wd_de_escalation_command"`
	TrustedServers                        string   `pgpool:"trusted_servers"`
	TrustedServerCommand                  string   `pgpool:"trusted_server_command"`
	DelegateIp                            string   `pgpool:"delegate_ip"`
	WdPriority                            int      `pgpool:"wd_priority"`
	WdInterval                            int      `pgpool:"wd_interval"`
	PingPath                              string   `pgpool:"ping_path"`
	IfCmdPath                             string   `pgpool:"if_cmd_path"`
	IfUpCmd                               string   `pgpool:"if_up_cmd"`
	IfDownCmd                             string   `pgpool:"if_down_cmd"`
	ArpingPath                            string   `pgpool:"arping_path"`
	ArpingCmd                             string   `pgpool:"arping_cmd"`
	WdHeartbeatKeepalive                  int      `pgpool:"wd_heartbeat_keepalive"`
	WdHeartbeatDeadtime                   int      `pgpool:"wd_heartbeat_deadtime"`
	WdLifePoint                           int      `pgpool:"wd_life_point"`
	WdLifecheckQuery                      string   `pgpool:"wd_lifecheck_query"`
	WdLifecheckDbname                     string   `pgpool:"wd_lifecheck_dbname"`
	WdLifecheckUser                       string   `pgpool:"wd_lifecheck_user"`
	WdLifecheckPassword                   string   `pgpool:"wd_lifecheck_password"`
	WdMonitoringInterfacesList            []string `pgpool:"wd_monitoring_interfaces_list"`
	MemoryCacheEnabled                    bool     `pgpool:"memory_cache_enabled"`
	MemqcacheMethod                       string   `pgpool:"memqcache_method"`
	MemqcacheMemcachedHost                string   `pgpool:"memqcache_memcached_host"`
	MemqcacheMemcachedPort                int      `pgpool:"memqcache_memcached_port"`
	MemqcacheTotalSize                    int      `pgpool:"memqcache_total_size"`
	MemqcacheMaxNumCache                  int      `pgpool:"memqcache_max_num_cache"`
	MemqcacheExpire                       int      `pgpool:"memqcache_expire"`
	MemqcacheAutoCacheInvalidation        bool     `pgpool:"memqcache_auto_cache_invalidation"`
	MemqcacheMaxcache                     int      `pgpool:"memqcache_maxcache"`
	MemqcacheCacheBlockSize               int      `pgpool:"memqcache_cache_block_size"`
	MemqcacheOiddir                       string   `pgpool:"memqcache_oiddir"`
	CacheSafeMemqcacheTableList           []string `pgpool:"cache_safe_memqcache_table_list"`
	CacheUnsafeMemqcacheTableList         []string `pgpool:"cache_unsafe_memqcache_table_list"`
	FailoverWhenQuorumExists              bool     `pgpool:"failover_when_quorum_exists"`
	FailoverRequireConsensus              bool     `pgpool:"failover_require_consensus"`
	AllowMultipleFailoverRequestsFromNode bool     `pgpool:"allow_multiple_failover_requests_from_node"`
	EnableConsensusWithHalfVotes          bool     `pgpool:"enable_consensus_with_half_votes"`
	WdRemoveShutdownNodes                 bool     `pgpool:"wd_remove_shutdown_nodes"`
	WdLostNodeRemovalTimeout              int      `pgpool:"wd_lost_node_removal_timeout"`
	WdNoShowNodeRemovalTimeout            int      `pgpool:"wd_no_show_node_removal_timeout"`
	WdAuthkey                             string   `pgpool:"wd_authkey"`
	WdListenAddress                       string   `pgpool:"wd_listen_address"`
	WdListenPort                          int      `pgpool:"wd_listen_port"`
	WdHeartbeatListenAddresses            []string `pgpool:"wd_heartbeat_listen_addresses"`
	WdHeartbeatListenPort                 int      `pgpool:"wd_heartbeat_listen_port"`
	LoggingCollector                      bool     `pgpool:"logging_collector"`
	LogDirectory                          string   `pgpool:"log_directory"`
	LogFilename                           string   `pgpool:"log_filename"`
	LogTruncateOnRotation                 bool     `pgpool:"log_truncate_on_rotation"`
	LogRotationAge                        int      `pgpool:"log_rotation_age"`
	LogRotationSize                       int      `pgpool:"log_rotation_size"`
	LogFileMode                           int      `pgpool:"log_file_mode"`
	LogPcpProcesses                       bool     `pgpool:"log_pcp_processes"`
	NoticePerNodeStatement                bool     `pgpool:"notice_per_node_statement"`
	LogBackendMessages                    string   `pgpool:"log_backend_messages"`
	HealthCheckTest                       bool     `pgpool:"health_check_test"`
	PcpReplyLayout                        string   `pgpool:"pcp_reply_layout"`

	// hc holds per-node health-check overrides (health_check_periodN ...).
	hc map[int]*hcOverride
	// raw holds the configured text of list and redirect parameters, which
	// PGPOOL SHOW displays verbatim.
	raw map[string]string
	// source records where each parameter was last set (for Reload).
	source map[string]sourcePos
}

type sourcePos struct {
	File string
	Line int
}

// Backend is one backend_*N slot.
type Backend struct {
	Hostname        string  // as configured; "" means the unix socket directory /tmp
	Port            int     // 0: slot unused
	Weight          float64 // backend_weightN as configured (not normalised)
	DataDirectory   string
	Flag            BackendFlag
	ApplicationName string
}

// Host returns the host to connect to: the configured hostname, or "/tmp"
// (PostgreSQL's default socket directory) when it is empty, as Pgpool's
// config_post_processor does.
func (b Backend) Host() string {
	if b.Hostname == "" {
		return defaultSocketDir
	}
	return b.Hostname
}

// InUse reports whether the slot is configured (port non-zero).
func (b Backend) InUse() bool { return b.Port != 0 }

// BackendFlag is the parsed backend_flagN.
type BackendFlag uint16

// Backend flag bits (pool_config.h POOL_FAILOVER, POOL_ALWAYS_PRIMARY).
const (
	DisallowToFailover BackendFlag = 1 << 0
	AlwaysPrimary      BackendFlag = 1 << 1
)

// String renders the flag as Pgpool's pool_flag_to_str does:
// ALLOW_TO_FAILOVER or DISALLOW_TO_FAILOVER, then |ALWAYS_PRIMARY.
func (f BackendFlag) String() string {
	s := "ALLOW_TO_FAILOVER"
	if f&DisallowToFailover != 0 {
		s = "DISALLOW_TO_FAILOVER"
	}
	if f&AlwaysPrimary != 0 {
		s += "|ALWAYS_PRIMARY"
	}
	return s
}

// WatchdogNode is one hostnameN / wd_portN / pgpool_portN triple.
type WatchdogNode struct {
	Hostname   string
	WdPort     int
	PgpoolPort int
}

// HeartbeatDest is one heartbeat_hostnameN / heartbeat_portN /
// heartbeat_deviceN triple. Hostname and Device may hold several values
// separated by ';' (Pgpool's SetHBDestIfFunc); see Hostnames and Devices.
type HeartbeatDest struct {
	Hostname string
	Port     int
	Device   string
}

// Hostnames splits Hostname on ';'.
func (h HeartbeatDest) Hostnames() []string { return splitNonEmpty(h.Hostname, ";") }

// Devices splits Device on ';'.
func (h HeartbeatDest) Devices() []string { return splitNonEmpty(h.Device, ";") }

func splitNonEmpty(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// HealthCheck is the health-check configuration of one node with the
// per-node overrides resolved.
type HealthCheck struct {
	Period, Timeout int // seconds
	User            string
	Password        string
	Database        string
	MaxRetries      int
	RetryDelay      int // seconds
	ConnectTimeout  int // milliseconds
}

type hcOverride struct {
	Period, Timeout, MaxRetries, RetryDelay, ConnectTimeout *int
	User, Password, Database                                *string
}

// HealthCheck returns node's health-check settings: each health_check_*N
// value set for node wins, otherwise the value without suffix applies
// (regardless of the order of the lines in the file).
func (c *Config) HealthCheck(node int) HealthCheck {
	h := HealthCheck{
		Period: c.HealthCheckPeriod, Timeout: c.HealthCheckTimeout,
		User: c.HealthCheckUser, Password: c.HealthCheckPassword, Database: c.HealthCheckDatabase,
		MaxRetries: c.HealthCheckMaxRetries, RetryDelay: c.HealthCheckRetryDelay,
		ConnectTimeout: c.ConnectTimeout,
	}
	o := c.hc[node]
	if o == nil {
		return h
	}
	setInt := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	setStr := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	setInt(&h.Period, o.Period)
	setInt(&h.Timeout, o.Timeout)
	setInt(&h.MaxRetries, o.MaxRetries)
	setInt(&h.RetryDelay, o.RetryDelay)
	setInt(&h.ConnectTimeout, o.ConnectTimeout)
	setStr(&h.User, o.User)
	setStr(&h.Password, o.Password)
	setStr(&h.Database, o.Database)
	return h
}

// TotalWeight is the sum of backend_weightN over configured slots.
func (c *Config) TotalWeight() float64 {
	var t float64
	for _, b := range c.Backends {
		if b.InUse() {
			t += b.Weight
		}
	}
	return t
}

// NormalizedWeight returns node's load-balance weight as a fraction of the
// total (weight/sum), the value SHOW pool_nodes prints as lb_weight.
//
// Unused slots return 0. When every weight is 0, Pgpool computes 0/0 and
// shows "nan" (reference trap T12); we return NaN as well so that SHOW
// output matches, and callers choosing a node must treat NaN as "never
// selected" (math.IsNaN). It never panics.
func (c *Config) NormalizedWeight(node int) float64 {
	if node < 0 || node >= len(c.Backends) || !c.Backends[node].InUse() {
		return 0
	}
	t := c.TotalWeight()
	if t == 0 {
		return math.NaN()
	}
	return c.Backends[node].Weight / t
}

// ClusteringModeStreaming reports whether backend_clustering_mode is
// streaming_replication.
func (c *Config) ClusteringModeStreaming() bool {
	return c.BackendClusteringMode == "streaming_replication"
}
