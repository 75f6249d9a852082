package pgcluster

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// DebianPgpool is Pgpool-II 4.3 as Debian 12 installs it (package pgpool2);
// start it with Dialect Pgpool43.
const DebianPgpool = "/usr/sbin/pgpool"

// PCPUser and PCPPassword are the PCP credentials every launched pgpool
// accepts (pcp.conf); [Pgpool.PCPPassFile] holds them for the pcp_* clients.
const (
	PCPUser     = "postgres"
	PCPPassword = "pcp-secret"
)

// Dialect is the set of pgpool.conf parameter names a pgpool understands.
type Dialect int

const (
	// DialectGo is pgpool-go's (Pgpool-II 4.7 names): unix_socket_directories, work_dir.
	DialectGo Dialect = iota
	// Pgpool43 is Pgpool-II 4.3's: socket_dir and logdir instead of
	// unix_socket_directories and work_dir. Parameter names in
	// PgpoolOptions.Params are translated too.
	Pgpool43
)

var dialectNames = [...]string{DialectGo: "pgpool-go", Pgpool43: "Pgpool-II 4.3"}

func (d Dialect) String() string {
	if d < 0 || int(d) >= len(dialectNames) {
		return "Dialect(" + strconv.Itoa(int(d)) + ")"
	}
	return dialectNames[d]
}

// renamed maps current parameter names to their Pgpool-II 4.3 names
// (reference/pgpool-core.md, version table: 4.4 and 4.7).
var renamed43 = map[string]string{
	"unix_socket_directories": "socket_dir",
	"work_dir":                "logdir",
}

// paramName returns the name of parameter k in dialect d.
func (d Dialect) paramName(k string) string {
	if d == Pgpool43 {
		if old, ok := renamed43[k]; ok {
			return old
		}
	}
	return k
}

// PgpoolOptions configure a pgpool launched in front of a cluster.
type PgpoolOptions struct {
	// Binary is the program to run; default: pgpoold from BuildBinaries.
	// Use DebianPgpool (with Dialect Pgpool43) for the original.
	Binary  string
	Dialect Dialect

	// Params set or override pgpool.conf parameters, by their current
	// (4.7) names. Values are written quoted, except numbers and on/off/
	// true/false/yes/no; a value that starts with ' is written as is.
	Params map[string]string

	// NumInitChildren (default 4) and MaxPool (default 2) are kept small:
	// a test rarely needs more and every child costs a process.
	NumInitChildren int
	MaxPool         int

	// BackendSocket makes backend_hostnameN the cluster's unix socket
	// directory instead of 127.0.0.1.
	BackendSocket bool

	// HBA holds pool_hba.conf lines and turns enable_pool_hba on. By
	// default pool_hba.conf trusts local and 127.0.0.1 and is not enabled.
	HBA []string

	// PoolPasswd holds pool_passwd lines ("user:md5…", "user:AES…",
	// "user:TEXTpass"); default: an empty file.
	PoolPasswd []string

	// ExtraArgs are appended to "-n -f CONF -F PCPCONF -a HBA" (e.g. "-D", "-d").
	ExtraArgs []string

	// NoWait returns as soon as the process has started, without waiting
	// for "select 1" to work through it (for tests of failing starts).
	NoWait bool

	// ReadyTimeout bounds the wait for "select 1" (default 30s).
	ReadyTimeout time.Duration
}

// Pgpool is a pgpool (pgpool-go's pgpoold or Pgpool-II) running in front of
// a [Cluster], with its own directory holding pgpool.conf, pcp.conf,
// pool_hba.conf, pool_passwd, pcppass, its unix sockets, pid file, work
// directory and log.
type Pgpool struct {
	c       *Cluster
	opts    PgpoolOptions
	params  map[string]string // current pgpool.conf parameters (current names)
	dir     string
	port    int
	pcpPort int
	proc    *process // nil before the first start

	closeOnce sync.Once
	closeErr  error
}

