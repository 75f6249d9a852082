package srcheck

import (
	"net"
	"strconv"
	"strings"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// Probe asks one node something with the sr_check credentials.
type Probe func(node int, sql string) (*backend.Result, error)

// FindPrimary is one pass of Pgpool's find_primary_node (§5.4): a node
// flagged ALWAYS_PRIMARY wins without a query; otherwise every valid node
// is asked pg_is_in_recovery(), and the highest-numbered node that says
// false is the primary. With detach_false_primary, primaries that do not
// own every standby's replication are returned as invalid.
func FindPrimary(cfg *config.Config, seg *shm.Segment, ask Probe) (primary int, invalid []int) {
	if !cfg.ClusteringModeStreaming() {
		return -1, nil
	}
	for i, b := range cfg.Backends {
		if b.InUse() && b.Flag&config.AlwaysPrimary != 0 && seg.Node(i).Valid() {
			return i, nil
		}
	}
	var primaries, standbys []int
	for i, b := range cfg.Backends {
		if !b.InUse() || !seg.Node(i).Valid() {
			continue
		}
		res, err := ask(i, "SELECT pg_catalog.pg_is_in_recovery()")
		if err != nil {
			continue
		}
		// A node that answered has had its first successful connection:
		// it is up, as when a child first connects to it.
		seg.CompareAndSetStatus(i, shm.StatusConnectWait, shm.StatusUp)
		switch res.Value(0, 0) {
		case "f":
			primaries = append(primaries, i)
		case "t":
			standbys = append(standbys, i)
		}
	}
	switch {
	case len(primaries) == 0:
		return -1, nil
	case len(primaries) == 1:
		return primaries[0], nil
	case len(standbys) == 0:
		// Several primaries, no standby: the lowest id wins; the others
		// are false primaries when we may detach them.
		if cfg.DetachFalsePrimary {
			return primaries[0], primaries[1:]
		}
		return primaries[0], nil
	}
	if !cfg.DetachFalsePrimary {
		return primaries[len(primaries)-1], nil // highest id wins (§5.4)
	}
	// A true primary is one that every streaming standby replicates from.
	owners := map[int]int{}
	for _, sb := range standbys {
		res, err := ask(sb, "SELECT status, conninfo FROM pg_catalog.pg_stat_wal_receiver")
		if err != nil || res.Value(0, 0) != "streaming" {
			continue
		}
		host, port := conninfoHostPort(res.Value(0, 1))
		for _, p := range primaries {
			if sameNode(cfg.Backends[p], host, port) {
				owners[p]++
			}
		}
	}
	truePrimary := -1
	for _, p := range primaries {
		if owners[p] == len(standbys) {
			truePrimary = p
		}
	}
	if truePrimary < 0 {
		return primaries[len(primaries)-1], nil
	}
	for _, p := range primaries {
		if p != truePrimary {
			invalid = append(invalid, p)
		}
	}
	return truePrimary, invalid
}

// conninfoHostPort reads host= and port= from a libpq conninfo string.
func conninfoHostPort(ci string) (host string, port int) {
	port = 5432
	for _, kv := range strings.Fields(ci) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, "'")
		switch k {
		case "host":
			host = v
		case "port":
			if n, err := strconv.Atoi(v); err == nil {
				port = n
			}
		}
	}
	return host, port
}

// sameNode compares a standby's upstream with a backend definition; a
// unix-socket backend matches an empty host or localhost, as Pgpool does.
func sameNode(b config.Backend, host string, port int) bool {
	if port != b.Port {
		return false
	}
	bh := b.Host()
	if strings.HasPrefix(bh, "/") {
		return host == "" || host == "localhost" || host == bh
	}
	if host == bh {
		return true
	}
	hi, bi := net.ParseIP(host), net.ParseIP(bh)
	return hi != nil && bi != nil && hi.Equal(bi)
}
