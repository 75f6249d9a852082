package child

import (
	"strings"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/router"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// resetTimeout bounds each reset query (Pgpool: 10 s).
const resetTimeout = 10 * time.Second

// resetBackends runs reset_query_list on the connections of the slot the
// session used so the next client starts clean (Pgpool §3.4). Pgpool-II
// resets every connection; one the session sent nothing to is still as
// its last reset left it, and skipping it saves a round trip per session
// (a client that only reads touches one node). ABORT is skipped where the
// connection is idle. Any error means the slot is not cached: no session
// state may leak to the next client (trap T23). Each reset query a node
// runs is counted in SHOW pool_backend_stats, as Pgpool-II counts them
// (they go through its SimpleQuery).
func (s *session) resetBackends() bool {
	for _, q := range s.c.cfg.ResetQueryList {
		q = strings.TrimSpace(q)
		if q == "" {
			continue
		}
		router.Classify([]byte(q), s.c.ropts, &s.stmt)
		kind := shm.StatKind(s.stmt.Effect().Kind)
		abort := strings.EqualFold(q, "ABORT")
		dropsTemp := dropsTempTables(q)
		for n, c := range s.slot.Conns {
			if c == nil || !s.touched.has(n) || abort && s.nodeTx[n] == 'I' && c.TxStatus == 'I' {
				continue
			}
			if _, err := c.Query(q, time.Now().Add(resetTimeout)); err != nil {
				s.log.Debug().Err(err).Str("query", q).Int("node", n).Msg("reset query failed; the connection is not cached")
				return false
			}
			s.c.seg.CountStatement(n, kind)
			s.nodeTx[n] = c.TxStatus
			if dropsTemp {
				c.NoTemp = true
			}
		}
	}
	return true
}

var _ = relay.Sync

// dropsTempTables says whether a reset query drops the session's
// temporary tables: DISCARD ALL, DISCARD TEMP or DISCARD TEMPORARY.
func dropsTempTables(q string) bool {
	f := strings.Fields(strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(q), ";")))
	return len(f) == 2 && f[0] == "DISCARD" && (f[1] == "ALL" || f[1] == "TEMP" || f[1] == "TEMPORARY")
}
