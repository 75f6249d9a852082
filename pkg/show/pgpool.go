package show

import (
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// cache is SHOW pool_cache. pgpool-go has no query cache yet, so the
// command says so, as Pgpool does when memory_cache_enabled is off.
func cache(env Env) (Result, *config.Config, *relay.PgError) {
	return Result{}, nil, &relay.PgError{Severity: relay.SevError, Code: "XX000", Message: "query cache is not enabled"}
}

// pgpoolShow is PGPOOL SHOW name | ALL | group (§7.4).
func pgpoolShow(env Env, name string) (Result, *relay.PgError) {
	if name == "all" {
		return rowsResult(env.Cfg.ShowAll()), nil
	}
	if rows, ok := env.Cfg.ShowGroup(name); ok {
		return rowsResult(rows), nil
	}
	v, ok := env.Cfg.Value(name)
	if !ok {
		return Result{}, notFound(name)
	}
	return Result{Columns: []string{name}, Rows: [][]string{{v}}}, nil
}

func rowsResult(rows []config.StatusRow) Result {
	r := Result{Columns: []string{"item", "value", "description"}}
	for _, row := range rows {
		r.Rows = append(r.Rows, []string{row.Item, row.Value, row.Description})
	}
	return r
}

func notFound(name string) *relay.PgError {
	return &relay.PgError{Severity: relay.SevError, Code: "42704", Message: "config variable \"" + name + "\" not found"}
}

// pgpoolSet is PGPOOL SET name {TO|=} value|DEFAULT for the session.
func pgpoolSet(env Env, cmd Command) (Result, *config.Config, *relay.PgError) {
	var next *config.Config
	var err error
	if cmd.Default {
		next, err = env.Cfg.ResetSession(cmd.Name, env.Base)
	} else {
		next, err = env.Cfg.WithSession(cmd.Name, cmd.Value)
	}
	if err != nil {
		return Result{}, nil, &relay.PgError{Severity: relay.SevError, Code: "22023", Message: err.Error()}
	}
	return Result{Tag: "SET"}, next, nil
}

// pgpoolReset is PGPOOL RESET name | ALL.
func pgpoolReset(env Env, cmd Command) (Result, *config.Config, *relay.PgError) {
	if cmd.Name == "all" {
		return Result{Tag: "RESET"}, env.Base, nil
	}
	next, err := env.Cfg.ResetSession(cmd.Name, env.Base)
	if err != nil {
		return Result{}, nil, &relay.PgError{Severity: relay.SevError, Code: "22023", Message: err.Error()}
	}
	return Result{Tag: "SET"}, next, nil
}
