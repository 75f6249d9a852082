package srcheck

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/bgproc"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

// Passwords resolves the sr_check_user's password.
type Passwords func(cfg *config.Config, user, configured string) backend.Password

type worker struct {
	*bgproc.Proc
	passwords Passwords
}

// Main runs the sr-worker and returns its exit code.
func Main(env *spawn.Env, passwords Passwords) int {
	p, err := bgproc.Start(env, "sr_check_worker", -1)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return spawn.ExitRestart
	}
	w := &worker{Proc: p, passwords: passwords}
	return w.Run(func() int { return w.Cfg.SrCheckPeriod }, w.cycle)
}

// query runs sql on node with the sr_check credentials, on a fresh
// connection (Pgpool opens and closes them every cycle).
func (w *worker) query(node int, sql string) (*backend.Result, error) {
	cfg := w.Cfg
	return Query(cfg, node, w.passwords(cfg, cfg.SrCheckUser, cfg.SrCheckPassword), sql)
}

// Query runs sql on node as sr_check_user on sr_check_database (postgres
// when empty), on a connection of its own bounded by connect_timeout (10 s
// when 0). The sr-worker and the primary search both ask this way.
func Query(cfg *config.Config, node int, password backend.Password, sql string) (*backend.Result, error) {
	b := cfg.Backends[node]
	db := cfg.SrCheckDatabase
	if db == "" {
		db = "postgres"
	}
	timeout := 10 * time.Second
	if cfg.ConnectTimeout > 0 {
		timeout = time.Duration(cfg.ConnectTimeout) * time.Millisecond
	}
	return backend.QueryOnce(backend.Target{Node: node, Host: b.Host(), Port: b.Port}, cfg.SrCheckUser, db, password, sql, timeout)
}

// cycle is one measurement of every standby.
func (w *worker) cycle() {
	cfg := w.Cfg
	if !cfg.ClusteringModeStreaming() || w.Seg.Switching() || len(cfg.Backends) < 2 {
		return
	}
	primary := w.Seg.Primary()
	if primary < 0 || !w.Seg.Node(primary).Valid() {
		return
	}
	plsn, err := w.lsn(primary, "SELECT pg_catalog.pg_current_wal_lsn()")
	if err != nil {
		w.Log.Error().Err(err).Int("node", primary).Str("hint", "check sr_check_user and sr_check_password").
			Msg("Failed to check replication time lag")
		return
	}
	repl := w.replicationStates(primary)
	byTime := cfg.DelayThresholdByTime > 0
	// The primary replicates from nobody: what it showed as a standby
	// before a failover must not linger (Pgpool clears every node's state
	// at the start of a cycle).
	w.Seg.SetReplication(primary, shm.Replication{})
	for i, b := range cfg.Backends {
		if !b.InUse() || i == primary {
			continue
		}
		st, matched := repl[b.ApplicationName]
		rec := w.Seg.Replication(i)
		rec.State, rec.SyncState = "", ""
		if matched {
			rec.State, rec.SyncState = st.state, st.sync
		}
		if !w.Seg.Node(i).Valid() {
			// Down nodes get their state too: auto_failback relies on it.
			w.Seg.SetReplication(i, rec)
			continue
		}
		if byTime {
			if matched {
				rec.Delay, rec.ByTime = st.lagMicros, true
			}
		} else {
			slsn, err := w.lsn(i, "SELECT pg_catalog.pg_last_wal_replay_lsn()")
			if err != nil {
				w.Log.Error().Err(err).Int("node", i).Str("hint", "check sr_check_user and sr_check_password").
					Msg("Failed to check replication time lag")
				return
			}
			rec.Delay, rec.ByTime = 0, false
			if plsn > slsn {
				rec.Delay = plsn - slsn
			}
		}
		w.Seg.SetReplication(i, rec)
		w.logDelay(i, primary, rec)
	}
	w.verifyPrimary()
}

// verifyPrimary detaches false primaries (§5.4) when detach_false_primary
// is on: posts a request for each, which the supervisor handles.
func (w *worker) verifyPrimary() {
	if !w.Cfg.DetachFalsePrimary {
		return
	}
	_, invalid := FindPrimary(w.Cfg, w.Seg, w.query)
	for _, n := range invalid {
		w.Log.Warn().Int("node", n).Msg("node is a false primary; requesting its detachment")
		w.Request(shm.Request{Kind: shm.ReqNodeDown, Details: shm.DetailSwitchover | shm.DetailConfirmed, Nodes: []int{n}})
	}
}

type replState struct {
	state, sync string
	lagMicros   uint64
}

// replicationStates reads pg_stat_replication on the primary, keyed by
// application_name.
func (w *worker) replicationStates(primary int) map[string]replState {
	res, err := w.query(primary, "SELECT application_name, state, sync_state, "+
		"(EXTRACT(EPOCH FROM replay_lag)*1000000)::BIGINT FROM pg_catalog.pg_stat_replication")
	out := map[string]replState{}
	if err != nil {
		w.Log.Warn().Err(err).Msg("could not read pg_stat_replication on the primary")
		return out
	}
	for r, row := range res.Rows {
		st := replState{state: row[1], sync: row[2]}
		if !res.Null[r][3] {
			st.lagMicros, _ = strconv.ParseUint(row[3], 10, 64)
		}
		out[row[0]] = st
	}
	return out
}

// lsn reads an LSN and converts it to a byte position. The delay is the
// true difference of WAL positions (what pg_wal_lsn_diff gives); Pgpool's
// legacy formula X*(0xFFFFFFFF-16MiB)+Y slightly undercounts it.
func (w *worker) lsn(node int, sql string) (uint64, error) {
	res, err := w.query(node, sql)
	if err != nil {
		return 0, err
	}
	return ParseLSN(res.Value(0, 0))
}

// ParseLSN converts "X/Y" to a 64-bit WAL position.
func ParseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("invalid LSN %q", s)
	}
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("invalid LSN %q", s)
	}
	return h<<32 | l, nil
}

// logDelay logs a standby's delay as log_standby_delay says (Pgpool's
// texts).
func (w *worker) logDelay(node, primary int, r shm.Replication) {
	cfg := w.Cfg
	over := false
	switch {
	case r.ByTime:
		over = cfg.DelayThresholdByTime > 0 && r.Delay > uint64(cfg.DelayThresholdByTime)*1000
	default:
		over = cfg.DelayThreshold > 0 && r.Delay > uint64(cfg.DelayThreshold)
	}
	switch cfg.LogStandbyDelay {
	case "always":
		if r.Delay == 0 {
			return
		}
	case "if_over_threshold":
		if !over {
			return
		}
	default:
		return
	}
	if r.ByTime {
		w.Log.Info().Int("node", node).Msgf("Replication of node: %d is behind %.6f second(s) from the primary server (node: %d)", node, float64(r.Delay)/1e6, primary)
	} else {
		w.Log.Info().Int("node", node).Msgf("Replication of node: %d is behind %d bytes from the primary server (node: %d)", node, r.Delay, primary)
	}
}
