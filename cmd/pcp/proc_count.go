package main

import (
	"fmt"
	"strings"
)

var procCountCmd = register(&command{
	name: "pcp_proc_count",
	desc: "display the list of pgpool-II child process PIDs",
	run: func(x *invocation) error {
		pids, err := x.client.ProcessCount()
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			x.commandSuccessful()
			return nil
		}
		var b strings.Builder
		if x.set.verbose {
			b.WriteString("No \t | \t PID\n_____________________\n")
			for i, pid := range pids {
				fmt.Fprintf(&b, "%d \t | \t %d\n", i, pid)
			}
			fmt.Fprintf(&b, "\nTotal Processes:%d\n", len(pids))
		} else {
			for _, pid := range pids {
				fmt.Fprintf(&b, "%d ", pid)
			}
			b.WriteString("\n")
		}
		fmt.Fprint(x.stdout, b.String())
		return nil
	},
})
