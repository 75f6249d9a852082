package pcp

import "fmt"

// Layout is the field list a release uses for the node info (i) and process
// info (p) rows, the only replies whose shape changed across releases (§1.9).
// The protocol carries no version, so a server must emit the layout of the C
// clients it serves; a client recognises the layout by counting fields.
type Layout int

const (
	// LayoutUnknown means no row has been seen yet (client side).
	LayoutUnknown Layout = iota
	// Layout43 is Pgpool-II 4.3 as released in 4.3.5 (Debian 12): node info has
	// 12 fields (quarantine after status, no standby_delay_by_time), process
	// info 17 (no load_balance_node). Early 4.3 minors sent node info without
	// quarantine (11 fields); the client reads those too.
	Layout43
	// Layout44 is 4.4: node info 13 fields, process info 17.
	Layout44
	// Layout45 is 4.5 and 4.6: process info gains load_balance_node (18).
	Layout45
	// Layout47 is 4.7 and later: process info gains client_host, client_port
	// and statement (21). The default.
	Layout47
)

var layoutNames = [...]string{
	LayoutUnknown: "unknown",
	Layout43:      "4.3",
	Layout44:      "4.4",
	Layout45:      "4.5",
	Layout47:      "4.7",
}

func (l Layout) String() string {
	if l >= 0 && int(l) < len(layoutNames) {
		return layoutNames[l]
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// ParseLayout accepts a Pgpool-II release ("4.3", "4.4", "4.5", "4.6",
// "4.7"; a minor such as "4.3.5" and later releases such as "4.8" too) and
// returns the layout its PCP clients expect.
func ParseLayout(release string) (Layout, error) {
	var major, minor int
	if _, err := fmt.Sscanf(release, "%d.%d", &major, &minor); err != nil || major != 4 {
		return LayoutUnknown, fmt.Errorf("pcp: unsupported PCP layout %q: want a Pgpool-II release 4.3 or later, e.g. \"4.7\"", release)
	}
	switch {
	case minor < 3:
		return LayoutUnknown, fmt.Errorf("pcp: unsupported PCP layout %q: releases before 4.3 are not supported", release)
	case minor == 3:
		return Layout43, nil
	case minor == 4:
		return Layout44, nil
	case minor <= 6:
		return Layout45, nil
	}
	return Layout47, nil
}

// nodeInfoFields is the number of strings after "NodeInfo" in a row.
func (l Layout) nodeInfoFields() int {
	if l == Layout43 {
		return 12
	}
	return 13
}

// processInfoFields is the number of strings after "ProcessInfo" in a row.
func (l Layout) processInfoFields() int {
	switch l {
	case Layout43, Layout44:
		return 17
	case Layout45:
		return 18
	}
	return 21
}

// orDefault maps the zero value to the default layout.
func (l Layout) orDefault() Layout {
	if l == LayoutUnknown {
		return Layout47
	}
	return l
}
