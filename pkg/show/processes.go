package show

import (
	"fmt"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// processes is SHOW pool_processes: 8 columns, one row per child slot
// (§7.2).
func processes(env Env) Result {
	r := Result{Columns: []string{"pool_pid", "start_time", "client_connection_count", "database", "username",
		"backend_connection_time", "pool_counter", "status"}}
	for i := 0; i < env.Seg.NumChildren(); i++ {
		p := env.Seg.ReadProcess(i)
		if p.Pid == 0 {
			continue
		}
		var db, user, created, counter string
		if p.CurrentPool >= 0 {
			pool := env.Seg.ReadPool(i, p.CurrentPool)
			db, user, created, counter = pool.Database, pool.User, timestamp(pool.CreateTime), itoa(pool.Counter)
		}
		r.Rows = append(r.Rows, []string{itoa(p.Pid), startTime(env, p), itoa(p.Connections), db, user, created, counter, p.Status.String()})
	}
	return r
}

// startTime is a child's start time, with the time left before
// child_life_time recycles it when that applies (a used child waiting for
// a client), as Pgpool prints it.
func startTime(env Env, p shm.Process) string {
	s := timestamp(p.StartTime)
	if env.Cfg.ChildLifeTime > 0 && p.EverUsed && p.Status == shm.ProcWaitForConnect && !p.WaitSince.IsZero() {
		left := time.Duration(env.Cfg.ChildLifeTime)*time.Second - env.Now.Sub(p.WaitSince)
		if left < 0 {
			left = 0
		}
		sec := int(left / time.Second)
		s += fmt.Sprintf(" (%d:%02d before process restarting)", sec/60, sec%60)
	}
	return s
}
