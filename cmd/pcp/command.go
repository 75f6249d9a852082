package main

import (
	"errors"
	"fmt"
	"io"
	"os/user"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pgpool-go/pgpool-go/internal/getopt"
	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/version"
)

// maxNumBackends is Pgpool's MAX_NUM_BACKENDS, the bound of -n.
const maxNumBackends = 128

// nodeOperand says how a tool uses a node id.
type nodeOperand int

const (
	nodeNone     nodeOperand = iota
	nodeOptional             // pcp_node_info: -n or operand, default all (-1)
	nodeRequired             // attach, detach, health check stats, promote, recovery
	nodeWatchdog             // pcp_watchdog_info: watchdog id, default all (-1)
)

// command is one pcp_* tool. Every tool file defines one, the same shape:
// its options, how it uses operands, and run, which sends the request and
// prints the result.
type command struct {
	name    string // installed name, e.g. "pcp_node_info"
	desc    string // usage's first line
	operand string // usage's operand, e.g. "[node-id]"
	options []option
	node    nodeOperand
	pidOp   bool // pcp_proc_info: an operand is the process id
	run     func(x *invocation) error
}

// settings is the parsed command line (pcp_frontend_client.c main()).
type settings struct {
	host        string
	port        int
	user        string
	forcePrompt bool // -W
	nodeID      int
	pid         int
	all         bool
	debug       bool
	verbose     bool
	gracefully  bool
	switchover  bool
	mode        pcp.StopMode
	scope       pcp.Scope
}

