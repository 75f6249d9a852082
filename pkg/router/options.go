package router

import (
	"fmt"
	"strings"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// LoadBalanceOnWrite is disable_load_balance_on_write (reference §4.5).
type LoadBalanceOnWrite uint8

const (
	WriteTransaction      LoadBalanceOnWrite = iota // "transaction" (default)
	WriteOff                                        // "off"
	WriteTransTransaction                           // "trans_transaction"
	WriteAlways                                     // "always"
	WriteDMLAdaptive                                // "dml_adaptive"
)

var lbowNames = [...]string{"transaction", "off", "trans_transaction", "always", "dml_adaptive"}

func (m LoadBalanceOnWrite) String() string {
	if int(m) < len(lbowNames) {
		return lbowNames[m]
	}
	return "unknown"
}

// CheckTempTable is check_temp_table.
type CheckTempTable uint8

const (
	TempCatalog CheckTempTable = iota // "catalog" or "on" (default)
	TempTrace                         // "trace"
	TempNone                          // "none" or "off"
)

// The list types are config's: pgpool.conf's lists are parsed once, by
// pkg/config, and the router receives them compiled.
type (
	Pattern        = config.Pattern
	NodeSpec       = config.NodeSpec
	Redirect       = config.Redirect
	ObjectRelation = config.ObjectRelation
)

const (
	SpecPrimary = config.SpecPrimary
	SpecStandby = config.SpecStandby
)

// Options are the routing parameters of pgpool.conf, parsed and compiled.
// An Options value is immutable once built; a reload builds a new one.
type Options struct {
	LoadBalanceMode           bool
	StatementLevelLoadBalance bool
	DisableLoadBalanceOnWrite LoadBalanceOnWrite
	AllowSQLComments          bool
	IgnoreLeadingWhiteSpace   bool
	CheckTempTable            CheckTempTable
	CheckUnloggedTable        bool
	// ReadOnlyFunctions and WriteFunctions: read_only_function_list and
	// write_function_list. Both empty ⇒ volatility from pg_proc decides.
	ReadOnlyFunctions []Pattern
	WriteFunctions    []Pattern
	// PrimaryRoutingQueryPatterns: primary_routing_query_pattern_list.
	PrimaryRoutingQueryPatterns []Pattern
	// DelayThreshold is delay_threshold in bytes; DelayThresholdByTime is
	// delay_threshold_by_time in milliseconds. 0 disables either.
	DelayThreshold          uint64
	DelayThresholdByTime    uint64
	PreferLowerDelayStandby bool
	AppNameRedirects        []Redirect
	DatabaseRedirects       []Redirect
	UserRedirects           []Redirect
	DMLAdaptiveRelations    []ObjectRelation
}

// DefaultOptions returns Pgpool-II's compile-time defaults.
func DefaultOptions() *Options {
	return &Options{
		LoadBalanceMode:         true,
		IgnoreLeadingWhiteSpace: true,
		CheckTempTable:          TempCatalog,
		CheckUnloggedTable:      true,
	}
}

// NewOptions builds the router's options from a configuration: load
// balancing only in streaming replication mode, the enumerations checked
// (errors name the parameter and the value), the lists as pkg/config
// compiled them.
func NewOptions(c *config.Config) (*Options, error) {
	o := &Options{
		LoadBalanceMode:           c.LoadBalanceMode && c.ClusteringModeStreaming(),
		StatementLevelLoadBalance: c.StatementLevelLoadBalance,
		AllowSQLComments:          c.AllowSqlComments,
		IgnoreLeadingWhiteSpace:   c.IgnoreLeadingWhiteSpace,
		CheckUnloggedTable:        c.CheckUnloggedTable,
		DelayThreshold:            uint64(c.DelayThreshold),
		DelayThresholdByTime:      uint64(c.DelayThresholdByTime),
		PreferLowerDelayStandby:   c.PreferLowerDelayStandby,

		ReadOnlyFunctions:           c.ReadOnlyFunctions,
		WriteFunctions:              c.WriteFunctions,
		PrimaryRoutingQueryPatterns: c.PrimaryRouting,
		AppNameRedirects:            c.AppNameRedirect,
		DatabaseRedirects:           c.DatabaseRedirect,
		UserRedirects:               c.UserRedirect,
		DMLAdaptiveRelations:        c.DMLAdaptiveRel,
	}
	var err error
	if o.DisableLoadBalanceOnWrite, err = ParseLoadBalanceOnWrite(c.DisableLoadBalanceOnWrite); err != nil {
		return nil, err
	}
	if o.CheckTempTable, err = ParseCheckTempTable(c.CheckTempTable); err != nil {
		return nil, err
	}
	return o, nil
}

// ParseLoadBalanceOnWrite parses disable_load_balance_on_write
// (case-insensitive; empty means the default "transaction").
func ParseLoadBalanceOnWrite(s string) (LoadBalanceOnWrite, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "transaction":
		return WriteTransaction, nil
	case "off":
		return WriteOff, nil
	case "trans_transaction":
		return WriteTransTransaction, nil
	case "always":
		return WriteAlways, nil
	case "dml_adaptive":
		return WriteDMLAdaptive, nil
	case "dml_adaptive_global":
		return 0, fmt.Errorf("disable_load_balance_on_write: %q exists only in unreleased Pgpool-II (master); use dml_adaptive", s)
	}
	return 0, fmt.Errorf("disable_load_balance_on_write: invalid value %q (valid: off, transaction, trans_transaction, always, dml_adaptive)", s)
}

// ParseCheckTempTable parses check_temp_table: catalog, trace, none, and
// the boolean spellings on (= catalog) and off (= none).
func ParseCheckTempTable(s string) (CheckTempTable, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "catalog", "on", "true", "yes", "1":
		return TempCatalog, nil
	case "trace":
		return TempTrace, nil
	case "none", "off", "false", "no", "0":
		return TempNone, nil
	}
	return 0, fmt.Errorf("check_temp_table: invalid value %q (valid: catalog, trace, none)", s)
}
