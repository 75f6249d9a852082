package show

import (
	"bytes"
	"strconv"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// Result is a command's answer: a result set (Columns, Rows), or only a
// command tag (SET, RESET).
type Result struct {
	Columns []string
	Rows    [][]string
	Tag     string // "" means "SELECT <rows>"
}

// Prober answers the live columns of SHOW pool_nodes (pg_status, pg_role)
// by asking the node now, as Pgpool does.
type Prober interface {
	PgStatus(node int) string // up, down or unknown
	PgRole(node int) string   // primary, standby or unknown
}

// Env is what commands read: the session's configuration (with its PGPOOL
// SET values), shared memory, and the asking session.
type Env struct {
	Cfg    *config.Config
	Base   *config.Config // the configuration without the session's PGPOOL SET values
	Seg    *shm.Segment
	LBNode int // the asking session's load-balance node, -1 none
	Probe  Prober
	Now    time.Time
}

// Kind is a recognised command.
type Kind int

const (
	None Kind = iota
	PoolNodes
	PoolProcesses
	PoolPools
	PoolStatus
	PoolVersion
	PoolHealthCheckStats
	PoolBackendStats
	PoolCache
	PgpoolShow
	PgpoolSet
	PgpoolReset
)

// Command is a parsed command.
type Command struct {
	Kind    Kind
	Name    string // PGPOOL SHOW/SET/RESET parameter (lower-cased unless quoted)
	Value   string // PGPOOL SET value; "" with Default for DEFAULT
	Default bool
}

var showNames = map[string]Kind{
	"pool_nodes": PoolNodes, "pool_processes": PoolProcesses, "pool_pools": PoolPools,
	"pool_status": PoolStatus, "pool_version": PoolVersion,
	"pool_health_check_stats": PoolHealthCheckStats, "pool_backend_stats": PoolBackendStats,
	"pool_cache": PoolCache,
}

// Parse recognises a command in a simple query's text. It is cheap for the
// statements it does not recognise (every query passes through it): only
// text starting with SHOW or PGPOOL is looked at further.
func Parse(sql []byte) (Command, bool) {
	l := lexer{s: sql}
	first := l.word()
	switch {
	case eqFold(first, "show"):
		name := l.word()
		k, ok := showNames[string(lower(name))]
		if !ok || !l.end() {
			return Command{}, false
		}
		return Command{Kind: k}, true
	case eqFold(first, "pgpool"):
		return parsePgpool(&l)
	}
	return Command{}, false
}

func parsePgpool(l *lexer) (Command, bool) {
	verb := l.word()
	switch {
	case eqFold(verb, "show"):
		name, ok := l.name()
		if !ok || !l.end() {
			return Command{}, false
		}
		return Command{Kind: PgpoolShow, Name: name}, true
	case eqFold(verb, "reset"):
		name, ok := l.name()
		if !ok || !l.end() {
			return Command{}, false
		}
		return Command{Kind: PgpoolReset, Name: name}, true
	case eqFold(verb, "set"):
		name, ok := l.name()
		if !ok {
			return Command{}, false
		}
		if !l.punct('=') {
			if !eqFold(l.word(), "to") {
				return Command{}, false
			}
		}
		v, quoted, ok := l.value()
		if !ok || !l.end() {
			return Command{}, false
		}
		return Command{Kind: PgpoolSet, Name: name, Value: v, Default: !quoted && eqFold([]byte(v), "default")}, true
	}
	return Command{}, false
}

// Run executes a recognised command. For PGPOOL SET and RESET it returns
// the session's new configuration.
func Run(cmd Command, env Env) (Result, *config.Config, *relay.PgError) {
	if env.Now.IsZero() {
		env.Now = time.Now()
	}
	switch cmd.Kind {
	case PoolNodes:
		return nodes(env), nil, nil
	case PoolProcesses:
		return processes(env), nil, nil
	case PoolPools:
		return pools(env), nil, nil
	case PoolStatus:
		return status(env), nil, nil
	case PoolVersion:
		return versionResult(), nil, nil
	case PoolHealthCheckStats:
		return healthCheckStats(env), nil, nil
	case PoolBackendStats:
		return backendStats(env), nil, nil
	case PoolCache:
		return cache(env)
	case PgpoolShow:
		r, err := pgpoolShow(env, cmd.Name)
		return r, nil, err
	case PgpoolSet:
		return pgpoolSet(env, cmd)
	case PgpoolReset:
		return pgpoolReset(env, cmd)
	}
	return Result{}, nil, relay.ErrInternal("unknown pgpool command")
}

// Append encodes r as a result set (or tag) followed by ReadyForQuery
// with status I, which Pgpool hard-codes for these commands (§7).
func Append(b []byte, r Result) []byte {
	if r.Columns != nil {
		b = relay.AppendRowDescription(b, r.Columns)
		for _, row := range r.Rows {
			b = relay.AppendDataRow(b, row)
		}
	}
	if r.Tag != "" {
		b = relay.AppendCommandComplete(b, r.Tag)
	} else {
		b = relay.AppendSelectComplete(b, len(r.Rows))
	}
	return relay.AppendReadyForQuery(b, 'I')
}

// timestamp prints t as Pgpool does (local time, %F %T), empty when unset.
func timestamp(t time.Time) string {
	if t.IsZero() || t.Unix() == 0 {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func itoa(n int) string { return strconv.Itoa(n) }

func u64(n uint64) string { return strconv.FormatUint(n, 10) }

// ftoa prints C's "%f".
func ftoa(f float64) string {
	if f != f {
		return "nan"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// role is the role word of node i: SR primary/standby by the recorded
// primary id (for down nodes too), main/replica in other modes.
func role(env Env, i int) string {
	if env.Cfg.ClusteringModeStreaming() {
		if i == env.Seg.Primary() {
			return "primary"
		}
		return "standby"
	}
	if i == env.Seg.Main() {
		return "main"
	}
	return "replica"
}

func hostname(cfg *config.Config, i int) string {
	if i < len(cfg.Backends) && cfg.Backends[i].InUse() {
		return cfg.Backends[i].Host()
	}
	return ""
}

func port(cfg *config.Config, i int) int {
	if i < len(cfg.Backends) {
		return cfg.Backends[i].Port
	}
	return 0
}

func eqFold(a []byte, s string) bool { return bytes.EqualFold(a, []byte(s)) }

func lower(b []byte) []byte { return bytes.ToLower(b) }