// StartPgpoold starts a pgpool in front of c for one test and stops it when
// the test ends (SIGINT, then SIGKILL of its process group after 30s); if
// the test failed, the tail of the pgpool log is printed first.
func StartPgpoold(t testing.TB, c *Cluster, opts PgpoolOptions) *Pgpool {
	t.Helper()
	if opts.Binary == "" {
		opts.Binary = filepath.Join(BuildBinaries(t), "pgpoold")
	}
	p, err := LaunchPgpoold(c, opts)
	if err != nil {
		t.Fatalf("pgcluster: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- pgpool log %s, last 50 lines ----\n%s", p.LogPath(), tailFile(p.LogPath(), 50))
		}
		if err := p.Close(); err != nil {
			t.Errorf("pgcluster: %v", err)
		}
	})
	return p
}

// LaunchPgpoold is StartPgpoold for TestMain and benchmarks: the caller
// Closes the pgpool (Cleanup and a SIGINT/SIGTERM of the test binary do too).
func LaunchPgpoold(c *Cluster, opts PgpoolOptions) (*Pgpool, error) {
	if opts.Binary == "" {
		dir, err := Binaries()
		if err != nil {
			return nil, err
		}
		opts.Binary = filepath.Join(dir, "pgpoold")
	}
	if opts.NumInitChildren == 0 {
		opts.NumInitChildren = 4
	}
	if opts.MaxPool == 0 {
		opts.MaxPool = 2
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 30 * time.Second
	}
	if fi, err := os.Stat(opts.Binary); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("pgpool binary %s is not an executable file (build it, or set PgpoolOptions.Binary)", opts.Binary)
	}
	ports, err := FreePorts(2)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(filepath.Dir(c.dir), "pgp-") // beside the cluster's directory
	if err != nil {
		return nil, fmt.Errorf("create pgpool directory: %w", err)
	}
	p := &Pgpool{c: c, opts: opts, dir: dir, port: ports[0], pcpPort: ports[1]}
	if err := p.setup(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	register(p, p.Close)
	if err := p.Start(); err != nil {
		err = fmt.Errorf("%w\n---- %s ----\n%s", err, p.LogPath(), tailFile(p.LogPath(), 40))
		return nil, errors.Join(err, p.Close())
	}
	return p, nil
}

