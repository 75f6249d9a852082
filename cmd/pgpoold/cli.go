package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/control"
	"github.com/pgpool-go/pgpool-go/pkg/version"
)

func runCLI(args []string) int {
	cli.VersionPrinter = func(*cli.Context) {
		fmt.Printf("pgpool-II version %s, pgpool-go %s\n", version.String(), version.Build)
	}
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "display version information, then exit"}
	app := &cli.App{
		Name:                   filepath.Base(args[0]),
		Usage:                  "connection pool server and load balancer for PostgreSQL (pgpool-go)",
		UsageText:              filepath.Base(args[0]) + " [OPTION]... [stop | reload]",
		Version:                version.String(),
		UseShortOptionHandling: true,
		HideHelpCommand:        true,
		Flags:                  flags(),
		Action:                 dispatch,
		Commands: []*cli.Command{
			{Name: "stop", Usage: "stop a running pgpool", Flags: flags(), Action: dispatch},
			{Name: "reload", Usage: "reload the configuration of a running pgpool", Flags: flags(), Action: dispatch},
		},
		ExitErrHandler: func(*cli.Context, error) {},
	}
	if err := app.Run(args); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(args[0]), err)
		return 1
	}
	return 0
}

// flags are Pgpool-II's options (reference §9), accepted before and after
// the stop/reload sub-command as getopt_long permutes them.
func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config-file", Aliases: []string{"f"}, Usage: "set the path to the pgpool.conf configuration file"},
		&cli.StringFlag{Name: "pcp-file", Aliases: []string{"F"}, Usage: "set the path to the pcp.conf configuration file"},
		&cli.StringFlag{Name: "hba-file", Aliases: []string{"a"}, Usage: "set the path to the pool_hba.conf configuration file"},
		&cli.StringFlag{Name: "key-file", Aliases: []string{"k"}, Usage: "set the path to the pgpool key file (AES entries of pool_passwd)"},
		&cli.BoolFlag{Name: "dont-detach", Aliases: []string{"n"}, Usage: "don't run in daemon mode, does not detach control tty"},
		&cli.BoolFlag{Name: "discard-status", Aliases: []string{"D"}, Usage: "discard pgpool_status file and do not restore previous status"},
		&cli.BoolFlag{Name: "clear-oidmaps", Aliases: []string{"C"}, Usage: "clear query cache oidmaps when memqcache_method is memcached"},
		&cli.BoolFlag{Name: "debug", Aliases: []string{"d"}, Usage: "debug mode"},
		&cli.BoolFlag{Name: "debug-assertions", Aliases: []string{"x"}, Usage: "enable various assertion checks"},
		&cli.StringFlag{Name: "mode", Aliases: []string{"m"}, Usage: "shutdown mode: smart, fast or immediate"},
		&cli.StringFlag{Name: "log-format", Usage: "log format: text (Pgpool's) or json"},
	}
}

// opt reads a flag given before or after the sub-command.
func opt(c *cli.Context, name string) string {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(name) {
			return ctx.String(name)
		}
	}
	return ""
}

func bopt(c *cli.Context, name string) bool {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(name) {
			return ctx.Bool(name)
		}
	}
	return false
}

// paths resolves the configuration files, made absolute from the
// current directory (the daemon changes to /).
type paths struct{ conf, pcp, hba, key string }

func resolvePaths(c *cli.Context) (paths, error) {
	var p paths
	p.conf = or(opt(c, "config-file"), config.DefaultFile())
	dir := filepath.Dir(p.conf)
	p.pcp = or(opt(c, "pcp-file"), filepath.Join(dir, "pcp.conf"))
	p.hba = or(opt(c, "hba-file"), filepath.Join(dir, "pool_hba.conf"))
	p.key = or(opt(c, "key-file"), os.Getenv("PGPOOLKEYFILE"))
	if p.key == "" {
		if home, err := os.UserHomeDir(); err == nil {
			p.key = filepath.Join(home, ".pgpoolkey")
		}
	}
	for _, s := range []*string{&p.conf, &p.pcp, &p.hba, &p.key} {
		if *s != "" {
			abs, err := filepath.Abs(*s)
			if err != nil {
				return p, err
			}
			*s = abs
		}
	}
	return p, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func dispatch(c *cli.Context) error {
	cmd := c.Command.Name
	if cmd == "" || cmd == c.App.Name {
		switch c.Args().First() {
		case "":
			cmd = "start"
		case "stop", "reload":
			cmd = c.Args().First()
		default:
			return fmt.Errorf("invalid argument %q (use stop or reload)", c.Args().First())
		}
	}
	p, err := resolvePaths(c)
	if err != nil {
		return err
	}
	cfg, diags, err := config.Load(p.conf)
	if err != nil && !errors.Is(err, config.ErrNotFound) || cfg == nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	switch cmd {
	case "stop":
		sig, err := control.StopSignal(opt(c, "mode"))
		if err != nil {
			return err
		}
		return control.Stop(cfg.PidFileName, sig, os.Stdout)
	case "reload":
		return control.Reload(cfg.PidFileName)
	}
	if err != nil { // the file is missing: Pgpool warns and uses defaults
		fmt.Fprintf(os.Stderr, "WARNING: %v; using the default configuration\n", err)
	}
	if bopt(c, "debug") {
		cfg = withDebug(cfg)
	}
	return start(p, cfg, diags, startOptions{
		foreground: bopt(c, "dont-detach"), discard: bopt(c, "discard-status"),
		json: strings.EqualFold(opt(c, "log-format"), "json"),
	})
}

// withDebug applies -d: log_min_messages = debug1 unless already more
// verbose.
func withDebug(cfg *config.Config) *config.Config {
	switch cfg.LogMinMessages {
	case "debug1", "debug2", "debug3", "debug4", "debug5":
		return cfg
	}
	if c, err := cfg.WithSession("log_min_messages", "debug1"); err == nil {
		return c
	}
	return cfg
}
