package pgcluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Database is the database every cluster has, besides postgres.
const Database = "test"

// Superuser is the PostgreSQL superuser of every cluster (initdb -U).
const Superuser = "postgres"

// Options configure a cluster. The zero value is a primary and one standby
// with trust authentication.
type Options struct {
	// Nodes is the number of PostgreSQL servers: node 0 is the primary,
	// nodes 1..Nodes-1 are streaming-replication standbys. Default 2.
	Nodes int

	// Dir is where the cluster's directory is created (default: os.TempDir()).
	// Every parent must be traversable by [ServerUser] when running as root.
	Dir string

	// HBA replaces the default pg_hba.conf rules ("local all all trust",
	// "host all all 127.0.0.1/32 trust", "host replication all 127.0.0.1/32
	// trust"). Two rules always come first because the harness needs them:
	// "local all postgres trust" and "local replication postgres trust" (the
	// superuser on the unix socket; standbys replicate over it).
	HBA []string

	// Users are created on the primary after initdb, with their passwords
	// hashed as their Method says, and may create objects in schema public
	// of database test.
	Users []User

	// SSL, when set, turns on ssl with these files (copied into every data
	// directory, owned by the server user, key mode 0600).
	SSL *SSL

	// ExtraConf lines are appended to postgresql.conf of every node, e.g.
	// "synchronous_standby_names = 'FIRST 1 (node1)'".
	ExtraConf []string

	// SynchronousCommit sets synchronous_commit ("" keeps PostgreSQL's default, on).
	SynchronousCommit string

	// Fsync turns fsync on; it is off by default because the tests never
	// crash the machine, only processes, and fsync costs seconds per cluster.
	Fsync bool

	// MaxConnections per node (default 200: pgpool's children times max_pool
	// plus the tests' own connections).
	MaxConnections int

	// Timeout bounds each wait of the harness: a server becoming ready, a
	// promotion, a standby catching up (default 60s).
	Timeout time.Duration

	// Keep leaves the cluster's directory in place after Close (also set by
	// the environment variable PGCLUSTER_KEEP=1), to read logs after a failure.
	Keep bool
}

// User is a login role created at cluster start.
type User struct {
	Name     string
	Password string
	// Method is the password_encryption used to store Password: "md5" or
	// "scram-sha-256" (default). Pair it with an HBA rule of that method.
	Method    string
	Superuser bool
}

// SSL names the certificate files for ssl = on.
type SSL struct {
	CertFile string // server certificate (PEM)
	KeyFile  string // its private key (PEM)
	CAFile   string // optional: CA for client certificates (ssl_ca_file)
}

// Cluster is a running PostgreSQL primary with its standbys, all on
// 127.0.0.1 and one unix socket directory. Its methods are not safe for
// concurrent use: tests that share a cluster must not run in parallel.
type Cluster struct {
	opts    Options
	bin     string // directory of initdb, postgres, pg_ctl, ...
	dir     string // the cluster's own directory, removed by Close
	sockDir string
	logDir  string
	user    osUser
	nodes   []*Node

	// baseline of cluster-wide objects, restored by Reset
	baseRoles []string
	baseDBs   []string
	hba       []byte // pg_hba.conf as created

	closeOnce sync.Once
	closeErr  error
}

// New starts a cluster for one test and stops it when the test ends. It
// fails the test (never skips it) when PostgreSQL is missing or does not
// start. On failure the tail of each server's log is printed.
func New(t testing.TB, opts Options) *Cluster {
	t.Helper()
	c, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(c.LogTails(30))
		}
		if err := c.Close(); err != nil {
			t.Errorf("pgcluster: %v", err)
		}
	})
	return c
}

// Start creates and starts a cluster. The caller must Close it; Close also
// runs when the test binary gets SIGINT or SIGTERM.
func Start(opts Options) (*Cluster, error) {
	c, err := prepare(opts)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.create(); err != nil {
		logs := c.LogTails(30)
		if cerr := c.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return nil, fmt.Errorf("pgcluster: create cluster in %s: %w\n%s", c.dir, err, logs)
	}
	return c, nil
}