// setup writes every file of the instance.
func (p *Pgpool) setup() error {
	u := p.c.user
	for _, d := range []string{p.dir, filepath.Join(p.dir, "oiddir")} {
		if err := u.mkdir(d, 0o755); err != nil {
			return err
		}
	}
	p.params = p.defaultParams()
	maps.Copy(p.params, p.opts.Params)
	if err := p.writeConf(); err != nil {
		return err
	}
	sum := md5.Sum([]byte(PCPPassword))
	pcpConf := fmt.Sprintf("# written by pgcluster\n%s:%s\n", PCPUser, hex.EncodeToString(sum[:]))
	if err := u.writeFile(p.PCPConfPath(), []byte(pcpConf), 0o600); err != nil {
		return err
	}
	var pass strings.Builder
	for _, h := range []string{"127.0.0.1", "localhost", p.dir} {
		fmt.Fprintf(&pass, "%s:%d:%s:%s\n", h, p.pcpPort, PCPUser, PCPPassword)
	}
	if err := u.writeFile(p.PCPPassFile(), []byte(pass.String()), 0o600); err != nil {
		return err
	}
	hba := p.opts.HBA
	if hba == nil {
		hba = []string{"local   all  all                 trust", "host    all  all  127.0.0.1/32   trust"}
	}
	if err := u.writeFile(p.HBAPath(), []byte("# written by pgcluster\n"+strings.Join(hba, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	// An empty file rather than pool_passwd = '': Pgpool-II 4.3 warns every
	// client about the latter.
	var pw string
	if len(p.opts.PoolPasswd) > 0 {
		pw = strings.Join(p.opts.PoolPasswd, "\n") + "\n"
	}
	if err := u.writeFile(p.PoolPasswdPath(), []byte(pw), 0o600); err != nil {
		return err
	}
	return u.writeFile(p.LogPath(), nil, 0o644)
}

// defaultParams is the pgpool.conf for this cluster: every node a backend,
// loopback only, every path inside the instance's directory.
func (p *Pgpool) defaultParams() map[string]string {
	host := "127.0.0.1"
	if p.opts.BackendSocket {
		host = p.c.sockDir
	}
	m := map[string]string{
		"backend_clustering_mode": "streaming_replication",
		"listen_addresses":        "127.0.0.1",
		"port":                    strconv.Itoa(p.port),
		"unix_socket_directories": p.dir,
		"pcp_listen_addresses":    "127.0.0.1",
		"pcp_port":                strconv.Itoa(p.pcpPort),
		"pcp_socket_dir":          p.dir,
		"num_init_children":       strconv.Itoa(p.opts.NumInitChildren),
		"max_pool":                strconv.Itoa(p.opts.MaxPool),
		"enable_pool_hba":         strconv.FormatBool(p.opts.HBA != nil),
		"pool_passwd":             p.PoolPasswdPath(),
		"pid_file_name":           filepath.Join(p.dir, "pgpool.pid"),
		"work_dir":                p.dir,
		"log_destination":         "stderr",
		"logging_collector":       "off",
		"log_line_prefix":         "%m: %a pid %p: ",
		"sr_check_user":           Superuser,
		"sr_check_password":       "",
		"sr_check_database":       "postgres",
		"health_check_user":       Superuser,
		"health_check_password":   "",
		"health_check_database":   "postgres",
		"use_watchdog":            "off",
		"memqcache_oiddir":        filepath.Join(p.dir, "oiddir"),
	}
	for _, n := range p.c.nodes {
		i := strconv.Itoa(n.id)
		m["backend_hostname"+i] = host
		m["backend_port"+i] = strconv.Itoa(n.port)
		m["backend_weight"+i] = "1"
		m["backend_data_directory"+i] = n.dataDir
		m["backend_flag"+i] = "ALLOW_TO_FAILOVER"
		m["backend_application_name"+i] = n.name
	}
	return m
}

var (
	confNumber = regexp.MustCompile(`^[-+]?([0-9]+|0x[0-9a-fA-F]+|[0-9]*\.[0-9]*([eE][-+]?[0-9]+)?)$`)
	confBool   = map[string]bool{"on": true, "off": true, "true": true, "false": true, "yes": true, "no": true}
)

// confValue renders a parameter value for pgpool.conf.
func confValue(v string) (string, error) {
	switch {
	case strings.HasPrefix(v, "'"):
		return v, nil
	case strings.ContainsAny(v, "'\n"):
		return "", fmt.Errorf("value %q holds a quote or newline; pass it already quoted", v)
	case v != "" && v != "." && confNumber.MatchString(v), confBool[strings.ToLower(v)]:
		return v, nil
	default:
		return "'" + v + "'", nil
	}
}

// renderConf renders params in the given dialect, in a stable order.
func renderConf(params map[string]string, d Dialect) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# pgpool.conf written by pgcluster (%s parameter names)\n", d)
	for _, k := range slices.Sorted(maps.Keys(params)) {
		v, err := confValue(params[k])
		if err != nil {
			return nil, fmt.Errorf("pgpool.conf parameter %s: %w", k, err)
		}
		fmt.Fprintf(&b, "%s = %s\n", d.paramName(k), v)
	}
	return []byte(b.String()), nil
}

func (p *Pgpool) writeConf() error {
	conf, err := renderConf(p.params, p.opts.Dialect)
	if err != nil {
		return err
	}
	return p.c.user.writeFile(p.ConfPath(), conf, 0o644)
}

// Start (re)starts the pgpool in the foreground:
// BINARY -n -f CONF -F PCPCONF -a HBA [ExtraArgs], as [ServerUser] when the
// tests run as root, in its own process group, stdout and stderr appended to
// LogPath. Unless NoWait is set it waits until "select 1" works through it.
func (p *Pgpool) Start() error {
	if p.Pid() != 0 {
		return fmt.Errorf("start pgpool on port %d: already running (pid %d)", p.port, p.Pid())
	}
	args := append([]string{"-n", "-f", p.ConfPath(), "-F", p.PCPConfPath(), "-a", p.HBAPath()}, p.opts.ExtraArgs...)
	cmd := p.c.user.command(p.opts.Binary, args...)
	proc, err := startProcess(cmd, p.LogPath())
	if err != nil {
		return fmt.Errorf("start pgpool: %w", err)
	}
	p.proc = proc
	if p.opts.NoWait {
		return nil
	}
	return p.WaitReady(p.opts.ReadyTimeout)
}

// WaitReady waits until "select 1" (simple query protocol, as the
// superuser, database postgres) works through the pgpool.
func (p *Pgpool) WaitReady(timeout time.Duration) error {
	err := WaitFor(timeout, 50*time.Millisecond, func() error {
		if p.proc == nil || p.proc.exited() {
			return Abort(fmt.Errorf("%w (%v)", errPgpoolExited, p.exitErr()))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgconn.Connect(ctx, p.ConnString("postgres", Superuser))
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, "select 1").ReadAll()
		return err
	})
	if err != nil {
		return fmt.Errorf("pgpool %s on port %d not ready: %w", p.opts.Binary, p.port, err)
	}
	return nil
}

var errPgpoolExited = errors.New("pgpool exited")

func (p *Pgpool) exitErr() error {
	if p.proc == nil || !p.proc.exited() {
		return nil
	}
	return p.proc.err
}

// Port is the port clients connect to on 127.0.0.1.
func (p *Pgpool) Port() int { return p.port }

// PCPPort is the PCP port on 127.0.0.1.
func (p *Pgpool) PCPPort() int { return p.pcpPort }

// SocketDir holds the client and PCP unix sockets.
func (p *Pgpool) SocketDir() string { return p.dir }

// Dir is the instance's directory (also its work_dir / logdir).
func (p *Pgpool) Dir() string { return p.dir }

// ConfPath is pgpool.conf.
func (p *Pgpool) ConfPath() string { return filepath.Join(p.dir, "pgpool.conf") }

// PCPConfPath is pcp.conf (user PCPUser, password PCPPassword).
func (p *Pgpool) PCPConfPath() string { return filepath.Join(p.dir, "pcp.conf") }

// PCPPassFile is a pcppass file for PCPUser (PCPPASSFILE=… pcp_node_info -w).
func (p *Pgpool) PCPPassFile() string { return filepath.Join(p.dir, "pcppass") }

// HBAPath is pool_hba.conf.
func (p *Pgpool) HBAPath() string { return filepath.Join(p.dir, "pool_hba.conf") }

// PoolPasswdPath is pool_passwd.
func (p *Pgpool) PoolPasswdPath() string { return filepath.Join(p.dir, "pool_passwd") }

// PidFilePath is pid_file_name.
func (p *Pgpool) PidFilePath() string { return filepath.Join(p.dir, "pgpool.pid") }

// LogPath is the pgpool's stdout and stderr, kept across restarts.
func (p *Pgpool) LogPath() string { return filepath.Join(p.dir, "pgpool.log") }

// Pid is the main process's pid, or 0 when it is not running.
func (p *Pgpool) Pid() int {
	if p.proc == nil || p.proc.exited() {
		return 0
	}
	return p.proc.pid
}

// ConnString is a keyword=value connection string to db as user through the
// pgpool over TCP (append " password=…" when needed).
func (p *Pgpool) ConnString(db, user string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable connect_timeout=10", p.port, user, db)
}

// Params returns a copy of the current pgpool.conf parameters.
func (p *Pgpool) Params() map[string]string { return maps.Clone(p.params) }

// Reload sets params in pgpool.conf (on top of the current ones) and sends
// SIGHUP to the main process. It does not wait for the change to take
// effect: poll for what the test expects.
func (p *Pgpool) Reload(params map[string]string) error {
	next := maps.Clone(p.params)
	maps.Copy(next, params)
	if _, err := renderConf(next, p.opts.Dialect); err != nil {
		return err
	}
	p.params = next
	if err := p.writeConf(); err != nil {
		return err
	}
	return p.Signal(syscall.SIGHUP)
}

// Signal sends sig to the main process.
func (p *Pgpool) Signal(sig syscall.Signal) error {
	pid := p.Pid()
	if pid == 0 {
		return fmt.Errorf("signal %v to pgpool on port %d: not running", sig, p.port)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("signal %v to pgpool pid %d: %w", sig, pid, err)
	}
	return nil
}

// Stop runs "BINARY -f CONF -m MODE stop" (which signals the pid in
// pid_file_name) and waits for the main process and its process group to
// exit.
func (p *Pgpool) Stop(mode StopMode) error {
	pid := p.Pid()
	if pid == 0 {
		return nil
	}
	pids := p.Pids()
	if _, err := p.c.user.run(p.opts.Binary, "-f", p.ConfPath(), "-m", mode.String(), "stop"); err != nil {
		return fmt.Errorf("stop pgpool on port %d: %w", p.port, err)
	}
	if err := p.proc.wait(p.c.opts.Timeout); err != nil {
		return fmt.Errorf("stop pgpool on port %d: %w", p.port, err)
	}
	if err := waitPidsGone(append(pids, GroupPids(pid)...), 10*time.Second); err != nil {
		return fmt.Errorf("stop pgpool on port %d: children outlived the main process: %w", p.port, err)
	}
	return nil
}

// Pids lists the pgpool's live processes: the main process, its
// descendants and the rest of its process group.
func (p *Pgpool) Pids() []int {
	pid := p.Pid()
	if pid == 0 {
		return nil
	}
	pids := ProcessTree(pid)
	for _, g := range GroupPids(pid) {
		if !slices.Contains(pids, g) {
			pids = append(pids, g)
		}
	}
	return pids
}

// Wait waits up to timeout for the main process to exit by itself and
// returns how it exited (nil: status 0).
func (p *Pgpool) Wait(timeout time.Duration) error {
	if p.proc == nil {
		return errors.New("pgpool was never started")
	}
	if err := p.proc.wait(timeout); err != nil {
		return err
	}
	return p.proc.err
}

// Close stops the pgpool (SIGINT, the fast shutdown; after 30s SIGKILL of
// its process group) and removes its directory. Calling it again is a no-op.
func (p *Pgpool) Close() error {
	p.closeOnce.Do(func() { p.closeErr = p.close() })
	return p.closeErr
}

func (p *Pgpool) close() error {
	unregister(p)
	var errs []error
	if pid := p.Pid(); pid != 0 {
		pids := p.Pids()
		if err := syscall.Kill(pid, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, err)
		}
		if p.proc.wait(30*time.Second) != nil {
			errs = append(errs, fmt.Errorf("pgpool pid %d ignored SIGINT for 30s; killed", pid))
			if err := killGroup(pid, syscall.SIGKILL); err != nil {
				errs = append(errs, err)
			}
			p.proc.wait(10 * time.Second)
		}
		if err := waitPidsGone(append(pids, GroupPids(pid)...), 10*time.Second); err != nil {
			errs = append(errs, fmt.Errorf("children outlived the main process: %w", err))
		}
	}
	if p.c.opts.Keep {
		fmt.Fprintf(os.Stderr, "pgcluster: keeping %s (PGCLUSTER_KEEP)\n", p.dir)
	} else if err := os.RemoveAll(p.dir); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("close pgpool on port %d: %w", p.port, errors.Join(errs...))
	}
	return nil
}
