package config

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// renamed maps parameter names of older Pgpool-II releases to their 4.7
// names (reference §0). They are accepted with a NOTICE.
var renamed = map[string]string{
	"socket_dir":                 "unix_socket_directories", // 4.4
	"logdir":                     "work_dir",                // 4.7
	"black_function_list":        "write_function_list",     // 4.2
	"white_function_list":        "read_only_function_list", // 4.2
	"black_query_pattern_list":   "primary_routing_query_pattern_list",
	"follow_master_command":      "follow_primary_command", // 4.2
	"fail_over_on_backend_error": "failover_on_backend_error",
	"delegate_IP":                "delegate_ip",
	"black_memqcache_table_list": "cache_unsafe_memqcache_table_list",
	"white_memqcache_table_list": "cache_safe_memqcache_table_list",
}

// enumAliases are old enum spellings, accepted with a NOTICE.
var enumAliases = map[string]map[string]string{
	"relcache_query_target": {"master": "primary"},
}

// Pre-4.2 mode switches, replaced by backend_clustering_mode.
const (
	oldMasterSlaveMode    = "master_slave_mode"
	oldMasterSlaveSubMode = "master_slave_sub_mode"
	oldReplicationMode    = "replication_mode"
)

type oldSetting struct {
	set   bool
	value string
	pos   entry
}

type builder struct {
	c      *Config
	reload bool // value errors become warnings; failed names are recorded
	failed map[string]bool
	diags  []Diagnostic
	errs   errorList

	backends [MaxBackends]Backend
	wd       [MaxWatchdogNodes]WatchdogNode
	hb       [MaxHeartbeatDests]HeartbeatDest

	explicitMode bool
	old          map[string]*oldSetting
}

func newBuilder(file string, reload bool) *builder {
	c := &Config{hc: map[int]*hcOverride{}, raw: map[string]string{}, source: map[string]sourcePos{}}
	if file != "" {
		c.File, c.Dir = file, filepath.Dir(file)
	}
	b := &builder{c: c, reload: reload, failed: map[string]bool{}, old: map[string]*oldSetting{}}
	for i := range paramTable {
		p := &paramTable[i]
		if p.Field() == "" {
			continue
		}
		v, _, err := convert(p, p.Default)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("default of %s: %w", p.Name, err))
			continue
		}
		b.setScalar(p, v, p.Default)
	}
	return b
}

func (b *builder) diag(l Level, e entry, param, msg string) {
	b.diags = append(b.diags, Diagnostic{Level: l, File: e.file, Line: e.line, Param: param, Message: msg})
}

// fail records a bad value: fatal on load, a warning (old value kept) on
// reload, as Pgpool's elevel FATAL/WARNING.
func (b *builder) fail(e entry, pe *ParseError) {
	pe.File, pe.Line = e.file, e.line
	if b.reload {
		b.failed[e.name] = true
		b.diags = append(b.diags, Diagnostic{Level: LevelWarning, File: e.file, Line: e.line, Param: pe.Param,
			Message: pe.Error() + "; keeping the current value"})
		return
	}
	b.errs = append(b.errs, pe)
}

func (b *builder) apply(entries []entry) {
	for _, e := range entries {
		b.assign(e)
	}
}

// resolve finds the table entry for a name as Pgpool's find_option: exact
// names first, then the longest indexed name that prefixes it, whose rest
// must be digits.
func resolve(name string) (p *Param, index int, err error) {
	if q, ok := paramIndex[name]; ok {
		if q.Indexed && !q.NoIndex {
			return q, -1, fmt.Errorf("parameter %q expects the index value", name)
		}
		return q, -1, nil
	}
	var best *Param
	for i := range paramTable {
		q := &paramTable[i]
		if q.Indexed && strings.HasPrefix(name, q.Name) && (best == nil || len(q.Name) > len(best.Name)) {
			best = q
		}
	}
	if best == nil {
		return nil, -1, nil
	}
	suffix := name[len(best.Name):]
	for i := 0; i < len(suffix); i++ {
		if !isDigit(suffix[i]) {
			return best, -1, fmt.Errorf("invalid index value for parameter %q: index part contains the invalid non digit character", name)
		}
	}
	n, err := strconv.Atoi(suffix)
	if err != nil || n >= best.MaxIndex {
		return best, -1, fmt.Errorf("%s index outside the valid range for parameter %q (0 .. %d)", suffix, name, best.MaxIndex-1)
	}
	return best, n, nil
}