// invocation is one run of a tool.
type invocation struct {
	cmd    *command
	prog   string // tool name for messages, e.g. "pcp_node_info"
	set    settings
	client *pcp.Client
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// exitError ends the tool with an exit code after its message was printed.
type exitError struct{ code int }

func (e *exitError) Error() string { return "exit " + strconv.Itoa(e.code) }

func exit(code int) error { return &exitError{code} }

// commands is every tool, by installed name.
var commands = map[string]*command{}

func register(cmd *command) *command {
	commands[cmd.name] = cmd
	return cmd
}

// usage prints Pgpool's usage text to stderr.
func (x *invocation) usage() {
	var b strings.Builder
	fmt.Fprintf(&b, "%s - %s\n", x.prog, x.cmd.desc)
	fmt.Fprintf(&b, "Usage:\n%s [OPTION...] %s\n", x.prog, x.cmd.operand)
	b.WriteString("Options:\n")
	for _, o := range x.cmd.allOptions() {
		if o.help != "" {
			fmt.Fprintf(&b, "  %s\n", o.help)
		}
	}
	b.WriteString("\n")
	io.WriteString(x.stderr, b.String())
}

// tryHelp is the hint after a usage error.
func (x *invocation) tryHelp() {
	fmt.Fprintf(x.stderr, "Try \"%s --help\" for more information.\n\n", x.prog)
}

// main runs the tool with the arguments after the program name. argv0 is
// what glibc's getopt would name in its diagnostics.
func (cmd *command) main(prog, argv0 string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	x := &invocation{cmd: cmd, prog: prog, stdin: stdin, stdout: stdout, stderr: stderr}
	// --help/-? and -V/--version count only as the first argument.
	if len(args) > 0 {
		switch args[0] {
		case "--help", "-?":
			x.usage()
			return 0
		case "-V", "--version":
			fmt.Fprintf(stderr, "%s (pgpool-II) %s\n", prog, version.Pgpool)
			return 0
		}
	}
	parsed, err := getopt.Parse(argv0, args, cmd.getoptOptions())
	if err != nil {
		fmt.Fprintln(stderr, err)
		x.tryHelp()
		return 1
	}
	// -h is --host here; urfave/cli must not read it (or --help) as its own.
	cli.HelpFlag = nil
	app := &cli.App{
		Name:            prog,
		HideHelp:        true,
		HideVersion:     true,
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           cmd.cliFlags(),
		ExitErrHandler:  func(*cli.Context, error) {},
		Action:          func(*cli.Context) error { return x.execute(parsed) },
		CommandNotFound: func(*cli.Context, string) {},
	}
	err = app.Run(append([]string{prog}, parsed.Normalized()...))
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	fmt.Fprintf(stderr, "%s: %v\n", prog, err)
	return 1
}

// execute validates the options in command-line order, as the C loop does,
// then connects, authenticates and runs the tool.
func (x *invocation) execute(parsed *getopt.Result) error {
	s := &x.set
	s.port = pcp.DefaultPort
	s.nodeID = -1
	s.mode = pcp.StopSmart
	s.scope = pcp.ScopeLocal
	for _, o := range parsed.Opts {
		if err := x.applyOption(o); err != nil {
			return err
		}
	}
	if err := x.applyOperands(parsed.Operands); err != nil {
		return err
	}
	if s.nodeID < 0 && x.cmd.node == nodeRequired {
		fmt.Fprintf(x.stderr, "%s: missing node-id\n", x.prog)
		x.tryHelp()
		return exit(1)
	}
	if s.user == "" {
		if u, err := user.Current(); err == nil {
			s.user = u.Username
		}
	}
	return x.connectAndRun()
}

func (x *invocation) applyOption(o getopt.Opt) error {
	s := &x.set
	if o.Long == "help" {
		// --help after the first argument: getopt_long returns '?', which
		// the C tools treat as a usage error.
		x.tryHelp()
		return exit(1)
	}
	switch o.Short {
	case 'd':
		s.debug = true
	case 'a':
		s.all = true
	case 'w':
		// A no-op since Pgpool-II 4.5: the pcppass file is always consulted.
	case 'W':
		s.forcePrompt = true
	case 'g':
		s.gracefully = true
	case 'v':
		s.verbose = true
	case 'h':
		s.host = o.Value
	case 'U':
		s.user = o.Value
	case 'm':
		switch o.Value {
		case "s", "smart":
			s.mode = pcp.StopSmart
		case "f", "fast":
			s.mode = pcp.StopFast
		case "i", "immediate":
			s.mode = pcp.StopImmediate
		default:
			fmt.Fprintf(x.stderr, "%s: Invalid shutdown mode \"%s\", must be either \"smart\" \"immediate\" or \"fast\" \n", x.prog, o.Value)
			return exit(1)
		}
	case 's':
		if o.Long == "switchover" {
			s.switchover = true
			break
		}
		if x.cmd.name == "pcp_invalidate_query_cache" {
			fmt.Fprintf(x.stderr, "Invalid argument \"%s\", Try \"%s --help\" for more information.\n", o.Value, x.prog)
			return exit(1)
		}
		switch o.Value {
		case "c", "cluster":
			s.scope = pcp.ScopeCluster
		case "l", "local":
			s.scope = pcp.ScopeLocal
		default:
			fmt.Fprintf(x.stderr, "%s: Invalid command scope \"%s\", must be either \"cluster\" or \"local\" \n", x.prog, o.Value)
			return exit(1)
		}
	case 'n':
		s.nodeID = atoi(o.Value)
		if x.cmd.node == nodeWatchdog {
			if s.nodeID < 0 {
				fmt.Fprintf(x.stderr, "%s: Invalid watchdog-id \"%s\", must be a positive number or zero for a local watchdog node\n", x.prog, o.Value)
				return exit(0)
			}
		} else if s.nodeID < 0 || s.nodeID > maxNumBackends {
			fmt.Fprintf(x.stderr, "%s: Invalid node-id \"%s\", must be between 0 and %d\n", x.prog, o.Value, maxNumBackends)
			return exit(0)
		}
	case 'p':
		s.port = atoi(o.Value)
		if s.port <= 1024 || s.port > 65535 {
			fmt.Fprintf(x.stderr, "%s: Invalid port number \"%s\", must be between 1024 and 65535\n", x.prog, o.Value)
			return exit(0)
		}
	case 'P':
		s.pid = atoi(o.Value)
		if s.pid <= 0 {
			fmt.Fprintf(x.stderr, "%s: Invalid process-id \"%s\", must be greater than 0\n", x.prog, o.Value)
			return exit(0)
		}
	}
	return nil
}

// applyOperands uses operands as node id, watchdog id or PID when the option
// was not given. The C code prints the exhausted optarg in these messages,
// which is always NULL by then: Pgpool prints "(null)", and so do we.
func (x *invocation) applyOperands(operands []string) error {
	s := &x.set
	for _, arg := range operands {
		switch {
		case x.cmd.pidOp && s.pid <= 0:
			if s.pid = atoi(arg); s.pid <= 0 {
				fmt.Fprintf(x.stderr, "%s: Invalid process-id \"(null)\", must be greater than 0\n", x.prog)
				return exit(0)
			}
		case x.cmd.node == nodeWatchdog && s.nodeID < 0:
			if s.nodeID = atoi(arg); s.nodeID < 0 {
				fmt.Fprintf(x.stderr, "%s: Invalid watchdog-id \"(null)\", must be a positive number or zero for local watchdog node\n", x.prog)
				return exit(0)
			}
		case (x.cmd.node == nodeRequired || x.cmd.node == nodeOptional) && s.nodeID < 0:
			if s.nodeID = atoi(arg); s.nodeID < 0 || s.nodeID > maxNumBackends {
				fmt.Fprintf(x.stderr, "%s: Invalid node-id \"(null)\", must be between 0 and %d\n", x.prog, maxNumBackends)
				return exit(0)
			}
		default:
			fmt.Fprintf(x.stderr, "%s: Warning: extra command-line argument \"%s\" ignored\n", x.prog, arg)
		}
	}
	return nil
}

// atoi is C's atoi: leading white space, an optional sign, digits; anything
// else ends the number, and no digits give 0.
func atoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			n = 1 << 31 // stay in range; the result is out of every bound anyway
		}
	}
	if neg {
		return -n
	}
	return n
}

