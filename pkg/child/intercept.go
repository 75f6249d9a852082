package child

import (
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
		Cfg: s.cfg, Base: s.c.cfg, Seg: s.c.seg, LBNode: s.lbNode, Probe: show.LiveProber{Cfg: s.c.cfg, Passwords: s.c.passwords},
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
