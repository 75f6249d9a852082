package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// NodeSpecKind says which node a redirect rule sends a session to.
type NodeSpecKind uint8

// Redirect targets.
const (
	RedirectPrimary NodeSpecKind = iota + 1 // "primary"
	RedirectStandby                         // "standby": any standby, chosen by weight
	RedirectNode                            // a node id
)

// RedirectRule is one "pattern:nodespec(ratio)" item of
// database/app_name/user_redirect_preference_list.
type RedirectRule struct {
	Pattern string         // as configured
	Regexp  *regexp.Regexp // anchored (^...$), case-sensitive, extended syntax
	Target  NodeSpecKind
	Node    int     // RedirectNode only
	Ratio   float64 // probability of applying the rule, 0..1; default 1.0
}

// Match reports whether s (a database, application or user name) matches
// the rule's pattern.
func (r RedirectRule) Match(s string) bool { return r.Regexp.MatchString(s) }

// parseRedirectList parses "pattern:nodespec[(ratio)],..." as Pgpool's
// extract_string_tokens2 + check_redirect_node_spec. The node spec is the
// text after the last ':' (patterns may contain ':'); items are trimmed.
func parseRedirectList(s string) ([]RedirectRule, error) {
	var rules []RedirectRule
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		i := strings.LastIndexByte(item, ':')
		if i < 0 {
			return nil, fmt.Errorf("wrong redirect specification %q: expected pattern:node", item)
		}
		pat, spec := strings.TrimSpace(item[:i]), strings.TrimSpace(item[i+1:])
		r := RedirectRule{Pattern: pat, Ratio: 1.0}
		if j := strings.IndexByte(spec, '('); j >= 0 {
			if !strings.HasSuffix(spec, ")") {
				return nil, fmt.Errorf("wrong redirect db node spec: %q", spec)
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(spec[j+1:len(spec)-1]), 64)
			if err != nil || f < 0 || f > 1 {
				return nil, fmt.Errorf("wrong redirect weight in %q: must be a number between 0.0 and 1.0", spec)
			}
			r.Ratio = f
			spec = strings.TrimSpace(spec[:j])
		}
		switch {
		case strings.EqualFold(spec, "primary"):
			r.Target = RedirectPrimary
		case strings.EqualFold(spec, "standby"):
			r.Target = RedirectStandby
		default:
			n, err := strconv.Atoi(spec)
			if err != nil || n < 0 || n >= MaxBackends || strings.ContainsAny(spec, "+-") {
				return nil, fmt.Errorf("wrong redirect db node spec: %q", spec)
			}
			r.Target, r.Node = RedirectNode, n
		}
		if pat == "" {
			return nil, fmt.Errorf("wrong redirect regular expression: %q", pat)
		}
		re, err := anchoredRegexp(pat, false)
		if err != nil {
			return nil, fmt.Errorf("wrong redirect regular expression: %w", err)
		}
		r.Regexp = re
		rules = append(rules, r)
	}
	return rules, nil
}

// ObjectKind is the kind of a dml_adaptive_object_relationship_list item.
type ObjectKind uint8

// Object kinds: a name ending in "()" is a function.
const (
	ObjectKindRelation ObjectKind = iota + 1
	ObjectKindFunction
)

// DBObject is one side of a dml_adaptive relationship.
type DBObject struct {
	Name string
	Kind ObjectKind
}

// ObjectRelation says that writing Left also affects Right
// ("left:right" in dml_adaptive_object_relationship_list).
type ObjectRelation struct {
	Left, Right DBObject
}

func parseObjectRelations(s string) ([]ObjectRelation, error) {
	var out []ObjectRelation
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		l, r, ok := strings.Cut(item, ":")
		l, r = strings.TrimSpace(l), strings.TrimSpace(r)
		if !ok || l == "" || r == "" || strings.Contains(r, ":") {
			return nil, fmt.Errorf("wrong relationship %q: expected object:object", item)
		}
		out = append(out, ObjectRelation{Left: dbObject(l), Right: dbObject(r)})
	}
	return out, nil
}

func dbObject(s string) DBObject {
	if len(s) > 3 && strings.HasSuffix(s, "()") {
		return DBObject{Name: strings.TrimRight(s[:len(s)-2], " "), Kind: ObjectKindFunction}
	}
	return DBObject{Name: s, Kind: ObjectKindRelation}
}