func (b *builder) assign(e entry) {
	name := e.name
	if nn, ok := renamed[name]; ok {
		b.diag(LevelNotice, e, name, fmt.Sprintf("parameter %q is renamed to %q; using the value for %q", name, nn, nn))
		name = nn
	}
	switch name {
	case oldMasterSlaveMode, oldMasterSlaveSubMode, oldReplicationMode:
		b.old[name] = &oldSetting{set: true, value: e.value, pos: e}
		return
	}
	p, idx, err := resolve(name)
	if p == nil {
		b.diag(LevelInfo, e, name, fmt.Sprintf("unrecognized configuration parameter %q", name))
		return
	}
	if err != nil {
		b.fail(e, &ParseError{Param: e.name, Msg: err.Error()})
		return
	}
	if p.Name == "backend_clustering_mode" {
		b.explicitMode = true
	}
	key := p.Name
	if idx >= 0 {
		key = p.Name + strconv.Itoa(idx)
	}
	v, notices, err := convert(p, e.value)
	for _, n := range notices {
		b.diag(LevelNotice, e, key, n)
	}
	if err != nil {
		pe := err.(*ParseError)
		pe.Param = e.name
		b.fail(e, pe)
		return
	}
	b.c.source[key] = sourcePos{e.file, e.line}
	if idx < 0 {
		b.setScalar(p, v, e.value)
		return
	}
	b.setIndexed(p, idx, v)
}

// convert parses a value for p. Ints come back as int64, reals as float64,
// enums as the canonical name, lists as []string, flags as BackendFlag.
func convert(p *Param, s string) (any, []string, error) {
	bad := func(msg, allowed string) (any, []string, error) {
		return nil, nil, &ParseError{Param: p.Name, Value: s, Msg: msg, Allowed: allowed}
	}
	switch p.Kind {
	case KindBool:
		v, ok := ParseBool(s)
		if !ok {
			return bad("", "on, off, true, false, yes, no, 1, 0")
		}
		return v, nil, nil
	case KindInt:
		v, hint, ok := parseIntValue(s, p.Unit, p.Max)
		allowed := fmt.Sprintf("%d .. %d", int64(p.Min), int64(p.Max))
		if p.Unit != UnitNone {
			allowed += " " + p.Unit.String()
		}
		if !ok {
			return bad(hint, allowed)
		}
		if float64(v) < p.Min || float64(v) > p.Max {
			return bad(fmt.Sprintf("%d is outside the valid range for parameter %q (%d .. %d)", v, p.Name, int64(p.Min), int64(p.Max)), "")
		}
		return v, nil, nil
	case KindReal:
		// Pgpool uses atof(), which reads garbage as 0; we reject it.
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("not a number", fmt.Sprintf("%g .. %g", p.Min, p.Max))
		}
		if v < p.Min || v > p.Max {
			return bad(fmt.Sprintf("%f is outside the valid range for parameter %q (%f .. %f)", v, p.Name, p.Min, p.Max), "")
		}
		return v, nil, nil
	case KindEnum:
		in := s
		var notices []string
		if al, ok := enumAliases[p.Name][strings.ToLower(s)]; ok {
			notices = append(notices, fmt.Sprintf("value %q of %q is renamed to %q", s, p.Name, al))
			in = al
		}
		if p.Name == "backend_clustering_mode" && strings.EqualFold(s, "slony") {
			return bad("slony mode was removed in Pgpool-II 4.7", enumAllowed(p))
		}
		o, ok := enumLookup(p, in)
		if !ok {
			return bad("", enumAllowed(p))
		}
		return o.Name, notices, nil
	case KindList:
		if p.Name == "backend_flag" {
			f, notices, err := parseFlag(s)
			if err != nil {
				return bad(err.Error(), "ALLOW_TO_FAILOVER or DISALLOW_TO_FAILOVER, optionally |ALWAYS_PRIMARY")
			}
			return f, notices, nil
		}
		return splitList(p, s), nil, nil
	default: // KindString
		if p.Name == "log_destination" {
			if err := parseLogDestination(s); err != nil {
				return bad(err.Error(), "stderr, syslog or both, comma-separated")
			}
		}
		return s, nil, nil
	}
}

