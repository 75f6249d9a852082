package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
)

var nodeInfoCmd = register(&command{
	name:    "pcp_node_info",
	desc:    "display a pgpool-II node's information",
	options: []option{optNodeID, optAllNodes},
	node:    nodeOptional,
	run: func(x *invocation) error {
		nodes, err := x.client.NodeInfo(x.set.nodeID)
		if err != nil {
			return err
		}
		if len(nodes) == 0 {
			x.commandSuccessful()
			return nil
		}
		printed := false
		for i := range nodes {
			n := &nodes[i]
			// Without -a, slots without a host name (unconfigured) are skipped.
			if n.Hostname == "" && !x.set.all {
				continue
			}
			printed = true
			printNodeInfo(x, n)
		}
		if !printed {
			fmt.Fprint(x.stdout, "No node information available\n\n")
		}
		return nil
	},
})

var nodeInfoTitles = []string{"Hostname", "Port", "Status", "Weight", "Status Name",
	"Backend Status Name", "Role", "Backend Role", "Replication Delay",
	"Replication State", "Replication Sync State", "Last Status Change"}

func printNodeInfo(x *invocation, n *pcp.NodeInfo) {
	delay := strconv.FormatInt(n.StandbyDelay, 10)
	if n.StandbyDelayByTime {
		seconds := float64(n.StandbyDelay) / 1e6
		delay = fmt.Sprintf("%.6f", seconds)
		if x.set.verbose {
			if seconds >= 2 {
				delay += " seconds"
			} else {
				delay += " second"
			}
		}
	}
	values := []string{
		n.Hostname,
		strconv.Itoa(n.Port),
		strconv.Itoa(int(n.Status)),
		fmt.Sprintf("%f", n.Weight),
		n.StatusName(),
		n.PGStatus,
		n.Role.String(),
		n.PGRole,
		delay,
		orNone(n.ReplicationState),
		orNone(n.ReplicationSyncState),
		localTime(n.StatusChanged),
	}
	if x.set.verbose {
		formatTitles(x.stdout, nodeInfoTitles, values)
		return
	}
	fmt.Fprintf(x.stdout, "%s %s %s %s %s %s %s %s %s %s %s %s\n", values[0], values[1], values[2],
		values[3], values[4], values[5], values[6], values[7], values[8], values[9], values[10], values[11])
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// localTime is the client's "%Y-%m-%d %H:%M:%S" of an epoch time (0 for
// never, which C prints as the epoch).
func localTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