// connectAndRun connects, logs in and runs the tool. Exit codes follow
// Pgpool (§3.1): 1 for connection and login failures, 0 otherwise, even when
// the server answered with an error.
func (x *invocation) connectAndRun() error {
	s := &x.set
	var password string
	prompted := false
	if s.forcePrompt {
		password = x.prompt()
		prompted = true
	}
	client, err := pcp.Dial(s.host, s.port, 0)
	if err != nil {
		x.printError(err)
		return exit(1)
	}
	defer client.Close()
	if s.debug {
		client.Debug = x.stdout
	}
	if password == "" {
		if pw, ok := x.passwordFromFile(); ok {
			password = pw
		} else if !prompted {
			password = x.prompt()
		}
	}
	if err := client.Authenticate(s.user, password); err != nil {
		x.printError(err)
		return exit(1)
	}
	x.client = client
	if err := x.cmd.run(x); err != nil {
		x.printError(err)
	}
	return nil
}

// printError prints an error the way the C tools do: libpcp's text and a
// newline (server errors end in one already, hence their blank line).
func (x *invocation) printError(err error) {
	var pt interface{ PgpoolText() string }
	if errors.As(err, &pt) {
		fmt.Fprintf(x.stderr, "%s\n", pt.PgpoolText())
		return
	}
	fmt.Fprintf(x.stderr, "%s\n", err)
}

// commandSuccessful is what a tool prints when the reply carries no data.
func (x *invocation) commandSuccessful() {
	fmt.Fprintf(x.stdout, "%s -- Command Successful\n", x.prog)
}

// formatTitles prints one verbose record: "title : value" with titles padded
// to the longest (pcp_frontend_client.c format_titles), then a blank line.
func formatTitles(w io.Writer, titles, values []string) {
	width := 0
	for _, t := range titles {
		width = max(width, len(t))
	}
	var b strings.Builder
	for i, t := range titles {
		fmt.Fprintf(&b, "%-*s : %s\n", width, t, values[i])
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}