func (b *builder) setScalar(p *Param, v any, raw string) { setField(b.c, p, v, raw) }

// setField stores a converted value in c's field for p.
func setField(c *Config, p *Param, v any, raw string) {
	f := reflect.ValueOf(c).Elem().FieldByName(p.Field())
	switch x := v.(type) {
	case bool:
		f.SetBool(x)
	case int64:
		f.SetInt(x)
	case float64:
		f.SetFloat(x)
	case string:
		f.SetString(x)
	case []string:
		f.Set(reflect.ValueOf(x))
	}
	if p.Kind == KindList || strings.HasSuffix(p.Name, "_preference_list") || p.Name == "dml_adaptive_object_relationship_list" {
		c.raw[p.Name] = raw
	}
}

func (b *builder) setIndexed(p *Param, i int, v any) {
	be, wd, hb := &b.backends[min(i, MaxBackends-1)], &b.wd[min(i, MaxWatchdogNodes-1)], &b.hb[i]
	switch p.Name {
	case "backend_hostname":
		be.Hostname = v.(string)
	case "backend_port":
		be.Port = int(v.(int64))
	case "backend_weight":
		be.Weight = v.(float64)
	case "backend_data_directory":
		be.DataDirectory = v.(string)
	case "backend_flag":
		be.Flag = v.(BackendFlag)
	case "backend_application_name":
		be.ApplicationName = v.(string)
	case "hostname":
		wd.Hostname = v.(string)
	case "wd_port":
		wd.WdPort = int(v.(int64))
	case "pgpool_port":
		wd.PgpoolPort = int(v.(int64))
	case "heartbeat_hostname":
		hb.Hostname = v.(string)
	case "heartbeat_port":
		hb.Port = int(v.(int64))
	case "heartbeat_device":
		hb.Device = v.(string)
	default: // health check overrides
		o := b.c.hc[i]
		if o == nil {
			o = &hcOverride{}
			b.c.hc[i] = o
		}
		switch x := v.(type) {
		case int64:
			n := int(x)
			switch p.Name {
			case "health_check_period":
				o.Period = &n
			case "health_check_timeout":
				o.Timeout = &n
			case "health_check_max_retries":
				o.MaxRetries = &n
			case "health_check_retry_delay":
				o.RetryDelay = &n
			case "connect_timeout":
				o.ConnectTimeout = &n
			}
		case string:
			switch p.Name {
			case "health_check_user":
				o.User = &x
			case "health_check_password":
				o.Password = &x
			case "health_check_database":
				o.Database = &x
			}
		}
	}
}

// at returns the position where a parameter was set, for post-processing
// errors (the file itself when the value is a default).
func (b *builder) at(name string) entry {
	if s, ok := b.c.source[name]; ok {
		return entry{file: s.File, line: s.Line, name: name}
	}
	return entry{file: b.c.File, name: name}
}

