package main

import "fmt"

var nodeCountCmd = register(&command{
	name: "pcp_node_count",
	desc: "display the total number of nodes under pgpool-II's control",
	run: func(x *invocation) error {
		n, err := x.client.NodeCount()
		if err != nil {
			return err
		}
		if x.set.verbose {
			fmt.Fprintf(x.stdout, "Node Count\n____________\n %d\n", n)
		} else {
			fmt.Fprintf(x.stdout, "%d\n", n)
		}
		return nil
	},
})
