package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file parses the list parameters that routing uses. The router
// takes the parsed values from Config: there is one parser, so what the
// supervisor accepted at load is exactly what the children run.

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

// MatchString reports whether s matches the whole pattern.
func (p *Pattern) MatchString(s string) bool { return p.re.MatchString(s) }

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

// compilePatterns compiles the entries of a function, table or query
// pattern list. An invalid entry is left out and reported, as Pgpool
// does with a WARNING ("unable to add regex pattern").
func compilePatterns(items []string) ([]Pattern, []error) {
	var out []Pattern
	var errs []error
	for _, it := range items {
		p, err := CompilePattern(it)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	return out, errs
}

// NodeSpec is the node part of a redirect rule: SpecPrimary, SpecStandby
// or a node id 0..127.
type NodeSpec int

const (
	// SpecPrimary is "primary": the primary node (main node if none).
	SpecPrimary NodeSpec = -2
	// SpecStandby is "standby": any standby, by weight.
	SpecStandby NodeSpec = -1
)

// Redirect is one entry of app_name_, database_ or
// user_redirect_preference_list: "pattern:nodespec(ratio)".
type Redirect struct {
	Pattern Pattern
	Node    NodeSpec
	Ratio   float64 // probability of applying the rule, 0..1; 1.0 when not given
}

// ParseRedirectList parses a *_redirect_preference_list value:
// comma-separated "regex:nodespec[(ratio)]" entries split at the first
// ':' (extract_string_tokens2), nodespec being "primary", "standby" or a
// node id 0..127. Deliberate differences from Pgpool-II: blanks around
// entries are ignored, node specs are matched case-insensitively
// everywhere (Pgpool-II validates them so but then treats "PRIMARY" as
// node 0), and an entry without ':' is an error (Pgpool-II silently drops
// it and every entry after it).
func ParseRedirectList(s string) ([]Redirect, error) {
	var out []Redirect
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		left, right, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("entry %q has no ':' (expected pattern:node[(ratio)])", entry)
		}
		left, right = strings.TrimSpace(left), strings.TrimSpace(right)
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
				if err != nil || f < 0 || f > 1 {
					return nil, fmt.Errorf("entry %q: invalid ratio %q (a number between 0.0 and 1.0)", entry, w)
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
			if err != nil || n < 0 || n >= MaxBackends || strings.TrimLeft(right, "0123456789") != "" {
				return nil, fmt.Errorf("entry %q: wrong redirect db node spec %q (expected primary, standby or 0..%d)", entry, right, MaxBackends-1)
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

// ObjectRelation is one entry of dml_adaptive_object_relationship_list:
// writing Left (a table, or a function when LeftFunction) also makes
// Right stale for the rest of the transaction.
type ObjectRelation struct {
	Left, Right                 string
	LeftFunction, RightFunction bool
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