// finish is Pgpool's config_post_processor plus the parsing of the values
// the router needs.
func (b *builder) finish() {
	c := b.c
	b.resolveMode()

	n := 0
	for i := range b.backends {
		if b.backends[i].Port != 0 {
			n = i + 1
		}
	}
	c.Backends = make([]Backend, n)
	for i := 0; i < n; i++ {
		if b.backends[i].Port == 0 {
			continue // unused slot: Pgpool clears hostname and weight
		}
		c.Backends[i] = b.backends[i]
		if c.Backends[i].Hostname == "" {
			b.diag(LevelInfo, b.at(fmt.Sprintf("backend_port%d", i)), fmt.Sprintf("backend_hostname%d", i), fmt.Sprintf(
				"empty backend_hostname%d, use PostgreSQL's default unix socket path (%s)", i, defaultSocketDir))
		}
	}
	n = 0
	for i := range b.wd {
		if b.wd[i].WdPort != 0 || b.wd[i].PgpoolPort != 0 {
			n = i + 1
		}
	}
	c.Watchdog = append([]WatchdogNode(nil), b.wd[:n]...)
	n = 0
	for i := range b.hb {
		if b.hb[i].Port != 0 {
			n = i + 1
		}
	}
	c.Heartbeat = append([]HeartbeatDest(nil), b.hb[:n]...)

	b.compileLists()
	b.readNodeID()
	b.validate()
}

// resolveMode maps master_slave_mode / master_slave_sub_mode /
// replication_mode (Pgpool-II ≤ 4.1) onto backend_clustering_mode.
func (b *builder) resolveMode() {
	if len(b.old) == 0 {
		return
	}
	var last entry
	get := func(name string) (string, bool) {
		s := b.old[name]
		if s == nil {
			return "", false
		}
		if s.pos.line > last.line || last.file == "" {
			last = s.pos
		}
		return s.value, true
	}
	msRaw, msSet := get(oldMasterSlaveMode)
	subRaw, subSet := get(oldMasterSlaveSubMode)
	replRaw, replSet := get(oldReplicationMode)
	names := []string{}
	for _, n := range []string{oldMasterSlaveMode, oldMasterSlaveSubMode, oldReplicationMode} {
		if b.old[n] != nil {
			names = append(names, n)
		}
	}
	if b.explicitMode {
		b.diag(LevelNotice, last, names[0], fmt.Sprintf("%s ignored: backend_clustering_mode is set", strings.Join(names, ", ")))
		return
	}
	parseB := func(name, raw string, set bool) (bool, bool) {
		if !set {
			return false, true
		}
		v, ok := ParseBool(raw)
		if !ok {
			b.fail(b.old[name].pos, &ParseError{Param: name, Value: raw, Allowed: "on, off, true, false, yes, no, 1, 0"})
		}
		return v, ok
	}
	ms, ok1 := parseB(oldMasterSlaveMode, msRaw, msSet)
	repl, ok2 := parseB(oldReplicationMode, replRaw, replSet)
	if !ok1 || !ok2 {
		return
	}
	mode := "raw"
	switch {
	case ms && repl:
		b.fail(last, &ParseError{Param: oldReplicationMode, Msg: "replication_mode and master_slave_mode cannot be enabled at the same time"})
		return
	case repl:
		mode = "native_replication"
	case ms:
		sub := "slony" // the compile-time default of master_slave_sub_mode
		if subSet {
			sub = strings.ToLower(subRaw)
		}
		switch sub {
		case "stream":
			mode = "streaming_replication"
		case "logical":
			mode = "logical_replication"
		case "slony":
			b.fail(last, &ParseError{Param: oldMasterSlaveSubMode, Value: sub,
				Msg: "slony mode was removed in Pgpool-II 4.7", Allowed: "stream, logical"})
			return
		default:
			b.fail(b.old[oldMasterSlaveSubMode].pos, &ParseError{Param: oldMasterSlaveSubMode, Value: subRaw, Allowed: "stream, logical"})
			return
		}
	}
	b.c.BackendClusteringMode = mode
	b.c.source["backend_clustering_mode"] = sourcePos{last.file, last.line}
	b.diag(LevelNotice, last, names[0], fmt.Sprintf("%s replaced by backend_clustering_mode since Pgpool-II 4.2; using backend_clustering_mode = '%s'",
		strings.Join(names, ", "), mode))
}

