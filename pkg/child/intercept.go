package child

import (
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/show"
)

// intercept answers Pgpool's own commands (SHOW pool_*, PGPOOL SHOW/SET/
// RESET) in the simple query protocol; they never reach PostgreSQL.
func (s *session) intercept(sql []byte) bool {
	cmd, ok := show.Parse(sql)
	if !ok {
		return false
	}
	res, next, perr := show.Run(cmd, show.Env{
		Cfg: s.cfg, Base: s.c.cfg, Seg: s.c.seg, LBNode: s.lbNode, Probe: prober{s.c},
	})
	b := s.client.Wbuf()
	if perr != nil {
		b = relay.AppendError(b, perr)
		b = relay.AppendReadyForQuery(b, s.tx)
	} else {
		b = show.Append(b, res)
	}
	s.client.SetWbuf(b)
	if next != nil {
		s.cfg = next
	}
	return true
}

// prober answers pg_status and pg_role by asking the node now, as Pgpool
// does for every SHOW pool_nodes.
type prober struct{ c *Child }

func (p prober) target(node int) backend.Target {
	b := p.c.cfg.Backends[node]
	return backend.Target{Node: node, Host: b.Host(), Port: b.Port}
}

func (p prober) timeout() time.Duration {
	if p.c.cfg.ConnectTimeout > 0 {
		return time.Duration(p.c.cfg.ConnectTimeout) * time.Millisecond
	}
	return 10 * time.Second
}

func (p prober) PgStatus(node int) string {
	if node >= len(p.c.cfg.Backends) || !p.c.cfg.Backends[node].InUse() {
		return "unknown"
	}
	hc := p.c.cfg.HealthCheck(node)
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

func (p prober) PgRole(node int) string {
	cfg := p.c.cfg
	if cfg.SrCheckPeriod == 0 || node >= len(cfg.Backends) {
		return "unknown"
	}
	db := cfg.SrCheckDatabase
	if db == "" {
		db = "postgres"
	}
	res, err := backend.QueryOnce(p.target(node), cfg.SrCheckUser, db, p.c.password(cfg.SrCheckUser, cfg.SrCheckPassword),
		"SELECT pg_catalog.pg_is_in_recovery()", p.timeout())
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

// password is the password the child uses for an internal connection as
// user: the configured one, else none. TODO(#5): pool_passwd lookup.
func (c *Child) password(user, configured string) backend.Password {
	return backend.StaticPassword(configured)
}
