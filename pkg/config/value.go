package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseBool parses a boolean as Pgpool (PostgreSQL's parse_bool) does:
// on/off/true/false/yes/no/1/0, case-insensitive, and unique prefixes
// ("t", "f", "y", "n", "of"; "o" alone is ambiguous).
func ParseBool(s string) (value bool, ok bool) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return false, false
	}
	prefix := func(word string, min int) bool {
		return len(v) >= min && len(v) <= len(word) && word[:len(v)] == v
	}
	switch {
	case prefix("true", 1), prefix("yes", 1), prefix("on", 2), v == "1":
		return true, true
	case prefix("false", 1), prefix("no", 1), prefix("off", 2), v == "0":
		return false, true
	}
	return false, false
}

// unitTable is Pgpool's (PostgreSQL's) conversion table: for each base unit,
// the accepted unit names from greatest to smallest and their multipliers.
var unitTable = map[Unit][]struct {
	name string
	mult float64
}{
	UnitMs:    {{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}, {"us", 1.0 / 1000}},
	UnitS:     {{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}, {"ms", 1.0 / 1000}, {"us", 1.0 / 1e6}},
	UnitMin:   {{"d", 1440}, {"h", 60}, {"min", 1}, {"s", 1.0 / 60}, {"ms", 1.0 / 60000}, {"us", 1.0 / 6e7}},
	UnitBytes: {{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"kB", 1 << 10}, {"B", 1}},
	UnitKB:    {{"TB", 1 << 30}, {"GB", 1 << 20}, {"MB", 1 << 10}, {"kB", 1}, {"B", 1.0 / 1024}},
}

const (
	timeUnitsHint   = `Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`
	memoryUnitsHint = `Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".`
)

// parseIntValue parses an integer as Pgpool's parse_int: C strtol with base
// 0 (so 0x1F is hex and 0777 octal), falling back to a float when the number
// continues with '.', 'e' or 'E'; then an optional unit converted to the
// parameter's base unit, rounded to the nearest integer.
func parseIntValue(s string, unit Unit, max float64) (int64, string, bool) {
	v, rest, ok := strtol(s)
	if ok && (strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "e") || strings.HasPrefix(rest, "E")) {
		ok = false
	}
	if !ok {
		var f float64
		f, rest, ok = strtod(s)
		if !ok {
			return 0, "", false
		}
		v = f
	}
	rest = strings.TrimLeft(rest, " \t\n\r\f\v")
	if rest != "" {
		hint := timeUnitsHint
		if unit.IsMemory() {
			hint = memoryUnitsHint
		}
		if unit == UnitNone {
			return 0, "", false
		}
		u := strings.TrimRight(rest, " \t\n\r\f\v")
		found := false
		tab := unitTable[unit]
		for i, e := range tab {
			if e.name == u {
				c := v * e.mult
				if i+1 < len(tab) { // round to a multiple of the next smaller unit
					c = math.RoundToEven(c/tab[i+1].mult) * tab[i+1].mult
				}
				v, found = c, true
				break
			}
		}
		if !found {
			return 0, hint, false
		}
	}
	v = math.RoundToEven(v)
	if math.IsNaN(v) || v > max || v < math.MinInt32 {
		return 0, "Value exceeds allowed range.", false
	}
	return int64(v), "", true
}