// compileLists builds the regular expressions and parsed lists. Invalid
// function/table/query patterns are skipped with a WARNING as Pgpool does;
// an invalid redirect or relationship list is an error as in Pgpool.
func (b *builder) compileLists() {
	c := b.c
	re := func(name string, items []string) []Pattern {
		out, errs := compilePatterns(items)
		for _, err := range errs {
			b.diag(LevelWarning, b.at(name), name, fmt.Sprintf("unable to add regex pattern for %q, %v", name, err))
		}
		return out
	}
	c.ReadOnlyFunctions = re("read_only_function_list", c.ReadOnlyFunctionList)
	c.WriteFunctions = re("write_function_list", c.WriteFunctionList)
	c.PrimaryRouting = re("primary_routing_query_pattern_list", c.PrimaryRoutingQueryPatternList)
	c.CacheSafeTables = re("cache_safe_memqcache_table_list", c.CacheSafeMemqcacheTableList)
	c.CacheUnsafeTables = re("cache_unsafe_memqcache_table_list", c.CacheUnsafeMemqcacheTableList)

	redirect := func(name, val string) []Redirect {
		rules, err := ParseRedirectList(val)
		if err != nil {
			b.fail(b.at(name), &ParseError{Param: name, Value: val, Msg: err.Error(), Allowed: "pattern:primary|standby|node[(ratio)],..."})
		}
		return rules
	}
	c.DatabaseRedirect = redirect("database_redirect_preference_list", c.DatabaseRedirectPreferenceList)
	c.AppNameRedirect = redirect("app_name_redirect_preference_list", c.AppNameRedirectPreferenceList)
	c.UserRedirect = redirect("user_redirect_preference_list", c.UserRedirectPreferenceList)
	rel, err := ParseObjectRelationshipList(c.DmlAdaptiveObjectRelationshipList)
	if err != nil {
		b.fail(b.at("dml_adaptive_object_relationship_list"), &ParseError{Param: "dml_adaptive_object_relationship_list",
			Value: c.DmlAdaptiveObjectRelationshipList, Msg: err.Error(), Allowed: "object:object,... (functions end in ())"})
	}
	c.DMLAdaptiveRel = rel
}

// readNodeID reads the pgpool_node_id file beside pgpool.conf when the
// watchdog is on (Pgpool's SetPgpoolNodeId).
func (b *builder) readNodeID() {
	c := b.c
	if !c.UseWatchdog || c.Dir == "" {
		return
	}
	path := filepath.Join(c.Dir, "pgpool_node_id")
	at := b.at("use_watchdog")
	data, err := os.ReadFile(path)
	if err != nil {
		b.fail(at, &ParseError{Msg: fmt.Sprintf("Pgpool node id file %s does not exist: if watchdog is enable, pgpool_node_id file is required", path)})
		return
	}
	s := strings.TrimSuffix(strings.SplitN(string(data), "\n", 2)[0], "\r")
	if s == "" {
		b.fail(at, &ParseError{Msg: fmt.Sprintf("pgpool_node_id file is empty: if watchdog is enable, we need to specify pgpool node id in %s file", path)})
		return
	}
	id, err := strconv.Atoi(s)
	if err != nil || strings.ContainsAny(s, "+- ") {
		b.fail(at, &ParseError{Msg: fmt.Sprintf("pgpool_node_id is not a numeric value: please specify a numeric value in %s file", path)})
		return
	}
	if id < 0 || id >= MaxWatchdogNodes {
		b.fail(at, &ParseError{Msg: fmt.Sprintf("Invalid pgpool node id \"%d\", must be between 0 and %d", id, MaxWatchdogNodes-1)})
		return
	}
	c.PgpoolNodeID = id
}

