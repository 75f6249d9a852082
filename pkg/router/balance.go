package router

// Client identifies a session for the redirect preference lists.
type Client struct {
	// AppName is application_name from the startup packet only (a later
	// SET does not count), Database and User from the startup packet.
	AppName, Database, User string
}

// SelectLoadBalancingNode chooses a session's load-balance node as
// Pgpool-II's select_load_balancing_node() does (reference §4.2):
//
//  1. one random draw r in [0,1);
//  2. the redirect lists, user < database < app name in priority, first
//     matching entry of each list: a suggested node (taken only if valid)
//     and a ratio;
//  3. a suggested concrete node: with prefer_lower_delay_standby, a
//     standby over the delay threshold is replaced by the least delayed
//     standby; else it is chosen if r <= ratio, and excluded otherwise;
//  4. "standby" suggested and r > ratio: the primary;
//  5. otherwise a weighted random choice (a second draw) among the valid
//     nodes with weight > 0, without the excluded node, and without the
//     primary when "standby" was suggested; nothing eligible (all weights
//     0, trap T12): the primary;
//  6. with prefer_lower_delay_standby, a chosen node over the threshold is
//     replaced by the least delayed standby (the primary if none).
//
// rnd returns uniform draws in [0,1); seed it once per process. Weights
// are used as configured: Pgpool-II's normalisation (RAND_MAX * w / sum)
// does not change which node a draw selects.
func SelectLoadBalancingNode(c *Cluster, o *Options, cl *Client, rnd func() float64) int {
	primary := c.Primary()
	r := rnd()

	suggested := -2 // none
	ratio := 1.0
	matched := false
	apply := func(list []Redirect, subject string) {
		for i := range list {
			if !list[i].Pattern.MatchString(subject) {
				continue
			}
			matched, ratio = true, list[i].Ratio
			switch n := chooseDBNode(c, list[i].Node); {
			case n == -1 || c.valid(n):
				suggested = n
			}
			return
		}
	}
	if cl != nil {
		apply(o.UserRedirects, cl.User)
		apply(o.DatabaseRedirects, cl.Database)
		if cl.AppName != "" {
			apply(o.AppNameRedirects, cl.AppName)
		}
	}

	exclude := -1
	if suggested >= 0 {
		if o.PreferLowerDelayStandby && suggested != primary && checkReplicationDelay(c, o, suggested) != 0 {
			return lowestDelayStandby(c, o, rnd)
		}
		if matched && r <= ratio {
			return suggested
		}
		exclude = suggested
	}
	if suggested == -1 && matched && r > ratio {
		return primary
	}

	// Weighted random choice, cumulative in node order.
	total := 0.0
	for i := range c.Nodes {
		if !c.Nodes[i].Valid || i == exclude || (suggested == -1 && i == primary) {
			continue
		}
		total += c.Nodes[i].Weight
	}
	draw := rnd() * total
	selected := primary
	cum := 0.0
	for i := range c.Nodes {
		if (suggested == -1 && i == primary) || i == exclude {
			continue
		}
		if !c.Nodes[i].Valid || !(c.Nodes[i].Weight > 0) {
			continue
		}
		if draw >= cum {
			selected = i
		} else {
			break
		}
		cum += c.Nodes[i].Weight
	}

	if o.PreferLowerDelayStandby && checkReplicationDelay(c, o, selected) != 0 {
		selected = lowestDelayStandby(c, o, rnd)
	}
	return selected
}

// chooseDBNode is choose_db_node_id(): -1 for "standby", the primary for
// "primary", a node id in range, or the primary (the main node of an SR
// session) for an out-of-range id.
func chooseDBNode(c *Cluster, spec NodeSpec) int {
	switch {
	case spec == SpecPrimary:
		return c.Primary()
	case spec == SpecStandby:
		return -1
	case int(spec) < len(c.Nodes):
		return int(spec)
	}
	return c.Primary()
}

// checkReplicationDelay is check_replication_delay(): -1 if
// delay_threshold_by_time is set and the delay exceeds it (in µs), -2 if
// delay_threshold is set and the delay exceeds it (bytes), else 0. As in
// Pgpool-II (trap T13) the time threshold is applied whenever it is set,
// whatever unit the node's delay is in. The primary has no delay.
func checkReplicationDelay(c *Cluster, o *Options, id int) int {
	if id < 0 || id >= len(c.Nodes) || c.Nodes[id].Primary || id == c.PrimaryID {
		return 0
	}
	d := c.Nodes[id].Delay
	if o.DelayThresholdByTime > 0 && d > o.DelayThresholdByTime*1000 {
		return -1
	}
	if o.DelayThreshold > 0 && d > o.DelayThreshold {
		return -2
	}
	return 0
}

// lowestDelayStandby picks, among valid standbys with weight > 0 that are
// not over the delay threshold, one with the smallest delay (weighted
// random among ties); the primary if there is none.
func lowestDelayStandby(c *Cluster, o *Options, rnd func() float64) int {
	primary := c.Primary()
	var lowest uint64
	found := false
	total := 0.0
	for i := range c.Nodes {
		n := &c.Nodes[i]
		if !n.Valid || i == primary || !(n.Weight > 0) || checkReplicationDelay(c, o, i) != 0 {
			continue
		}
		switch {
		case !found || n.Delay < lowest:
			lowest, total, found = n.Delay, n.Weight, true
		case n.Delay == lowest:
			total += n.Weight
		}
	}
	if !found {
		return primary
	}
	draw := rnd() * total
	selected := primary
	cum := 0.0
	for i := range c.Nodes {
		n := &c.Nodes[i]
		if !n.Valid || i == primary || !(n.Weight > 0) || n.Delay != lowest || checkReplicationDelay(c, o, i) != 0 {
			continue
		}
		if selected == primary || draw >= cum {
			selected = i
		} else {
			break
		}
		cum += n.Weight
	}
	return selected
}