// prepare checks opts, fills in defaults, finds the programs and the server
// user, and makes the cluster's directories and ports; nothing runs yet.
func prepare(opts Options) (*Cluster, error) {
	if opts.Nodes == 0 {
		opts.Nodes = 2
	}
	if opts.Nodes < 1 {
		return nil, fmt.Errorf("Options.Nodes = %d, need at least 1", opts.Nodes)
	}
	if opts.MaxConnections == 0 {
		opts.MaxConnections = 200
	}
	if opts.Timeout == 0 {
		opts.Timeout = 60 * time.Second
	}
	if os.Getenv("PGCLUSTER_KEEP") == "1" {
		opts.Keep = true
	}
	for _, u := range opts.Users {
		if u.Method != "" && u.Method != "md5" && u.Method != "scram-sha-256" {
			return nil, fmt.Errorf("user %s: Method %q, want md5 or scram-sha-256", u.Name, u.Method)
		}
	}
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	u, err := serverUser()
	if err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts, bin: bin, user: u}
	if err := c.makeDirs(); err != nil {
		return nil, err
	}
	register(c, c.Close)
	return c, nil
}

// BinDir finds the PostgreSQL programs: $PGBIN, else `pg_config --bindir`,
// else /usr/lib/postgresql/15/bin. It fails when none holds initdb.
func BinDir() (string, error) {
	var tried []string
	try := func(dir string) bool {
		if dir == "" {
			return false
		}
		tried = append(tried, dir)
		for _, p := range []string{"initdb", "postgres", "pg_ctl", "pg_basebackup"} {
			if fi, err := os.Stat(filepath.Join(dir, p)); err != nil || fi.Mode()&0o111 == 0 {
				return false
			}
		}
		return true
	}
	if d := os.Getenv("PGBIN"); d != "" {
		if try(d) {
			return d, nil
		}
		return "", fmt.Errorf("PGBIN=%s does not hold initdb, postgres, pg_ctl and pg_basebackup", d)
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); try(d) {
			return d, nil
		}
	}
	if d := "/usr/lib/postgresql/15/bin"; try(d) {
		return d, nil
	}
	return "", fmt.Errorf("PostgreSQL 15 programs not found (tried %s); install postgresql-15 or set PGBIN",
		strings.Join(tried, ", "))
}

func (c *Cluster) makeDirs() error {
	parent := c.opts.Dir
	if parent == "" {
		parent = os.TempDir()
	}
	// Short names: a unix socket path must stay under 108 bytes.
	dir, err := os.MkdirTemp(parent, "pgc-")
	if err != nil {
		return fmt.Errorf("create cluster directory: %w", err)
	}
	// Absolute (the servers run in /) and resolved, so that it compares
	// equal to a postmaster's /proc/PID/cwd.
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	c.dir = dir
	c.sockDir = filepath.Join(dir, "sock")
	c.logDir = filepath.Join(dir, "log")
	for _, d := range []string{dir, c.sockDir, c.logDir} {
		if err := c.user.mkdir(d, 0o755); err != nil {
			os.RemoveAll(dir)
			return err
		}
	}
	if err := c.user.checkAccess(dir); err != nil {
		os.RemoveAll(dir)
		return err
	}
	ports, err := FreePorts(c.opts.Nodes)
	if err != nil {
		os.RemoveAll(dir)
		return err
	}
	c.nodes = make([]*Node, c.opts.Nodes)
	for i := range c.nodes {
		name := "node" + strconv.Itoa(i)
		c.nodes[i] = &Node{
			c:       c,
			id:      i,
			name:    name,
			port:    ports[i],
			dataDir: filepath.Join(dir, name),
			logPath: filepath.Join(c.logDir, name+".log"),
		}
	}
	return nil
}

// create builds the whole cluster from nothing: initdb of node 0, its
// configuration, database test, users, then one base backup per standby.
func (c *Cluster) create() error {
	p := c.nodes[0]
	if err := os.RemoveAll(p.dataDir); err != nil {
		return fmt.Errorf("remove %s: %w", p.dataDir, err)
	}
	if _, err := c.user.run(c.prog("initdb"), "-D", p.dataDir, "-U", Superuser, "--auth=trust",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"); err != nil {
		return fmt.Errorf("initdb node0: %w", err)
	}
	if err := c.writeConf(p.dataDir); err != nil {
		return err
	}
	if err := p.startFirst(); err != nil {
		return err
	}
	if err := p.adminExec("postgres", "create database "+Database); err != nil {
		return err
	}
	for _, u := range c.opts.Users {
		if err := c.createUser(p, u); err != nil {
			return err
		}
	}
	for _, n := range c.nodes[1:] {
		if err := c.buildStandby(p, n); err != nil {
			return err
		}
	}
	var err error
	if c.baseRoles, err = p.queryStrings("postgres", "select rolname from pg_roles order by 1"); err != nil {
		return err
	}
	if c.baseDBs, err = p.queryStrings("postgres", "select datname from pg_database order by 1"); err != nil {
		return err
	}
	return nil
}

