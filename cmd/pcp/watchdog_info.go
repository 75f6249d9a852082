package main

import (
	"fmt"
	"strings"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
)

var watchdogInfoCmd = register(&command{
	name:    "pcp_watchdog_info",
	desc:    "display a pgpool-II watchdog's information",
	operand: "[watchdog-id]",
	options: []option{optWatchdogID},
	node:    nodeWatchdog,
	run: func(x *invocation) error {
		w, err := x.client.WatchdogInfo(x.set.nodeID)
		if err != nil {
			return err
		}
		var b strings.Builder
		if x.set.verbose {
			printWatchdogVerbose(&b, &w)
		} else {
			fmt.Fprintf(&b, "%d %d %s %s %s\n\n", w.RemoteNodeCount+1, w.MemberRemoteNodeCount+1,
				yesNo(w.Escalated), w.LeaderNodeName, w.LeaderHostName)
			for _, n := range w.Nodes {
				fmt.Fprintf(&b, "%s %s %d %d %d %s %d %s\n", n.NodeName, n.HostName, n.PgpoolPort,
					n.WdPort, n.State, n.StateName, n.Membership, n.MembershipString)
			}
		}
		fmt.Fprint(x.stdout, b.String())
		return nil
	},
})

func printWatchdogVerbose(b *strings.Builder, w *pcp.WatchdogInfo) {
	b.WriteString("Watchdog Cluster Information \n")
	fmt.Fprintf(b, "Total Nodes              : %d\n", w.RemoteNodeCount+1)
	fmt.Fprintf(b, "Remote Nodes             : %d\n", w.RemoteNodeCount)
	fmt.Fprintf(b, "Member Remote Nodes      : %d\n", w.MemberRemoteNodeCount)
	fmt.Fprintf(b, "Alive Remote Nodes       : %d\n", w.AliveNodeCount)
	fmt.Fprintf(b, "Nodes required for quorum: %d\n", w.NodesRequireForQuorum)
	fmt.Fprintf(b, "Quorum state             : %s\n", pcp.QuorumStatusName(w.QuorumStatus))
	fmt.Fprintf(b, "Local node escalation    : %s\n", yesNo(w.Escalated))
	fmt.Fprintf(b, "Leader Node Name         : %s\n", w.LeaderNodeName)
	fmt.Fprintf(b, "Leader Host Name         : %s\n", w.LeaderHostName)
	b.WriteString("\n")
	b.WriteString("Watchdog Node Information \n")
	for _, n := range w.Nodes {
		fmt.Fprintf(b, "Node Name         : %s\n", n.NodeName)
		fmt.Fprintf(b, "Host Name         : %s\n", n.HostName)
		fmt.Fprintf(b, "Delegate IP       : %s\n", n.DelegateIP)
		fmt.Fprintf(b, "Pgpool port       : %d\n", n.PgpoolPort)
		fmt.Fprintf(b, "Watchdog port     : %d\n", n.WdPort)
		fmt.Fprintf(b, "Node priority     : %d\n", n.Priority)
		fmt.Fprintf(b, "Status            : %d\n", n.State)
		fmt.Fprintf(b, "Status Name       : %s\n", n.StateName)
		fmt.Fprintf(b, "Membership Status : %s\n", n.MembershipString)
		b.WriteString("\n")
	}
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}