// strtol mimics C strtol(s, &end, 0) for the digits it consumes.
func strtol(s string) (float64, string, bool) {
	i := 0
	for i < len(s) && strings.IndexByte(" \t\n\r\f\v", s[i]) >= 0 {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := 10
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && isHex(s[i+2]) {
		base = 16
		i += 2
	} else if i < len(s) && s[i] == '0' {
		base = 8
	}
	start := i
	var v float64
	for i < len(s) {
		d := -1
		c := s[i]
		switch {
		case isDigit(c):
			d = int(c - '0')
		case c >= 'a' && c <= 'f':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = int(c-'A') + 10
		}
		if d < 0 || d >= base {
			break
		}
		v = v*float64(base) + float64(d)
		i++
	}
	if i == start {
		return 0, s, false
	}
	if v > math.MaxInt64 { // ERANGE
		return 0, s, false
	}
	if neg {
		v = -v
	}
	return v, s[i:], true
}

// strtod accepts the longest prefix of s that is a decimal float.
func strtod(s string) (float64, string, bool) {
	t := strings.TrimLeft(s, " \t\n\r\f\v")
	end := 0
	for end < len(t) && strings.IndexByte("0123456789+-.eE", t[end]) >= 0 {
		end++
	}
	for ; end > 0; end-- {
		if f, err := strconv.ParseFloat(t[:end], 64); err == nil {
			if math.IsInf(f, 0) || math.IsNaN(f) {
				return 0, s, false
			}
			return f, t[end:], true
		}
	}
	return 0, s, false
}

// formatInt renders an integer in the greatest unit dividing it evenly
// (Pgpool's convert_int_from_base_unit): 300 s → "5min", 10000 ms → "10s".
func formatInt(v int64, unit Unit) string {
	if v <= 0 || unit == UnitNone {
		return strconv.FormatInt(v, 10)
	}
	for _, e := range unitTable[unit] {
		if e.mult <= 1 || v%int64(e.mult) == 0 {
			return strconv.FormatInt(int64(math.RoundToEven(float64(v)/e.mult)), 10) + e.name
		}
	}
	return strconv.FormatInt(v, 10)
}

// enumLookup finds an enum option case-insensitively and returns the
// canonical name (the first visible option with the same number).
func enumLookup(p *Param, s string) (EnumOption, bool) {
	for _, o := range p.Options {
		if strings.EqualFold(o.Name, s) {
			return canonicalOption(p, o.Value), true
		}
	}
	return EnumOption{}, false
}

func canonicalOption(p *Param, value int) EnumOption {
	for _, o := range p.Options {
		if o.Value == value && !o.Hidden {
			return o
		}
	}
	return EnumOption{}
}

// enumValue is the number Pgpool stores for the canonical option name.
func enumValue(p *Param, name string) int {
	for _, o := range p.Options {
		if o.Name == name {
			return o.Value
		}
	}
	return 0
}

func enumAllowed(p *Param) string {
	var names []string
	for _, o := range p.Options {
		if !o.Hidden {
			names = append(names, o.Name)
		}
	}
	return strings.Join(names, ", ")
}

// splitList splits a list parameter. Comma lists are split like strtok
// (empty items dropped) and items trimmed of surrounding blanks (Pgpool
// keeps the blanks; "a, b" would otherwise yield " b", which no address,
// directory or function name can mean). reset_query_list keeps its items
// verbatim because SHOW pool_status prints them back.
// primary_routing_query_pattern_list splits on ';' not preceded by '\'
// (Pgpool's get_list_from_string_regex_delim), keeping the backslash and
// turning \' into '.
func splitList(p *Param, s string) []string {
	switch {
	case p.Name == "primary_routing_query_pattern_list":
		return splitEscaped(s)
	case p.Separator == ",":
		var out []string
		for _, it := range strings.Split(s, ",") {
			if it = strings.TrimSpace(it); it != "" {
				out = append(out, it)
			}
		}
		return out
	default:
		return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(p.Separator, r) })
	}
}

func splitEscaped(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if t := strings.ReplaceAll(cur.String(), `\'`, `'`); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			cur.WriteByte('\\')
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
		case ';':
			flush()
		default:
			cur.WriteByte(s[i])
		}
	}
	flush()
	return out
}

// parseFlag parses backend_flagN ('|'-separated, case-sensitive as Pgpool).
func parseFlag(s string) (BackendFlag, []string, error) {
	var f BackendFlag
	var notices []string
	allow, disallow := false, false
	for _, it := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' }) {
		switch it {
		case "ALLOW_TO_FAILOVER":
			if disallow {
				return 0, nil, fmt.Errorf("cannot set ALLOW_TO_FAILOVER and DISALLOW_TO_FAILOVER at the same time")
			}
			allow = true
			f &^= DisallowToFailover
		case "DISALLOW_TO_FAILOVER":
			if allow {
				return 0, nil, fmt.Errorf("cannot set ALLOW_TO_FAILOVER and DISALLOW_TO_FAILOVER at the same time")
			}
			disallow = true
			f |= DisallowToFailover
		case "ALWAYS_PRIMARY":
			f |= AlwaysPrimary
		case "ALWAYS_MASTER":
			f |= AlwaysPrimary
			notices = append(notices, `backend flag "ALWAYS_MASTER" is renamed to "ALWAYS_PRIMARY"`)
		default:
			return 0, nil, fmt.Errorf("unknown backend flag:%s", it)
		}
	}
	return f, notices, nil
}

// parseLogDestination checks log_destination ("stderr", "syslog", comma list).
func parseLogDestination(s string) error {
	for _, it := range strings.Split(s, ",") {
		switch strings.TrimSpace(it) {
		case "stderr", "syslog":
		default:
			return fmt.Errorf("unknown destination :%s", strings.TrimSpace(it))
		}
	}
	return nil
}
