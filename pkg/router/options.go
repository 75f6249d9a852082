package router

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
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

// Pattern is one compiled entry of a Pgpool-II regex list: POSIX extended
// syntax (run by Go's RE2, which agrees on everything but back-references),
// case-insensitive, anchored with ^ and $ unless already present
// (regex_array.c add_regex_array).
type Pattern struct {
	Source string
	re     *regexp.Regexp
}

// Match reports whether b matches the whole pattern.
func (p *Pattern) Match(b []byte) bool { return p.re.Match(b) }

// CompilePattern compiles one list entry the way Pgpool-II does.
func CompilePattern(src string) (Pattern, error) {
	pat := src
	if !strings.HasPrefix(pat, "^") {
		pat = "^" + pat
	}
	if len(src) == 0 || !strings.HasSuffix(src, "$") {
		pat += "$"
	}
	re, err := regexp.Compile("(?i)" + pat)
	if err != nil {
		return Pattern{}, fmt.Errorf("invalid regular expression %q: %w", src, err)
	}
	return Pattern{Source: src, re: re}, nil
}

// NodeSpec is the right-hand side of a redirect preference entry.
type NodeSpec int

const (
	// SpecPrimary is "primary": the primary node (main node if none).
	SpecPrimary NodeSpec = -2
	// SpecStandby is "standby": any standby, by weight.
	SpecStandby NodeSpec = -1
	// Values 0..127 name a node id.
)

// Redirect is one entry of app_name_, database_ or
// user_redirect_preference_list: "pattern:nodespec(ratio)".
type Redirect struct {
	Pattern Pattern
	Node    NodeSpec
	Ratio   float64 // 1.0 when not given
}

// ObjectRelation is one entry of dml_adaptive_object_relationship_list:
// writing Left (a table, or a function when IsFunction) also makes Right
// stale for the rest of the transaction.
type ObjectRelation struct {
	Left, Right                 string
	LeftFunction, RightFunction bool
}

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

// Config holds the routing parameters as pgpool.conf spells them; NewOptions
// turns it into Options. Strings are the raw values (quotes removed).
type Config struct {
	LoadBalanceMode                   bool
	StatementLevelLoadBalance         bool
	DisableLoadBalanceOnWrite         string
	AllowSQLComments                  bool
	IgnoreLeadingWhiteSpace           bool
	CheckTempTable                    string
	CheckUnloggedTable                bool
	ReadOnlyFunctionList              string
	WriteFunctionList                 string
	PrimaryRoutingQueryPatternList    string
	DelayThreshold                    uint64
	DelayThresholdByTime              uint64
	PreferLowerDelayStandby           bool
	AppNameRedirectPreferenceList     string
	DatabaseRedirectPreferenceList    string
	UserRedirectPreferenceList        string
	DMLAdaptiveObjectRelationshipList string
}

