package failover

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// Placeholders of failover_command, failback_command and
// follow_primary_command (reference §5.7). A node id of -1 or a missing
// node expands to the two characters "".
type Placeholders struct {
	Node       int // %d %h %p %D
	NewMain    int // %m %H %r %R
	OldMain    int // %M
	OldPrimary int // %P %N %S
}

// Expand substitutes p into cmd with Pgpool's quirks: %d, %p and %m get a
// leading space ("%d" becomes " 1"), an unknown %x pair is dropped, a lone
// trailing % is dropped, and %% is a percent sign.
func Expand(cmd string, p Placeholders, cfg *config.Config) string {
	var b strings.Builder
	node := func(id int) (config.Backend, bool) {
		if id < 0 || id >= len(cfg.Backends) || !cfg.Backends[id].InUse() {
			return config.Backend{}, false
		}
		return cfg.Backends[id], true
	}
	str := func(id int, f func(config.Backend) string) string {
		if be, ok := node(id); ok {
			return f(be)
		}
		return `""`
	}
	host := func(be config.Backend) string { return be.Host() }
	portOf := func(be config.Backend) string { return strconv.Itoa(be.Port) }
	dir := func(be config.Backend) string { return be.DataDirectory }
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(cmd) {
			break // a lone trailing % is dropped
		}
		i++
		switch cmd[i] {
		case 'd':
			b.WriteString(" " + strconv.Itoa(p.Node))
		case 'h':
			b.WriteString(str(p.Node, host))
		case 'p':
			b.WriteString(" " + str(p.Node, portOf))
		case 'D':
			b.WriteString(str(p.Node, dir))
		case 'm':
			b.WriteString(" " + strconv.Itoa(p.NewMain))
		case 'H':
			b.WriteString(str(p.NewMain, host))
		case 'r':
			b.WriteString(str(p.NewMain, portOf))
		case 'R':
			b.WriteString(str(p.NewMain, dir))
		case 'M':
			b.WriteString(strconv.Itoa(p.OldMain))
		case 'P':
			b.WriteString(strconv.Itoa(p.OldPrimary))
		case 'N':
			b.WriteString(str(p.OldPrimary, host))
		case 'S':
			b.WriteString(str(p.OldPrimary, portOf))
		case '%':
			b.WriteByte('%')
		}
	}
	return b.String()
}

// runCommand runs a command with /bin/sh -c, as system() does, waits for
// it, and logs its output line by line. Pgpool ignores the exit status;
// it is logged.
func runCommand(log zerolog.Logger, what, cmd string, timeout time.Duration) error {
	log.Info().Msgf("execute command: %s", cmd)
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	out, _ := c.StdoutPipe()
	errp, _ := c.StderrPipe()
	if err := c.Start(); err != nil {
		log.Error().Err(err).Str("command", cmd).Msgf("could not run %s", what)
		return err
	}
	var wg sync.WaitGroup
	for _, r := range []io.Reader{out, errp} {
		wg.Add(1)
		go func(r io.Reader) {
			defer wg.Done()
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				log.Info().Str("command", what).Msg(sc.Text())
			}
		}(r)
	}
	wg.Wait()
	err := c.Wait()
	if err != nil {
		log.Warn().Err(err).Str("command", cmd).Msgf("%s exited with an error (ignored, as Pgpool does)", what)
	}
	return err
}
