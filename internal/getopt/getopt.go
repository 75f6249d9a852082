// Package getopt parses command lines the way glibc's getopt_long does, for
// tools that must accept exactly what Pgpool-II's C tools accept and print
// the same diagnostics: clustered short options (-vd), attached arguments
// (-n1, --port=9898), unique prefixes of long options (--node), permuted
// operands (pcp_attach_node 1 -w) and "--".
//
// The result is normalised so that a stricter flag parser (urfave/cli, Go's
// flag) reads it unambiguously: see [Result.Normalized].
package getopt

import (
	"fmt"
	"strings"
)

// Option is one option a tool accepts.
type Option struct {
	Short  byte   // 0 for a long-only option
	Long   string // "" for a short-only option
	HasArg bool
}

// Opt is an option found on the command line, in order.
type Opt struct {
	*Option
	Value string
}

// Result is a parsed command line.
type Result struct {
	Opts     []Opt
	Operands []string
}

// Error is a diagnostic in glibc's words, e.g.
// "/usr/sbin/pcp_node_count: invalid option -- 'z'".
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// Parse parses args (without the program name). prog is what glibc prints
// in diagnostics: argv[0] as invoked.
func Parse(prog string, args []string, options []Option) (*Result, error) {
	res := &Result{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			res.Operands = append(res.Operands, args[i+1:]...)
			return res, nil
		case strings.HasPrefix(arg, "--"):
			name, value, hasValue := strings.Cut(arg[2:], "=")
			opt, err := matchLong(prog, name, options)
			if err != nil {
				return nil, err
			}
			switch {
			case opt.HasArg && hasValue:
				res.Opts = append(res.Opts, Opt{opt, value})
			case opt.HasArg:
				if i+1 >= len(args) {
					return nil, &Error{fmt.Sprintf("%s: option '--%s' requires an argument", prog, opt.Long)}
				}
				i++
				res.Opts = append(res.Opts, Opt{opt, args[i]})
			case hasValue:
				return nil, &Error{fmt.Sprintf("%s: option '--%s' doesn't allow an argument", prog, opt.Long)}
			default:
				res.Opts = append(res.Opts, Opt{opt, ""})
			}
		case len(arg) > 1 && arg[0] == '-':
			for j := 1; j < len(arg); j++ {
				opt := matchShort(arg[j], options)
				if opt == nil {
					return nil, &Error{fmt.Sprintf("%s: invalid option -- '%c'", prog, arg[j])}
				}
				if !opt.HasArg {
					res.Opts = append(res.Opts, Opt{opt, ""})
					continue
				}
				if j+1 < len(arg) {
					res.Opts = append(res.Opts, Opt{opt, arg[j+1:]})
				} else if i+1 < len(args) {
					i++
					res.Opts = append(res.Opts, Opt{opt, args[i]})
				} else {
					return nil, &Error{fmt.Sprintf("%s: option requires an argument -- '%c'", prog, arg[j])}
				}
				break
			}
		default:
			res.Operands = append(res.Operands, arg)
		}
	}
	return res, nil
}

func matchShort(c byte, options []Option) *Option {
	for i := range options {
		if options[i].Short != 0 && options[i].Short == c {
			return &options[i]
		}
	}
	return nil
}

// matchLong finds a long option by exact name or unique prefix.
func matchLong(prog, name string, options []Option) (*Option, error) {
	var candidates []*Option
	for i := range options {
		o := &options[i]
		if o.Long == "" {
			continue
		}
		if o.Long == name {
			return o, nil
		}
		if name != "" && strings.HasPrefix(o.Long, name) {
			candidates = append(candidates, o)
		}
	}
	switch len(candidates) {
	case 0:
		return nil, &Error{fmt.Sprintf("%s: unrecognized option '--%s'", prog, name)}
	case 1:
		return candidates[0], nil
	}
	// Prefixes of options that mean the same thing are not ambiguous.
	same := true
	for _, c := range candidates[1:] {
		if c.Short != candidates[0].Short || c.HasArg != candidates[0].HasArg {
			same = false
		}
	}
	if same {
		return candidates[0], nil
	}
	// glibc lists them in table order.
	names := make([]string, len(candidates))
	for i, c := range candidates {
		names[i] = "'--" + c.Long + "'"
	}
	return nil, &Error{fmt.Sprintf("%s: option '--%s' is ambiguous; possibilities: %s", prog, name, strings.Join(names, " "))}
}

// Normalized renders the result for a strict flag parser: every option as
// "--long" (or "-x" when it has no long name) with its value as the next
// argument, then "--" and the operands.
func (r *Result) Normalized() []string {
	var out []string
	for _, o := range r.Opts {
		if o.Long != "" {
			out = append(out, "--"+o.Long)
		} else {
			out = append(out, "-"+string(o.Short))
		}
		if o.HasArg {
			out = append(out, o.Value)
		}
	}
	out = append(out, "--")
	return append(out, r.Operands...)
}
