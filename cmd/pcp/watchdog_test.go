package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/pcp/pcptest"
)

// TestWatchdogInfoAgainstRealPgpool enables the watchdog of a one-node
// Debian Pgpool-II and compares pcp_watchdog_info, ours against Pgpool's:
// the JSON document comes from Pgpool's own watchdog.
func TestWatchdogInfoAgainstRealPgpool(t *testing.T) {
	pg := pcptest.StartPostgres(t, "")
	wdPort := pcptest.FreePort(t)
	// A second watchdog node that never comes up: the watchdog refuses to
	// start without another pgpool configured.
	otherWd, otherPool := pcptest.FreePort(t), pcptest.FreePort(t)
	var poolPort string
	pool := pcptest.StartPgpool(t, pcptest.PgpoolConfig{
		Backends: []string{"127.0.0.1:" + strconv.Itoa(pg.Port)},
		Settings: map[string]string{
			"use_watchdog":          "on",
			"hostname0":             "'localhost'",
			"wd_port0":              strconv.Itoa(wdPort),
			"wd_lifecheck_method":   "'external'",
			"wd_escalation_command": "''",
			"hostname1":             "'localhost'",
			"wd_port1":              strconv.Itoa(otherWd),
			"pgpool_port1":          strconv.Itoa(otherPool),
		},
		BeforeStart: func(conf string) {
			b, _ := os.ReadFile(conf)
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(line, "port = ") {
					poolPort = strings.TrimPrefix(line, "port = ")
				}
			}
			f, _ := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("pgpool_port0 = " + poolPort + "\n")
			f.Close()
			os.WriteFile(filepath.Join(filepath.Dir(conf), "pgpool_node_id"), []byte("0\n"), 0o644)
		},
	})
	env := []string{"PCPPASSFILE=" + pcppass(t, "*:*:pgpool:secret")}
	sock := []string{"-h", pool.SocketDir, "-p", strconv.Itoa(pool.PCPPort), "-U", "pgpool", "-w"}

	// Compare once the local watchdog has settled as leader, so that both
	// tools see the same state.
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := pcp.Dial(pool.SocketDir, pool.PCPPort, time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			var w pcp.WatchdogInfo
			if err = c.Authenticate(pool.User, pool.Password); err == nil {
				w, err = c.WatchdogInfo(-1)
			}
			c.Close()
			if err == nil && len(w.Nodes) == 2 && w.Nodes[0].StateName == "LEADER" && w.LeaderHostName == "localhost" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watchdog did not become leader within 60s (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, extra := range [][]string{nil, {"-v"}, {"-n", "0"}, {"-v", "1"}, {"-d"}} {
		r := compareWithPgpool(t, "pcp_watchdog_info", env, append(append([]string{}, sock...), extra...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "localhost") {
			t.Errorf("pcp_watchdog_info %v: %v", extra, r)
		}
	}
}