// validate holds the cross-parameter checks of config_post_processor.
func (b *builder) validate() {
	c := b.c
	if c.Recovery1stStageCommand != "" || c.Recovery2ndStageCommand != "" {
		var missing []string
		for i, be := range c.Backends {
			if be.InUse() && be.DataDirectory == "" {
				missing = append(missing, fmt.Sprintf("backend_data_directory%d", i))
			}
		}
		if len(missing) > 0 {
			name := "recovery_1st_stage_command"
			if c.Recovery1stStageCommand == "" {
				name = "recovery_2nd_stage_command"
			}
			b.fail(b.at(name), &ParseError{Param: name, Msg: "invalid configuration, recovery_1st_stage_command and recovery_2nd_stage_command requires backend_data_directory to be set (missing: " + strings.Join(missing, ", ") + ")"})
		}
	}
	if c.FailoverWhenQuorumExists && c.UseWatchdog && c.BackendClusteringMode == "native_replication" {
		b.fail(b.at("failover_when_quorum_exists"), &ParseError{Param: "failover_when_quorum_exists",
			Msg: "invalid configuration, failover_when_quorum_exists is not allowed in native replication mode"})
	}
	if c.MinSpareChildren >= c.MaxSpareChildren {
		b.fail(b.at("max_spare_children"), &ParseError{Param: "max_spare_children", Msg: fmt.Sprintf(
			"invalid configuration, max_spare_children:%d must be greater than min_spare_children:%d", c.MaxSpareChildren, c.MinSpareChildren)})
	}
	if c.ProcessManagementMode == "dynamic" && c.MaxSpareChildren > c.NumInitChildren {
		b.diag(LevelWarning, b.at("max_spare_children"), "max_spare_children", fmt.Sprintf(
			"max_spare_children (%d) is greater than num_init_children (%d); at most num_init_children processes are started", c.MaxSpareChildren, c.NumInitChildren))
	}
	if c.ReservedConnections >= c.NumInitChildren && c.ReservedConnections > 0 {
		b.fail(b.at("reserved_connections"), &ParseError{Param: "reserved_connections", Msg: fmt.Sprintf(
			"reserved_connections (%d) must be less than num_init_children (%d)", c.ReservedConnections, c.NumInitChildren)})
	}
	if c.SerializeAccept && c.ChildLifeTime > 0 {
		b.diag(LevelNotice, b.at("serialize_accept"), "serialize_accept", "serialize_accept is ignored because child_life_time is not 0")
	}
	if c.UseWatchdog {
		id := c.PgpoolNodeID
		if id >= len(c.Watchdog) || c.Watchdog[id].WdPort <= 0 {
			b.fail(b.at("use_watchdog"), &ParseError{Param: "use_watchdog", Msg: fmt.Sprintf(
				"invalid watchdog configuration: no watchdog configuration for local pgpool node, pgpool node id: %d", id)})
		}
		if c.WdLifecheckMethod == "heartbeat" {
			for i, h := range c.Heartbeat {
				if h.Port != 0 && i != id && len(h.Hostnames()) == 0 {
					b.fail(b.at(fmt.Sprintf("heartbeat_port%d", i)), &ParseError{Param: fmt.Sprintf("heartbeat_hostname%d", i),
						Msg: fmt.Sprintf("invalid watchdog configuration: heartbeat_hostname%d is not defined", i)})
				}
			}
		}
	}
	if c.TotalWeight() == 0 && len(c.Backends) > 0 && c.LoadBalanceMode {
		b.diag(LevelWarning, b.at("backend_weight0"), "backend_weight0",
			"all backend weights are 0: no node is ever chosen for load balancing (Pgpool shows lb_weight nan)")
	}
}
