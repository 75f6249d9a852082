package routing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// writeObjects are what the mixed workload writes to.
const writeObjects = `
create table w (id serial primary key, worker int not null, v text);
create sequence ws;
create function ins_fn(k int) returns int language sql volatile as
	'insert into w (worker, v) values (k, ''fn'') returning id';
create procedure ins_proc(k int) language sql as 'insert into w (worker, v) values (k, ''proc'')';
`

// workload is one client's mixed reads and writes; it returns how many
// rows it added to w for worker k. run executes one statement.
func workload(k int, run func(sql string, args ...any) error, copyIn func(sql, data string) error, simple bool) (int, error) {
	rows := 0
	steps := []struct {
		sql  string
		args []any
		adds int
	}{
		{"begin", nil, 0},
		{"insert into w (worker, v) values ($1, 'tx')", []any{k}, 1},
		{"select count(*) from w where worker = $1", []any{k}, 0},
		{"update w set v = 'tx2' where worker = $1 and v = 'tx'", []any{k}, 0},
		{"select * from w where worker = $1 for update", []any{k}, 0},
		{"lock table w in row exclusive mode", nil, 0},
		{"select id from w where worker = $1 limit 1", []any{k}, 0},
		{"commit", nil, 0},
		{"with i as (insert into w (worker, v) values ($1, 'cte') returning id) select id from i", []any{k}, 1},
		{"with u as (update w set v = v where worker = $1 returning id) select count(*) from u", []any{k}, 0},
		{"select nextval('ws')", nil, 0},
		{"select setval('ws', nextval('ws') + 1)", nil, 0},
		{"select ins_fn($1)", []any{k}, 1},
		{"select ins_fn($1), now()", []any{k}, 1},
		{"call ins_proc($1)", []any{k}, 1},
		{fmt.Sprintf("do $$begin insert into w (worker, v) values (%d, 'do'); end$$", k), nil, 1},
		{"create temp table tmp_w (id int, v text)", nil, 0},
		{"insert into tmp_w values (1, 'a')", nil, 0},
		{"select count(*) from tmp_w", nil, 0},
		{"update tmp_w set v = 'b'", nil, 0},
		{"delete from tmp_w", nil, 0},
		{"drop table tmp_w", nil, 0},
		{"select * into temp si_w from w where worker = $1", []any{k}, 0},
		{"drop table si_w", nil, 0},
		{fmt.Sprintf("create table ddl_w%d (id int)", k), nil, 0},
		{fmt.Sprintf("alter table ddl_w%d add column v text", k), nil, 0},
		{fmt.Sprintf("create index on ddl_w%d (id)", k), nil, 0},
		{fmt.Sprintf("truncate ddl_w%d", k), nil, 0},
		{fmt.Sprintf("drop table ddl_w%d", k), nil, 0},
		{fmt.Sprintf("prepare pw%d as insert into w (worker, v) values (%d, 'prepare')", k, k), nil, 0},
		{fmt.Sprintf("execute pw%d", k), nil, 1},
		{fmt.Sprintf("deallocate pw%d", k), nil, 0},
		{"begin", nil, 0},
		{"select count(*) from w where worker = $1", []any{k}, 0},
		{"savepoint s", nil, 0},
		{"delete from w where worker = $1 and v = 'none'", []any{k}, 0},
		{"rollback to savepoint s", nil, 0},
		{"insert into w (worker, v) values ($1, 'sp')", []any{k}, 1},
		{"commit", nil, 0},
	}
	for _, s := range steps {
		if err := run(s.sql, s.args...); err != nil {
			return rows, fmt.Errorf("%s: %w", s.sql, err)
		}
		rows += s.adds
	}
	if err := copyIn("copy w (worker, v) from stdin", fmt.Sprintf("%d\tcopy1\n%d\tcopy2\n", k, k)); err != nil {
		return rows, fmt.Errorf("copy from stdin: %w", err)
	}
	rows += 2
	if simple {
		sql := fmt.Sprintf("insert into w (worker, v) values (%d, 'multi'); select count(*) from w", k)
		if err := run(sql); err != nil {
			return rows, fmt.Errorf("%s: %w", sql, err)
		}
		rows++
	}
	return rows, nil
}

// Writes never reach a standby: a mixed workload of transactions,
// writable CTEs, nextval(), volatile functions that write, procedures, DO,
// temporary tables, SELECT INTO, DDL, PREPARE/EXECUTE, savepoints and
// COPY FROM, from several sessions whose load-balance node is the
// standby, in every protocol and disable_load_balance_on_write mode, runs
// without an error — in particular without "cannot execute … in a
// read-only transaction" (25006) — and every row lands on both nodes.
func TestWritesNeverReachAStandby(t *testing.T) {
	cluster.Reset(t)
	execOn(t, primary, writeObjects)
	waitReplay(t)
	const workers, rounds = 3, 3
	expected := make([]int, workers)
	for _, mode := range []string{"transaction", "trans_transaction", "always", "off", "dml_adaptive"} {
		t.Run(mode, func(t *testing.T) {
			p := startPool(t, "", workers+1, map[string]string{"backend_weight0": "0", "disable_load_balance_on_write": mode})
			for _, pr := range protocols {
				t.Run(pr.name, func(t *testing.T) {
					mark := markLogs(t)
					var wg sync.WaitGroup
					var mu sync.Mutex
					for k := range workers {
						wg.Add(1)
						go func() {
							defer wg.Done()
							ctx := context.Background()
							cfg, err := pgx.ParseConfig(p.ConnString("test", "postgres"))
							if err != nil {
								t.Error(err)
								return
							}
							conn, err := pgx.ConnectConfig(ctx, cfg)
							if err != nil {
								t.Error(err)
								return
							}
							defer conn.Close(ctx)
							run := func(sql string, args ...any) error {
								if pr.simple {
									_, err := conn.Exec(ctx, sql, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...)
									return err
								}
								rows, err := conn.Query(ctx, sql, append([]any{pr.mode}, args...)...)
								if err != nil {
									return err
								}
								rows.Close()
								return rows.Err()
							}
							copyIn := func(sql, data string) error {
								_, err := conn.PgConn().CopyFrom(ctx, strings.NewReader(data), sql)
								return err
							}
							for range rounds {
								n, err := workload(k, run, copyIn, pr.simple)
								mu.Lock()
								expected[k] += n
								mu.Unlock()
								if err != nil {
									var pe *pgconn.PgError
									if errors.As(err, &pe) && pe.Code == "25006" {
										t.Errorf("worker %d: a write reached a standby: %v", k, err)
									} else {
										t.Errorf("worker %d: %v", k, err)
									}
									return
								}
							}
						}()
					}
					wg.Wait()
					if l := mark.since(t)[standby]; strings.Contains(l, "read-only transaction") {
						t.Errorf("the standby refused a write:\n%s", grepLines(l, "read-only transaction"))
					}
				})
			}
		})
		if t.Failed() {
			return
		}
	}
	waitReplay(t)
	for _, n := range cluster.Nodes() {
		for k := range workers {
			var got int
			if err := n.QueryRow("select count(*) from w where worker = $1", k).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != expected[k] {
				t.Errorf("%s has %d rows of worker %d, want %d", n.Name(), got, k, expected[k])
			}
		}
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
