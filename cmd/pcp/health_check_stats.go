package main

import (
	"fmt"
	"strings"
)

var healthCheckStatsCmd = register(&command{
	name:    "pcp_health_check_stats",
	desc:    "display a pgpool-II health check stats data",
	operand: "[node-id]",
	options: []option{optNodeID},
	node:    nodeRequired,
	run: func(x *invocation) error {
		stats, err := x.client.HealthCheckStats(x.set.nodeID)
		if err != nil {
			return err
		}
		values := stats.Strings()
		if x.set.verbose {
			formatTitles(x.stdout, healthCheckTitles, values)
		} else {
			fmt.Fprintf(x.stdout, "%s\n", strings.Join(values, " "))
		}
		return nil
	},
})

var healthCheckTitles = []string{"Node Id", "Host Name", "Port", "Status", "Role",
	"Last Status Change", "Total Count", "Success Count", "Fail Count", "Skip Count",
	"Retry Count", "Average Retry Count", "Max Retry Count", "Max Health Check Duration",
	"Minimum Health Check Duration", "Average Health Check Duration", "Last Health Check",
	"Last Successful Health Check", "Last Skip Health Check", "Last Failed Health Check"}
