package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"testing"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// tlsConn connects with pgx and returns the TLS state of the connection
// to pgpoold.
func tlsState(t *testing.T, conn string) (tls.ConnectionState, error) {
	t.Helper()
	c, err := connect(t, conn)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close(context.Background())
	tc, ok := c.PgConn().Conn().(*tls.Conn)
	if !ok {
		t.Fatalf("connection is %T, not TLS", c.PgConn().Conn())
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tc.ConnectionState(), nil
}

// TestTLSVerifyFull: psql and pgx with sslmode=verify-full and the test CA;
// a client trusting another CA refuses pgpoold's certificate.
func TestTLSVerifyFull(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		Params:     sslParams("pgpool", nil),
		PoolPasswd: []string{scramUser + ":TEXT" + scramPass},
	})
	verify := "sslmode=verify-full sslrootcert=" + certs.path("ca.crt")
	conn := strings.Replace(connString(p, scramUser, scramPass, verify), "host=127.0.0.1", "host=localhost", 1)
	out, err := psql(t, conn, "-c", `\conninfo`)
	if err != nil || !strings.Contains(out, "SSL connection (protocol: TLSv1.3") {
		t.Fatalf("psql verify-full: %v\n%s", err, out)
	}
	st, err := tlsState(t, conn)
	if err != nil {
		t.Fatal(err)
	}
	if st.Version < tls.VersionTLS12 || st.PeerCertificates[0].Subject.CommonName != "localhost" {
		t.Fatalf("TLS %x, certificate %s", st.Version, st.PeerCertificates[0].Subject)
	}
	// Scram with channel binding (SCRAM-SHA-256-PLUS), required by the
	// client: libpq and pgx.
	if out, err := psql(t, conn+" channel_binding=require", "-c", "select 1"); err != nil {
		t.Fatalf("psql channel_binding=require: %v\n%s", err, out)
	}
	mustLogin(t, conn+" channel_binding=require")

	other := t.TempDir() + "/other-ca.crt"
	os.WriteFile(other, []byte(selfSignedPEM(t)), 0o644)
	bad := strings.Replace(conn, certs.path("ca.crt"), other, 1)
	out, err = psql(t, bad, "-c", "select 1")
	if err == nil || !strings.Contains(out, "certificate verify failed") {
		t.Fatalf("psql trusting another CA: %v\n%s", err, out)
	}
	// TLS 1.2 with the cipher ssl_ciphers allows (libpq 15 can cap the
	// version): the OpenSSL name maps to Go's suite.
	out, err = psql(t, conn+" ssl_max_protocol_version=TLSv1.2", "-c", `\conninfo`)
	if err != nil || !strings.Contains(out, "protocol: TLSv1.2") || !strings.Contains(out, "ECDHE-ECDSA-") {
		t.Fatalf("psql TLS 1.2: %v\n%s", err, out)
	}
}

func TestTLSCipherList(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		Params:     sslParams("pgpool", map[string]string{"ssl_ciphers": "ECDHE-ECDSA-AES128-GCM-SHA256"}),
		PoolPasswd: []string{scramUser + ":TEXT" + scramPass},
	})
	conn := connString(p, scramUser, scramPass, "sslmode=require ssl_max_protocol_version=TLSv1.2")
	out, err := psql(t, conn, "-c", `\conninfo`)
	if err != nil || !strings.Contains(out, "cipher: ECDHE-ECDSA-AES128-GCM-SHA256") {
		t.Fatalf("psql: %v\n%s", err, out)
	}
}

// TestCertAuthentication: a cert line needs a client certificate signed by
// ssl_ca_cert whose common name is the user.
func TestCertAuthentication(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		Params: sslParams("pgpool", nil),
		HBA:    hbaWith("hostssl all certuser 127.0.0.1/32 cert"),
	})
	base := connString(p, certUser, "", "sslmode=verify-ca sslrootcert="+certs.path("ca.crt"))
	withCert := func(name string) string {
		return base + " sslcert=" + certs.path(name+".crt") + " sslkey=" + clientKeyCopy(t, name+".key")
	}
	mustLogin(t, withCert("client-certuser"))
	out, err := psql(t, withCert("client-certuser"), "-c", "select current_user")
	if err != nil || strings.TrimSpace(out) != certUser {
		t.Fatalf("psql with the client certificate: %v\n%s", err, out)
	}
	_, err = login(t, base)
	refused(t, err, "28000", "CERT authentication failed")
	_, err = login(t, withCert("client-other"))
	refused(t, err, "28000", `does not match user "certuser"`)
	_, err = login(t, connString(p, certUser, ""))
	refused(t, err, "28000", "SSL off")
}

