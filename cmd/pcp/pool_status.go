package main

import (
	"fmt"
	"strings"
)

var poolStatusCmd = register(&command{
	name: "pcp_pool_status",
	desc: "display pgpool configuration and status",
	run: func(x *invocation) error {
		rows, err := x.client.PoolStatus()
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			x.commandSuccessful()
			return nil
		}
		var b strings.Builder
		for i, r := range rows {
			if x.set.verbose {
				fmt.Fprintf(&b, "Name [%3d]:\t%s\nValue:      \t%s\nDescription:\t%s\n\n", i, r.Name, r.Value, r.Desc)
			} else {
				fmt.Fprintf(&b, "name : %s\nvalue: %s\ndesc : %s\n\n", r.Name, r.Value, r.Desc)
			}
		}
		fmt.Fprint(x.stdout, b.String())
		return nil
	},
})
