package show

import (
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// LiveProber answers pg_status and pg_role by asking the node now, as
// Pgpool does for every SHOW pool_nodes and pcp_node_info: a ping with the
// health-check user, and pg_is_in_recovery() with the sr_check user.
type LiveProber struct {
	Cfg       *config.Config
	Passwords func(cfg *config.Config, user, configured string) backend.Password
}

func (p LiveProber) target(node int) backend.Target {
	b := p.Cfg.Backends[node]
	return backend.Target{Node: node, Host: b.Host(), Port: b.Port}
}

func (p LiveProber) timeout() time.Duration {
	if p.Cfg.ConnectTimeout > 0 {
		return time.Duration(p.Cfg.ConnectTimeout) * time.Millisecond
	}
	return 10 * time.Second
}

// PgStatus is up, down, or unknown when the node's health check is off.
func (p LiveProber) PgStatus(node int) string {
	if node >= len(p.Cfg.Backends) || !p.Cfg.Backends[node].InUse() {
		return "unknown"
	}
	hc := p.Cfg.HealthCheck(node)
	if hc.Period == 0 {
		return "unknown"
	}
	db := hc.Database
	if db == "" {
		db = "postgres"
	}
	if backend.Ping(p.target(node), hc.User, db, p.timeout()) {
		return "up"
	}
	return "down"
}

// PgRole is primary, standby, or unknown when sr_check_period is 0 or the
// node does not answer.
func (p LiveProber) PgRole(node int) string {
	cfg := p.Cfg
	if cfg.SrCheckPeriod == 0 || node >= len(cfg.Backends) {
		return "unknown"
	}
	db := cfg.SrCheckDatabase
	if db == "" {
		db = "postgres"
	}
	var pw backend.Password
	if p.Passwords != nil {
		pw = p.Passwords(cfg, cfg.SrCheckUser, cfg.SrCheckPassword)
	}
	res, err := backend.QueryOnce(p.target(node), cfg.SrCheckUser, db, pw, "SELECT pg_catalog.pg_is_in_recovery()", p.timeout())
	if err != nil {
		return "unknown"
	}
	switch res.Value(0, 0) {
	case "t":
		return "standby"
	case "f":
		return "primary"
	}
	return "unknown"
}