func (c *Cluster) prog(name string) string { return filepath.Join(c.bin, name) }

// writeConf appends the harness's settings to postgresql.conf and writes
// pg_hba.conf, node.conf and the SSL files of a fresh data directory.
func (c *Cluster) writeConf(dataDir string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\n# ---- added by pgcluster (integration test harness) ----\n")
	fmt.Fprintf(&b, "listen_addresses = '127.0.0.1'\n")
	fmt.Fprintf(&b, "unix_socket_directories = %s\n", quoteLiteral(c.sockDir))
	fmt.Fprintf(&b, "max_connections = %d\n", c.opts.MaxConnections)
	fmt.Fprintf(&b, "wal_level = replica\nhot_standby = on\nwal_log_hints = on\n")
	fmt.Fprintf(&b, "max_wal_senders = %d\nmax_replication_slots = %d\n", c.opts.Nodes+10, c.opts.Nodes+10)
	// A standby retries a lost primary every 5s by default; failover tests
	// should not wait that long for it to follow again.
	fmt.Fprintf(&b, "wal_receiver_status_interval = 1s\nwal_retrieve_retry_interval = 500ms\n")
	fmt.Fprintf(&b, "fsync = %s\n", map[bool]string{true: "on", false: "off"}[c.opts.Fsync])
	if c.opts.SynchronousCommit != "" {
		fmt.Fprintf(&b, "synchronous_commit = %s\n", quoteLiteral(c.opts.SynchronousCommit))
	}
	fmt.Fprintf(&b, "logging_collector = off\nlog_line_prefix = '%%m [%%p] %%q%%a %%u@%%d '\n")
	if c.opts.SSL != nil {
		fmt.Fprintf(&b, "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
		if c.opts.SSL.CAFile != "" {
			fmt.Fprintf(&b, "ssl_ca_file = 'root.crt'\n")
		}
	}
	for _, l := range c.opts.ExtraConf {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "# per-node settings (port, cluster_name); must stay last\ninclude = 'node.conf'\n")
	conf := filepath.Join(dataDir, "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", conf, err)
	}
	_, err = f.WriteString(b.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", conf, err)
	}
	c.hba = c.hbaConf(c.opts.HBA)
	if err := c.user.writeFile(filepath.Join(dataDir, "pg_hba.conf"), c.hba, 0o600); err != nil {
		return err
	}
	return c.copySSL(dataDir)
}

