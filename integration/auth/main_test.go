package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// Users of the cluster, their passwords, and how the nodes authenticate
// them (pg_hba.conf below).
const (
	md5User   = "md5user" // md5
	md5Pass   = "md5 secret"
	scramUser = "scramuser" // scram-sha-256; a non-ASCII password exercises SASLprep end to end
	scramPass = "scräm secret"
	clearUser = "clearuser" // password (clear text)
	clearPass = "clear secret"
	tlsUser   = "tlsuser" // scram-sha-256, and only over TLS (hostssl)
	tlsPass   = "tls secret"
	certUser  = "certuser" // trusted by the nodes; pgpoold checks its certificate
	lateUser  = "lateuser" // scram-sha-256, never in pool_passwd
	latePass  = "late secret"
)

var backendHBA = []string{
	"local   all          all                      trust",
	"host    all          md5user    127.0.0.1/32  md5",
	"host    all          scramuser  127.0.0.1/32  scram-sha-256",
	"host    all          lateuser   127.0.0.1/32  scram-sha-256",
	"host    all          clearuser  127.0.0.1/32  password",
	"hostssl all          tlsuser    127.0.0.1/32  scram-sha-256",
	"host    all          tlsuser    127.0.0.1/32  reject",
	"host    all          all        127.0.0.1/32  trust",
	"host    replication  all        127.0.0.1/32  trust",
}

var (
	cluster *pgcluster.Cluster
	certs   *pki
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pgpool-go-auth-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		pgcluster.Cleanup()
		os.RemoveAll(dir)
		os.Exit(1)
	}()
	certs, err = newPKI(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	c, err := pgcluster.Start(pgcluster.Options{
		HBA: backendHBA,
		Users: []pgcluster.User{
			{Name: md5User, Password: md5Pass, Method: "md5"},
			{Name: scramUser, Password: scramPass},
			{Name: clearUser, Password: clearPass},
			{Name: tlsUser, Password: tlsPass},
			{Name: certUser},
			{Name: lateUser, Password: latePass},
		},
		SSL: &pgcluster.SSL{CertFile: certs.path("node.crt"), KeyFile: certs.path("node.key"), CAFile: certs.path("ca.crt")},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		pgcluster.Cleanup()
		return 1
	}
	cluster = c
	code := m.Run()
	if err := c.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		code = 1
	}
	if err := pgcluster.Cleanup(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		code = 1
	}
	return code
}

// pki is the tests' certificate authority and the files it issued, all in
// one directory readable by the server user (pgpoold reads them).
type pki struct {
	dir    string
	ca     *x509.Certificate
	key    *ecdsa.PrivateKey
	serial int64
	uid    int // owner of key files (the server user when running as root)
	gid    int
}