// NewOptions validates and compiles c. Errors name the parameter and the
// offending entry.
func NewOptions(c Config) (*Options, error) {
	o := &Options{
		LoadBalanceMode:           c.LoadBalanceMode,
		StatementLevelLoadBalance: c.StatementLevelLoadBalance,
		AllowSQLComments:          c.AllowSQLComments,
		IgnoreLeadingWhiteSpace:   c.IgnoreLeadingWhiteSpace,
		CheckUnloggedTable:        c.CheckUnloggedTable,
		DelayThreshold:            c.DelayThreshold,
		DelayThresholdByTime:      c.DelayThresholdByTime,
		PreferLowerDelayStandby:   c.PreferLowerDelayStandby,
	}
	var err error
	if o.DisableLoadBalanceOnWrite, err = ParseLoadBalanceOnWrite(c.DisableLoadBalanceOnWrite); err != nil {
		return nil, err
	}
	if o.CheckTempTable, err = ParseCheckTempTable(c.CheckTempTable); err != nil {
		return nil, err
	}
	if o.ReadOnlyFunctions, err = ParseFunctionList(c.ReadOnlyFunctionList); err != nil {
		return nil, fmt.Errorf("read_only_function_list: %w", err)
	}
	if o.WriteFunctions, err = ParseFunctionList(c.WriteFunctionList); err != nil {
		return nil, fmt.Errorf("write_function_list: %w", err)
	}
	if o.PrimaryRoutingQueryPatterns, err = ParseQueryPatternList(c.PrimaryRoutingQueryPatternList); err != nil {
		return nil, fmt.Errorf("primary_routing_query_pattern_list: %w", err)
	}
	if o.AppNameRedirects, err = ParseRedirectList(c.AppNameRedirectPreferenceList); err != nil {
		return nil, fmt.Errorf("app_name_redirect_preference_list: %w", err)
	}
	if o.DatabaseRedirects, err = ParseRedirectList(c.DatabaseRedirectPreferenceList); err != nil {
		return nil, fmt.Errorf("database_redirect_preference_list: %w", err)
	}
	if o.UserRedirects, err = ParseRedirectList(c.UserRedirectPreferenceList); err != nil {
		return nil, fmt.Errorf("user_redirect_preference_list: %w", err)
	}
	if o.DMLAdaptiveRelations, err = ParseObjectRelationshipList(c.DMLAdaptiveObjectRelationshipList); err != nil {
		return nil, fmt.Errorf("dml_adaptive_object_relationship_list: %w", err)
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

// ParseFunctionList parses read_only_function_list / write_function_list:
// comma-separated regexes. Unlike Pgpool-II, blanks around entries are
// ignored (Pgpool-II keeps them in the regex, where they can never match a
// function name).
func ParseFunctionList(s string) ([]Pattern, error) {
	var out []Pattern
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := CompilePattern(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ParseQueryPatternList parses primary_routing_query_pattern_list:
// ';'-separated regexes where "\;" is a literal semicolon (kept escaped in
// the regex, as Pgpool-II does) and "\'" is a quote
// (get_list_from_string_regex_delim).
func ParseQueryPatternList(s string) ([]Pattern, error) {
	var out []Pattern
	if s == "" {
		return nil, nil
	}
	var cur strings.Builder
	flush := func() error {
		tok := strings.ReplaceAll(cur.String(), `\'`, `'`)
		cur.Reset()
		p, err := CompilePattern(tok)
		if err != nil {
			return err
		}
		out = append(out, p)
		return nil
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			cur.WriteByte(s[i])
			cur.WriteByte(s[i+1])
			i++
		case s[i] == ';':
			if err := flush(); err != nil {
				return nil, err
			}
		default:
			cur.WriteByte(s[i])
		}
	}
	if cur.Len() > 0 {
		if err := flush(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ParseRedirectList parses a *_redirect_preference_list value:
// comma-separated "regex:nodespec[(ratio)]" entries, nodespec being
// "primary", "standby" or a node id 0..127. Deliberate differences from
// Pgpool-II: blanks around entries are ignored, node specs are matched
// case-insensitively everywhere (Pgpool-II validates them so but then
// treats "PRIMARY" as node 0), and an entry without ':' is an error
// (Pgpool-II silently drops it and every entry after it).
func ParseRedirectList(s string) ([]Redirect, error) {
	var out []Redirect
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		colon := strings.IndexByte(entry, ':')
		if colon < 0 {
			return nil, fmt.Errorf("entry %q has no ':' (expected pattern:node[(ratio)])", entry)
		}
		left := strings.TrimSpace(entry[:colon])
		right := strings.TrimSpace(entry[colon+1:])
		if left == "" {
			return nil, fmt.Errorf("entry %q has an empty pattern", entry)
		}
		r := Redirect{Ratio: 1.0}
		if open := strings.IndexByte(right, '('); open >= 0 {
			w := right[open+1:]
			if end := strings.IndexByte(w, ')'); end >= 0 {
				w = w[:end]
			}
			right = strings.TrimSpace(right[:open])
			if w = strings.TrimSpace(w); w != "" {
				f, err := strconv.ParseFloat(w, 64)
				if err != nil {
					return nil, fmt.Errorf("entry %q: invalid ratio %q", entry, w)
				}
				r.Ratio = f
			}
		}
		switch {
		case strings.EqualFold(right, "primary"):
			r.Node = SpecPrimary
		case strings.EqualFold(right, "standby"):
			r.Node = SpecStandby
		default:
			n, err := strconv.Atoi(right)
			if err != nil || n < 0 || n >= MaxNodes || strings.TrimLeft(right, "0123456789") != "" {
				return nil, fmt.Errorf("entry %q: wrong redirect db node spec %q (expected primary, standby or 0..%d)", entry, right, MaxNodes-1)
			}
			r.Node = NodeSpec(n)
		}
		p, err := CompilePattern(left)
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", entry, err)
		}
		r.Pattern = p
		out = append(out, r)
	}
	return out, nil
}

// ParseObjectRelationshipList parses dml_adaptive_object_relationship_list:
// comma-separated "left:right" pairs where a name ending in "()" is a
// function.
func ParseObjectRelationshipList(s string) ([]ObjectRelation, error) {
	var out []ObjectRelation
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		l, r, ok := strings.Cut(entry, ":")
		l, r = strings.TrimSpace(l), strings.TrimSpace(r)
		if !ok || l == "" || r == "" {
			return nil, fmt.Errorf("entry %q is not of the form object:dependent_object", entry)
		}
		rel := ObjectRelation{Left: l, Right: r}
		if len(l) > 2 && strings.HasSuffix(l, "()") {
			rel.Left, rel.LeftFunction = l[:len(l)-2], true
		}
		if len(r) > 2 && strings.HasSuffix(r, "()") {
			rel.Right, rel.RightFunction = r[:len(r)-2], true
		}
		out = append(out, rel)
	}
	return out, nil
}
