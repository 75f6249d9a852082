package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
)

var procInfoCmd = register(&command{
	name:    "pcp_proc_info",
	desc:    "display a pgpool-II child process' information",
	operand: "[process-id]",
	options: []option{optProcessID, optAllProcs},
	pidOp:   true,
	run: func(x *invocation) error {
		rows, err := x.client.ProcessInfo(x.set.pid)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			x.commandSuccessful()
			return nil
		}
		// Print the columns of the server's release, as its own pcp_proc_info
		// would: 4.3/4.4 have 16, 4.5/4.6 add the load balance node, 4.7 the
		// client address and the statement.
		n := len(procInfoTitles)
		switch x.client.ServerLayout() {
		case pcp.Layout43, pcp.Layout44:
			n = 16
		case pcp.Layout45:
			n = 17
		}
		printed := false
		var b strings.Builder
		for i := range rows {
			p := &rows[i]
			// Slots without a backend connection show only with -a.
			if p.PID == 0 || (!x.set.all && p.Database == "") {
				continue
			}
			printed = true
			values := procInfoValues(p)[:n]
			if x.set.verbose {
				formatTitles(&b, procInfoTitles[:n], values)
			} else {
				b.WriteString(strings.Join(values, " "))
				b.WriteString("\n")
			}
		}
		if !printed {
			b.WriteString("No process information available\n\n")
		}
		fmt.Fprint(x.stdout, b.String())
		return nil
	},
})

var procInfoTitles = []string{"Database", "Username", "Start time", "Client connection count",
	"Major", "Minor", "Backend connection time", "Client connection time", "Client idle duration",
	"Client disconnection time", "Pool Counter", "Backend PID", "Connected", "PID", "Backend ID",
	"Status", "Load balance node", "client_host", "client_port", "statement"}

// procInfoValues is a row in display order, which differs from wire order.
func procInfoValues(p *pcp.ProcessInfo) []string {
	return []string{
		p.Database,
		p.Username,
		p.StartTime,
		strconv.Itoa(p.ClientConnectionCount),
		strconv.Itoa(p.MajorVersion),
		strconv.Itoa(p.MinorVersion),
		p.BackendConnectionTime,
		p.ClientConnectionTime,
		p.ClientIdleDuration,
		p.ClientDisconnectionTime,
		strconv.Itoa(p.PoolCounter),
		strconv.Itoa(p.BackendPID),
		flag(p.Connected),
		strconv.Itoa(p.PID),
		strconv.Itoa(p.BackendID),
		p.Status,
		flag(p.LoadBalanceNode),
		p.ClientHost,
		p.ClientPort,
		p.Statement,
	}
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
