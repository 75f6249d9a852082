package pcptest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
)

// This file starts the real things the cross-implementation tests compare
// with: PostgreSQL 15 and Debian's Pgpool-II 4.3.5 (HELPERS.md: both are
// installed here and in CI). A missing binary fails the test.

// PostgresBinDir holds initdb and pg_ctl.
const PostgresBinDir = "/usr/lib/postgresql/15/bin"

// PgpoolBinary is Debian's pgpool2 daemon.
const PgpoolBinary = "/usr/sbin/pgpool"

// FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TempDir is a fresh directory under /tmp (Unix socket paths must stay
// short), readable by the postgres user, removed when the test ends.
func TempDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func requireFile(t testing.TB, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is required for this test (apt install %s): %v", path, pkg, err)
	}
}

// asPostgres runs a PostgreSQL program as the postgres OS user when we are
// root (PostgreSQL refuses root).
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// Postgres is a running PostgreSQL server listening on 127.0.0.1 only.
type Postgres struct {
	Port int
	Data string
}

// StartPostgres initialises and starts a PostgreSQL 15 server. With a
// password, the superuser "postgres" gets it and TCP logins need it
// (scram-sha-256); otherwise logins are trusted. It is stopped at cleanup.
func StartPostgres(t testing.TB, password string) *Postgres {
	t.Helper()
	initdb := filepath.Join(PostgresBinDir, "initdb")
	requireFile(t, initdb, "postgresql-15")
	dir := TempDir(t, "pcppg")
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("the postgres OS user is required to run PostgreSQL as root: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(data, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=trust", "--no-sync"}
	if password != "" {
		pwfile := filepath.Join(dir, "pw")
		os.WriteFile(pwfile, []byte(password+"\n"), 0o644)
		args = append(args, "--auth-host=scram-sha-256", "--pwfile="+pwfile)
	}
	if out, err := asPostgres(initdb, args...).CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := FreePort(t)
	pg := &Postgres{Port: port, Data: data}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off", port)
	pgctl := filepath.Join(PostgresBinDir, "pg_ctl")
	if out, err := asPostgres(pgctl, "-D", data, "-o", opts, "-l", filepath.Join(data, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(data, "log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() {
		if out, err := asPostgres(pgctl, "-D", data, "-m", "immediate", "-w", "-t", "60", "stop").CombinedOutput(); err != nil {
			t.Errorf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	return pg
}

// PgpoolConfig describes a Pgpool-II to start.
type PgpoolConfig struct {
	// Backends are host:port pairs of backend_hostnameN/backend_portN.
	Backends []string
	// Settings are added to (and override) the generated pgpool.conf.
	Settings map[string]string
	// KeyFile is passed as -k when set.
	KeyFile string
	// PCPUser and PCPPassword go into pcp.conf (defaults pgpool/secret).
	PCPUser, PCPPassword string
	// BeforeStart, when set, runs once the files are written and before
	// pgpool starts, with the path of pgpool.conf (e.g. to run pg_enc -m).
	BeforeStart func(conf string)
}

// Pgpool is a running Debian Pgpool-II.
type Pgpool struct {
	Dir       string // configuration, sockets, logs
	Port      int
	PCPPort   int
	SocketDir string // socket_dir and pcp_socket_dir
	User      string
	Password  string
	LogFile   string
	cmd       *exec.Cmd
	exited    chan error
}

// StartPgpool writes a 4.3-style pgpool.conf for streaming replication,
// starts /usr/sbin/pgpool -n in its own directory, waits until PCP answers
// and stops it (fast) at cleanup.
func StartPgpool(t testing.TB, cfg PgpoolConfig) *Pgpool {
	t.Helper()
	requireFile(t, PgpoolBinary, "pgpool2")
	dir := TempDir(t, "pcppool")
	p := &Pgpool{Dir: dir, Port: FreePort(t), PCPPort: FreePort(t), SocketDir: dir,
		User: cfg.PCPUser, Password: cfg.PCPPassword, LogFile: filepath.Join(dir, "pgpool.log")}
	if p.User == "" {
		p.User, p.Password = "pgpool", "secret"
	}
	settings := map[string]string{
		"backend_clustering_mode":     "'streaming_replication'",
		"listen_addresses":            "'127.0.0.1'",
		"port":                        strconv.Itoa(p.Port),
		"socket_dir":                  "'" + dir + "'",
		"pcp_listen_addresses":        "'127.0.0.1'",
		"pcp_port":                    strconv.Itoa(p.PCPPort),
		"pcp_socket_dir":              "'" + dir + "'",
		"wd_ipc_socket_dir":           "'" + dir + "'",
		"pid_file_name":               "'" + filepath.Join(dir, "pgpool.pid") + "'",
		"logdir":                      "'" + dir + "'",
		"memqcache_oiddir":            "'" + filepath.Join(dir, "oiddir") + "'",
		"num_init_children":           "2",
		"max_pool":                    "2",
		"health_check_period":         "0",
		"sr_check_period":             "0",
		"sr_check_user":               "'postgres'",
		"health_check_user":           "'postgres'",
		"search_primary_node_timeout": "5",
		"enable_pool_hba":             "off",
		"failover_on_backend_error":   "off",
		"log_destination":             "'stderr'",
		"logging_collector":           "off",
	}
	for i, b := range cfg.Backends {
		host, port, _ := strings.Cut(b, ":")
		settings["backend_hostname"+strconv.Itoa(i)] = "'" + host + "'"
		settings["backend_port"+strconv.Itoa(i)] = port
		settings["backend_weight"+strconv.Itoa(i)] = "1"
		settings["backend_data_directory"+strconv.Itoa(i)] = "'" + filepath.Join(dir, "data"+strconv.Itoa(i)) + "'"
		settings["backend_flag"+strconv.Itoa(i)] = "'ALLOW_TO_FAILOVER'"
	}
	for k, v := range cfg.Settings {
		settings[k] = v
	}
	var conf strings.Builder
	for k, v := range settings {
		fmt.Fprintf(&conf, "%s = %s\n", k, v)
	}
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	confPath := write("pgpool.conf", conf.String())
	pcpConf := write("pcp.conf", p.User+":"+MD5Hex(p.Password)+"\n")
	hba := write("pool_hba.conf", "")
	write("pool_passwd", "")

	if cfg.BeforeStart != nil {
		cfg.BeforeStart(confPath)
	}
	args := []string{"-n", "-D", "-f", confPath, "-F", pcpConf, "-a", hba}
	if cfg.KeyFile != "" {
		args = append(args, "-k", cfg.KeyFile)
	}
	log, err := os.Create(p.LogFile)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(PgpoolBinary, args...)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = log, log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start pgpool: %v", err)
	}
	p.exited = make(chan error, 1)
	go func() { p.exited <- p.cmd.Wait(); log.Close() }()
	t.Cleanup(func() { p.Stop(t) })

	deadline := time.Now().Add(60 * time.Second)
	for {
		if err := p.ping(); err == nil {
			return p
		} else if time.Now().After(deadline) {
			out, _ := os.ReadFile(p.LogFile)
			t.Fatalf("pgpool did not answer PCP within 60s: %v\n%s", err, out)
		}
		select {
		case err := <-p.exited:
			p.exited <- err
			out, _ := os.ReadFile(p.LogFile)
			t.Fatalf("pgpool exited during startup: %v\n%s", err, out)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (p *Pgpool) ping() error {
	c, err := pcp.Dial(p.SocketDir, p.PCPPort, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if err := c.Authenticate(p.User, p.Password); err != nil {
		return err
	}
	_, err = c.NodeCount()
	return err
}

// Wait waits up to d for pgpool to exit.
func (p *Pgpool) Wait(d time.Duration) error {
	select {
	case err := <-p.exited:
		p.exited <- err
		return nil
	case <-time.After(d):
		return errors.New("pgpool still running")
	}
}

// Stop stops pgpool (SIGINT, fast shutdown), then kills its process group if
// it lingers.
func (p *Pgpool) Stop(t testing.TB) {
	select {
	case err := <-p.exited:
		p.exited <- err
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	if p.Wait(30*time.Second) != nil {
		t.Errorf("pgpool did not stop within 30s of SIGINT; killing its process group")
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		p.Wait(10 * time.Second)
	}
}
