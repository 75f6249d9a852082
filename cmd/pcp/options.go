package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pgpool-go/pgpool-go/internal/getopt"
)

// option is one entry of Pgpool's shared long-option table
// (pcp_frontend_client.c long_options) with its line in the usage text.
type option struct {
	short  byte
	long   string
	hasArg bool
	help   string // usage line(s) after the option names
}

// Option letters shared by every tool, in the order the usage lists them.
var (
	optUser     = option{'U', "username", true, "-U, --username=NAME    username for PCP authentication"}
	optHost     = option{'h', "host", true, "-h, --host=HOSTNAME    pgpool-II host"}
	optPort     = option{'p', "port", true, "-p, --port=PORT        PCP port number"}
	optNoPass   = option{'w', "no-password", false, "-w, --no-password      never prompt for password"}
	optPassword = option{'W', "password", false, "-W, --password         force password prompt (should happen automatically)"}
	optDebug    = option{'d', "debug", false, "-d, --debug            enable debug message (optional)"}
	optVerbose  = option{'v', "verbose", false, "-v, --verbose          output verbose messages"}
	optHelp     = option{'?', "help", false, "-?, --help             print this help"}

	optNodeID     = option{'n', "node-id", true, "-n, --node-id=NODEID   ID of a backend node"}
	optWatchdogID = option{'n', "watchdog-id", true, "-n, --watchdog-id=ID   ID of a other pgpool to get information for\n" +
		"                         ID 0 for the local watchdog\n" +
		"                         If omitted then get information of all watchdog nodes"}
	optProcessID  = option{'P', "process-id", true, "-P, --process-id=PID   PID of the child process to get information for (optional)"}
	optAllNodes   = option{'a', "all", false, "-a, --all              display all backend nodes information"}
	optAllProcs   = option{'a', "all", false, "-a, --all              display all child processes and their available connection slots"}
	optGraceful   = option{'g', "gracefully", false, "-g, --gracefully       promote gracefully (optional)"}
	optSwitchover = option{'s', "switchover", false, "-s, --switchover       switchover primary to specified node (optional)"}
	optMode       = option{'m', "mode", true, "-m, --mode=MODE        MODE can be \"smart\", \"fast\", or \"immediate\""}
	optScope      = option{'s', "scope", true, "-s, --scope=SCOPE      SCOPE can be \"cluster\", or \"local\"\n" +
		"                         cluster scope do operations on all Pgpool-II nodes\n" +
		"                         part of the watchdog cluster"}
	// optAllUnused is pcp_stop_pgpool's -a: accepted and ignored (§3.1).
	optAllUnused = option{'a', "all", false, ""}
)

// commonBefore and commonAfter frame each tool's own options in the usage.
var (
	commonBefore = []option{optUser, optHost, optPort, optNoPass, optPassword}
	commonAfter  = []option{optDebug, optVerbose}
)

// allOptions lists what a tool accepts: the common options and its own.
func (cmd *command) allOptions() []option {
	opts := append(append(append([]option{}, commonBefore...), cmd.options...), commonAfter...)
	return append(opts, optHelp)
}

// getoptOptions is the table the getopt parser uses.
func (cmd *command) getoptOptions() []getopt.Option {
	var out []getopt.Option
	for _, o := range cmd.allOptions() {
		short := o.short
		if short == '?' {
			short = 0 // "-?" is only recognised as the first argument
		}
		out = append(out, getopt.Option{Short: short, Long: o.long, HasArg: o.hasArg})
	}
	return out
}

// cliFlags declares the same options to urfave/cli, which receives the
// normalised command line.
func (cmd *command) cliFlags() []cli.Flag {
	var flags []cli.Flag
	for _, o := range cmd.allOptions() {
		if o.short == '?' {
			flags = append(flags, &cli.BoolFlag{Name: o.long, Usage: "print this help"})
			continue
		}
		usage := strings.TrimSpace(o.help)
		if i := strings.Index(usage, "  "); i >= 0 {
			usage = strings.TrimSpace(usage[i:])
		}
		aliases := []string{string(o.short)}
		if o.hasArg {
			flags = append(flags, &cli.StringFlag{Name: o.long, Aliases: aliases, Usage: usage})
		} else {
			flags = append(flags, &cli.BoolFlag{Name: o.long, Aliases: aliases, Usage: usage})
		}
	}
	return flags
}