func newPKI(dir string) (*pki, error) {
	p := &pki{dir: dir, serial: 1, uid: -1, gid: -1}
	if os.Geteuid() == 0 {
		u, err := user.Lookup(pgcluster.ServerUser)
		if err != nil {
			return nil, err
		}
		p.uid, _ = strconv.Atoi(u.Uid)
		p.gid, _ = strconv.Atoi(u.Gid)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(p.serial), Subject: pkix.Name{CommonName: "pgpool-go test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	p.ca, _ = x509.ParseCertificate(der)
	p.key = key
	if err := p.write("ca.crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, err
	}
	if err := p.issue("node", "localhost", false); err != nil {
		return nil, err
	}
	if err := p.issue("pgpool", "localhost", false); err != nil {
		return nil, err
	}
	if err := p.issue("pgpool2", "localhost", false); err != nil {
		return nil, err
	}
	if err := p.issue("client-certuser", certUser, true); err != nil {
		return nil, err
	}
	return p, p.issue("client-other", "someoneelse", true)
}

func (p *pki) path(name string) string { return filepath.Join(p.dir, name) }

func (p *pki) write(name string, data []byte, perm os.FileMode) error {
	path := p.path(name)
	if err := os.WriteFile(path, data, perm); err != nil {
		return err
	}
	if err := os.Chmod(path, perm); err != nil {
		return err
	}
	if p.uid >= 0 {
		return os.Chown(path, p.uid, p.gid)
	}
	return nil
}

// issue writes name.crt and name.key: a server certificate for localhost
// and 127.0.0.1, or a client certificate with common name cn.
func (p *pki) issue(name, cn string, client bool) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	p.serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(p.serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames, tmpl.IPAddresses = []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := p.write(name+".crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return p.write(name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
}

// clientKeyCopy is a copy of a client key that the test process (not the
// server user) may read with mode 0600, as libpq demands.
func clientKeyCopy(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(certs.path(name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(name))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sslParams turns on TLS in pgpoold with certificate cert (pgpool or
// pgpool2).
func sslParams(cert string, extra map[string]string) map[string]string {
	m := map[string]string{
		"ssl": "on", "ssl_cert": certs.path(cert + ".crt"), "ssl_key": certs.path(cert + ".key"),
		"ssl_ca_cert": certs.path("ca.crt"),
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// hbaWith is a pool_hba.conf that lets the harness's readiness check
// (postgres over TCP) in, then lines.
func hbaWith(lines ...string) []string {
	return append([]string{"host all postgres 127.0.0.1/32 trust"}, lines...)
}

func connString(p *pgcluster.Pgpool, user, password string, extra ...string) string {
	s := p.ConnString(pgcluster.Database, user)
	if password != "" {
		s += " password='" + strings.ReplaceAll(password, "'", `\'`) + "'"
	}
	for _, e := range extra {
		s = strings.Replace(s, " sslmode=disable", "", 1)
		s += " " + e
	}
	return s
}

// connect connects with pgx; the caller closes the connection.
func connect(t *testing.T, conn string) (*pgx.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return pgx.Connect(ctx, conn)
}

// login connects, runs a query and disconnects cleanly; it returns the
// backend pid the session saw.
func login(t *testing.T, conn string) (int, error) {
	t.Helper()
	c, err := connect(t, conn)
	if err != nil {
		return 0, err
	}
	defer c.Close(context.Background())
	var pid int
	if err := c.QueryRow(context.Background(), "select pg_backend_pid()").Scan(&pid); err != nil {
		return 0, err
	}
	return pid, nil
}

// mustLogin is login that fails the test on error.
func mustLogin(t *testing.T, conn string) int {
	t.Helper()
	pid, err := login(t, conn)
	if err != nil {
		t.Fatalf("login %s: %v", redact(conn), err)
	}
	return pid
}

// refused checks that err is the server's refusal with SQLSTATE code and,
// when set, a message or detail containing text.
func refused(t *testing.T, err error, code, text string) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want an ErrorResponse with SQLSTATE %s", err, code)
	}
	if pe.Code != code {
		t.Fatalf("got SQLSTATE %s (%s: %s), want %s", pe.Code, pe.Message, pe.Detail, code)
	}
	if text != "" && !strings.Contains(pe.Message+"\n"+pe.Detail, text) {
		t.Fatalf("error %q / %q does not say %q", pe.Message, pe.Detail, text)
	}
}

func redact(conn string) string {
	if i := strings.Index(conn, "password="); i >= 0 {
		return conn[:i] + "password=…"
	}
	return conn
}

// psql runs psql with a connection string and returns its output.
func psql(t *testing.T, conn string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(cluster.BinDir(), "psql"), append([]string{"-X", "-At", "-d", conn}, args...)...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func itoa(n int) string { return strconv.Itoa(n) }

var errNotCached = errors.New("a new backend connection, not the cached one")

var errNotRenewed = errors.New("still the old certificate")

// selfSignedPEM is a CA certificate that signed nothing we use.
func selfSignedPEM(t *testing.T) string {
	other, err := newPKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(other.path("ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func pemBlock(t *testing.T, data []byte) []byte {
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatal("no PEM block")
	}
	return b.Bytes
}

func pgxIdentifier(name string) pgx.Identifier { return pgx.Identifier{name} }

func pgxRows(rows [][]any) pgx.CopyFromSource { return pgx.CopyFromRows(rows) }