func (c *Cluster) hbaConf(rules []string) []byte {
	var b bytes.Buffer
	b.WriteString("# written by pgcluster (integration test harness)\n")
	b.WriteString("# the harness's own connections: superuser on the unix socket\n")
	b.WriteString("local   all          postgres                trust\n")
	b.WriteString("local   replication  postgres                trust\n")
	if rules == nil {
		rules = []string{
			"local   all          all                     trust",
			"host    all          all     127.0.0.1/32    trust",
			"host    replication  all     127.0.0.1/32    trust",
		}
	}
	b.WriteString("# test rules\n")
	for _, r := range rules {
		b.WriteString(r)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func (c *Cluster) copySSL(dataDir string) error {
	s := c.opts.SSL
	if s == nil {
		return nil
	}
	files := []struct {
		src, dst string
		perm     os.FileMode
	}{{s.CertFile, "server.crt", 0o644}, {s.KeyFile, "server.key", 0o600}, {s.CAFile, "root.crt", 0o644}}
	for _, f := range files {
		if f.src == "" {
			if f.dst == "root.crt" {
				continue
			}
			return fmt.Errorf("SSL: %s not set", map[string]string{"server.crt": "CertFile", "server.key": "KeyFile"}[f.dst])
		}
		data, err := os.ReadFile(f.src)
		if err != nil {
			return fmt.Errorf("SSL: read %w", err)
		}
		if err := c.user.writeFile(filepath.Join(dataDir, f.dst), data, f.perm); err != nil {
			return fmt.Errorf("SSL: %w", err)
		}
	}
	return nil
}

// createUser creates a login role with its password hashed by u.Method.
func (c *Cluster) createUser(p *Node, u User) error {
	method := u.Method
	if method == "" {
		method = "scram-sha-256"
	}
	attrs := "login"
	if u.Superuser {
		attrs += " superuser"
	}
	if u.Password != "" {
		attrs += " password " + quoteLiteral(u.Password)
	}
	sql := fmt.Sprintf("set password_encryption = %s; create role %s %s",
		quoteLiteral(method), quoteIdent(u.Name), attrs)
	if err := p.adminExec("postgres", sql); err != nil {
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	return c.grantPublic(p, u.Name)
}

// grantPublic lets a user create objects in schema public of database test
// (PostgreSQL 15 no longer grants that to PUBLIC).
func (c *Cluster) grantPublic(p *Node, name string) error {
	if err := p.adminExec(Database, "grant all on schema public to "+quoteIdent(name)); err != nil {
		return fmt.Errorf("grant schema public to %s: %w", name, err)
	}
	return nil
}

// buildStandby makes n a standby of primary p with a fresh base backup and
// starts it (a running n is stopped first): pg_basebackup -R (standby.signal, primary_conninfo with
// application_name = node name), -X stream, -C -S <node name> (a physical
// slot on the primary).
func (c *Cluster) buildStandby(p, n *Node) error {
	if err := n.Stop(Immediate); err != nil {
		if kerr := n.Kill(); kerr != nil {
			return errors.Join(err, kerr)
		}
	}
	if err := os.RemoveAll(n.dataDir); err != nil {
		return fmt.Errorf("remove %s: %w", n.dataDir, err)
	}
	// An inactive slot left from an earlier standby n would make -C fail.
	if err := p.adminExec("postgres", "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active", n.name); err != nil {
		return fmt.Errorf("drop old slot %s on %s: %w", n.name, p.name, err)
	}
	conninfo := fmt.Sprintf("host=%s port=%d user=%s application_name=%s", c.sockDir, p.port, Superuser, n.name)
	if _, err := c.user.run(c.prog("pg_basebackup"), "-d", conninfo, "-D", n.dataDir,
		"-R", "-X", "stream", "-c", "fast", "-C", "-S", n.name, "--no-sync"); err != nil {
		return fmt.Errorf("base backup of %s for %s: %w", p.name, n.name, err)
	}
	if err := c.copySSL(n.dataDir); err != nil {
		return err
	}
	if err := n.startFirst(); err != nil {
		return err
	}
	return c.waitStreaming(p, n)
}

// waitStreaming waits until primary p lists standby n (by application_name)
// in pg_stat_replication with state streaming.
func (c *Cluster) waitStreaming(p, n *Node) error {
	err := WaitFor(c.opts.Timeout, 20*time.Millisecond, func() error { return c.streaming(p, n) })
	if err != nil {
		return fmt.Errorf("%s is not streaming from %s: %w (see %s)", n.name, p.name, err, n.logPath)
	}
	return nil
}

func (c *Cluster) streaming(p, n *Node) error {
	var state string
	err := p.QueryRowIn("postgres", "select coalesce(max(state), 'absent') from pg_stat_replication where application_name = $1", n.name).Scan(&state)
	if err != nil {
		return err
	}
	if state != "streaming" {
		return fmt.Errorf("pg_stat_replication on %s: %s is %s", p.name, n.name, state)
	}
	return nil
}

// Node returns node i (0 is the first primary). It panics on a bad index,
// like a slice.
func (c *Cluster) Node(i int) *Node { return c.nodes[i] }

// Nodes returns every node in index order.
func (c *Cluster) Nodes() []*Node { return append([]*Node(nil), c.nodes...) }

// Dir is the cluster's directory: node0/ node1/ … (data directories),
// sock/ (unix sockets of all nodes), log/ (one server log per node).
func (c *Cluster) Dir() string { return c.dir }

// SocketDir is the unix socket directory shared by all nodes.
func (c *Cluster) SocketDir() string { return c.sockDir }

// BinDir is the directory of the PostgreSQL programs in use.
func (c *Cluster) BinDir() string { return c.bin }

// Primary returns the one running node that is not in recovery. It fails
// when there is none or more than one (a split brain after a promotion).
func (c *Cluster) Primary() (*Node, error) {
	var found []*Node
	for _, n := range c.nodes {
		if !n.IsRunning() {
			continue
		}
		rec, err := n.IsInRecovery()
		if err != nil {
			return nil, err
		}
		if !rec {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return nil, errors.New("no running primary")
	case 1:
		return found[0], nil
	default:
		names := make([]string, len(found))
		for i, n := range found {
			names[i] = n.name
		}
		return nil, fmt.Errorf("more than one primary: %s", strings.Join(names, ", "))
	}
}

// RebuildStandby re-creates node i as a standby of the current primary: it
// stops it, discards its data directory and takes a new base backup (with a
// fresh replication slot), then starts it and waits until it streams.
func (c *Cluster) RebuildStandby(i int) error {
	n := c.nodes[i]
	p, err := c.Primary()
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", n.name, err)
	}
	if p == n {
		return fmt.Errorf("rebuild %s: it is the primary", n.name)
	}
	if err := c.buildStandby(p, n); err != nil {
		return fmt.Errorf("rebuild %s: %w", n.name, err)
	}
	return nil
}

// WaitReplay waits until the given standbys (default: every running
// standby) have replayed the primary's WAL up to its current position, so
// that whatever was committed on the primary before the call is visible on
// them.
func (c *Cluster) WaitReplay(ids ...int) error {
	p, err := c.Primary()
	if err != nil {
		return fmt.Errorf("wait for replay: %w", err)
	}
	var lsn string
	if err := p.QueryRowIn("postgres", "select pg_current_wal_lsn()::text").Scan(&lsn); err != nil {
		return fmt.Errorf("wait for replay: %w", err)
	}
	if len(ids) == 0 {
		for _, n := range c.nodes {
			if n != p && n.IsRunning() {
				ids = append(ids, n.id)
			}
		}
	}
	for _, i := range ids {
		n := c.nodes[i]
		err := WaitFor(c.opts.Timeout, 10*time.Millisecond, func() error {
			var done bool
			var at string
			if err := n.QueryRowIn("postgres", "select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false), coalesce(pg_last_wal_replay_lsn()::text, 'none')", lsn).Scan(&done, &at); err != nil {
				return err
			}
			if !done {
				return fmt.Errorf("%s replayed up to %s, primary %s is at %s", n.name, at, p.name, lsn)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("wait for replay: %w", err)
		}
	}
	return nil
}

// CreateUser creates a login role on the primary, like [Options.Users];
// Reset drops it again.
func (c *Cluster) CreateUser(u User) error {
	p, err := c.Primary()
	if err != nil {
		return err
	}
	if u.Method != "" && u.Method != "md5" && u.Method != "scram-sha-256" {
		return fmt.Errorf("user %s: Method %q, want md5 or scram-sha-256", u.Name, u.Method)
	}
	return c.createUser(p, u)
}

// SetHBA replaces the test rules of pg_hba.conf on every node (see
// [Options.HBA]; nil restores the defaults) and reloads the running ones.
// Reset restores the rules the cluster was created with.
func (c *Cluster) SetHBA(rules []string) error {
	return c.writeHBA(c.hbaConf(rules))
}

func (c *Cluster) writeHBA(hba []byte) error {
	for _, n := range c.nodes {
		path := filepath.Join(n.dataDir, "pg_hba.conf")
		if cur, err := os.ReadFile(path); err == nil && bytes.Equal(cur, hba) {
			continue
		}
		if err := c.user.writeFile(path, hba, 0o600); err != nil {
			return err
		}
		if n.IsRunning() {
			if err := n.Reload(); err != nil {
				return err
			}
		}
	}
	return nil
}

// LogTails returns the last lines of every node's server log, for failure
// reports.
func (c *Cluster) LogTails(lines int) string {
	var b strings.Builder
	for _, n := range c.nodes {
		fmt.Fprintf(&b, "---- %s (%s), last %d lines ----\n%s\n", n.name, n.logPath, lines, tailFile(n.logPath, lines))
	}
	return b.String()
}

// Close stops every server of the cluster (pg_ctl stop -m immediate, then
// SIGKILL of its process group if needed) and removes the cluster's
// directory. It is safe to call more than once.
func (c *Cluster) Close() error {
	c.closeOnce.Do(func() {
		var errs []error
		for _, n := range c.nodes {
			if err := n.Stop(Immediate); err != nil {
				errs = append(errs, err)
				if err := n.Kill(); err != nil {
					errs = append(errs, err)
				}
			}
		}
		unregister(c)
		if c.opts.Keep {
			fmt.Fprintf(os.Stderr, "pgcluster: keeping %s (PGCLUSTER_KEEP)\n", c.dir)
		} else if c.dir != "" {
			if err := os.RemoveAll(c.dir); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", c.dir, err))
			}
		}
		if len(errs) > 0 {
			c.closeErr = fmt.Errorf("close cluster %s: %w", c.dir, errors.Join(errs...))
		}
	})
	return c.closeErr
}

// quoteLiteral quotes s as an SQL (and postgresql.conf) string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteIdent quotes s as an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
