// Command pcp is Pgpool-II's family of pcp_* tools in one binary. Installed
// under a tool's name (bin/pcp_node_info -> pcp) it behaves as that tool;
// "pcp node_info ..." does the same. Options, output, error texts and exit
// codes are Pgpool-II's (reference/pgpool-pcp-recovery-setup.md §3), so that
// scripts and monitoring written for pcp_* keep working.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches on the program name, or on the first argument when called
// as pcp.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := filepath.Base(argv[0])
	if cmd, ok := commands[name]; ok {
		return cmd.main(name, argv[0], argv[1:], stdin, stdout, stderr)
	}
	if strings.HasPrefix(name, "pcp_") {
		fmt.Fprintf(stderr, "%s is a invalid PCP utility\n", name)
		return 1
	}
	return runMulti(argv, stdin, stdout, stderr)
}

// runMulti is "pcp <command> [options]": urfave/cli picks the command, which
// then parses its own options exactly as the installed tool does.
func runMulti(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	code := 0
	app := &cli.App{
		Name:        "pcp",
		Usage:       "Pgpool-II PCP tools (pgpool-go)",
		UsageText:   "pcp <command> [OPTION...]   (the same as pcp_<command> [OPTION...])",
		HideVersion: true,
		Writer:      stdout,
		ErrWriter:   stderr,
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(stderr, "pcp: unknown command \"%s\"\nTry \"pcp help\" for the list of commands.\n", name)
			code = 1
		},
		ExitErrHandler: func(*cli.Context, error) {},
	}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		cmd := commands[n]
		app.Commands = append(app.Commands, &cli.Command{
			Name:            strings.TrimPrefix(cmd.name, "pcp_"),
			Aliases:         []string{cmd.name},
			Usage:           cmd.desc,
			SkipFlagParsing: true,
			HideHelp:        true,
			Action: func(c *cli.Context) error {
				code = cmd.main(cmd.name, argv[0], c.Args().Slice(), stdin, stdout, stderr)
				return nil
			},
		})
	}
	if err := app.Run(argv); err != nil {
		fmt.Fprintf(stderr, "pcp: %v\n", err)
		return 1
	}
	return code
}