// TestTLSToBackend: with ssl = on pgpoold talks TLS to nodes that offer it
// (tlsuser is allowed only over TLS by the nodes' pg_hba.conf), with SCRAM
// and channel binding; with ssl = off it cannot log tlsuser in.
func TestTLSToBackend(t *testing.T) {
	cluster.Reset(t)
	entries := []string{tlsUser + ":TEXT" + tlsPass}
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{Params: sslParams("pgpool", nil), PoolPasswd: entries})
	c, err := connect(t, connString(p, tlsUser, tlsPass))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var ssl bool
	var version string
	if err := c.QueryRow(context.Background(), "select ssl, version from pg_stat_ssl where pid = pg_backend_pid()").Scan(&ssl, &version); err != nil || !ssl {
		t.Fatalf("pg_stat_ssl of the backend: ssl=%v %s, %v", ssl, version, err)
	}
	c.Close(context.Background())

	plain := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{PoolPasswd: entries})
	_, err = login(t, connString(plain, tlsUser, tlsPass))
	refused(t, err, "28000", "rejects connection")
}

// TestDirectTLS: PostgreSQL 17's sslnegotiation=direct (a TLS ClientHello
// with ALPN "postgresql" instead of an SSLRequest).
func TestDirectTLS(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		Params:     sslParams("pgpool", nil),
		PoolPasswd: []string{scramUser + ":TEXT" + scramPass},
	})
	st, err := tlsState(t, connString(p, scramUser, scramPass, "sslmode=require sslnegotiation=direct"))
	if err != nil {
		t.Fatal(err)
	}
	if st.NegotiatedProtocol != "postgresql" {
		t.Fatalf("ALPN %q", st.NegotiatedProtocol)
	}
}

// TestReloadPicksUpNewCertificate: a renewed certificate (the same files,
// new contents) is served after a reload, without a restart.
func TestReloadPicksUpNewCertificate(t *testing.T) {
	cluster.Reset(t)
	copyCert := func(from string) {
		for _, ext := range []string{".crt", ".key"} {
			data, err := os.ReadFile(certs.path(from + ext))
			if err != nil {
				t.Fatal(err)
			}
			perm := os.FileMode(0o644)
			if ext == ".key" {
				perm = 0o600
			}
			if err := certs.write("renewed"+ext, data, perm); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyCert("pgpool")
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		Params:     sslParams("renewed", nil),
		PoolPasswd: []string{scramUser + ":TEXT" + scramPass},
	})
	conn := connString(p, scramUser, scramPass, "sslmode=require")
	serial := func() string {
		st, err := tlsState(t, conn)
		if err != nil {
			t.Fatal(err)
		}
		return st.PeerCertificates[0].SerialNumber.String()
	}
	want := func(name string) string {
		data, _ := os.ReadFile(certs.path(name + ".crt"))
		c, err := x509.ParseCertificate(pemBlock(t, data))
		if err != nil {
			t.Fatal(err)
		}
		return c.SerialNumber.String()
	}
	if got := serial(); got != want("pgpool") {
		t.Fatalf("serial %s, want %s", got, want("pgpool"))
	}
	copyCert("pgpool2")
	if err := p.Reload(nil); err != nil {
		t.Fatal(err)
	}
	pgcluster.Eventually(t, 20e9, 100e6, func() error {
		if got := serial(); got != want("pgpool2") {
			return errNotRenewed
		}
		return nil
	})
}

// TestTLSLargeTransfers moves tens of megabytes each way through a TLS
// client connection and TLS to the node: the session loop must neither
// block on a full socket nor leave decrypted bytes waiting.
func TestTLSLargeTransfers(t *testing.T) {
	cluster.Reset(t)
	p := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
		// Reads of what was just copied must see it: no balancing to a
		// standby that may not have replayed the COPY yet.
		Params:     sslParams("pgpool", map[string]string{"load_balance_mode": "off"}),
		PoolPasswd: []string{tlsUser + ":TEXT" + tlsPass},
	})
	ctx := context.Background()
	c, err := connect(t, connString(p, tlsUser, tlsPass, "sslmode=require"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, ok := c.PgConn().Conn().(*tls.Conn); !ok {
		t.Fatal("not TLS")
	}
	rows, err := c.Query(ctx, "select repeat(md5(i::text), 40000) from generate_series(1, 30) i")
	if err != nil {
		t.Fatal(err)
	}
	n, total := 0, 0
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		n++
		total += len(s)
	}
	if rows.Err() != nil || n != 30 || total != 30*32*40000 {
		t.Fatalf("%d rows, %d bytes, %v", n, total, rows.Err())
	}
	if _, err := c.Exec(ctx, "create table big (s text)"); err != nil {
		t.Fatal(err)
	}
	src := make([][]any, 2000)
	for i := range src {
		src[i] = []any{strings.Repeat(string(rune('a'+i%26)), 10000)}
	}
	copied, err := c.CopyFrom(ctx, pgxIdentifier("big"), []string{"s"}, pgxRows(src))
	if err != nil || copied != int64(len(src)) {
		t.Fatalf("COPY: %d rows, %v", copied, err)
	}
	var sum int64
	if err := c.QueryRow(ctx, "select sum(length(s)) from big").Scan(&sum); err != nil || sum != 2000*10000 {
		t.Fatalf("copied %d bytes, %v", sum, err)
	}
}
