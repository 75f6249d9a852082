package session

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pgpool-go/pgpool-go/integration/pgcluster"
)

// rawSession opens a TCP connection to pgpoold and completes a startup as
// user postgres on database test, returning the connection positioned
// after the first ReadyForQuery.
func rawSession(t *testing.T, p *pgcluster.Pgpool) (net.Conn, *bufio.Reader) {
	t.Helper()
	return rawSessionAt(t, p.Port())
}

// rawSessionAt is rawSession with whatever listens on port: pgpoold or a
// PostgreSQL node, to compare their answers.
func rawSessionAt(t *testing.T, port int) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	pkt := []byte{0, 0, 0, 0, 0, 3, 0, 0}
	for _, s := range []string{"user", pgcluster.Superuser, "database", pgcluster.Database} {
		pkt = append(append(pkt, s...), 0)
	}
	pkt = append(pkt, 0)
	binary.BigEndian.PutUint32(pkt, uint32(len(pkt)))
	nc.Write(pkt)
	r := bufio.NewReader(nc)
	for {
		typ, _ := readMsg(t, r)
		if typ == 'Z' {
			return nc, r
		}
	}
}

func readMsg(t *testing.T, r *bufio.Reader) (byte, []byte) {
	t.Helper()
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		t.Fatalf("read message: %v", err)
	}
	body := make([]byte, binary.BigEndian.Uint32(hdr[1:])-4)
	if _, err := io.ReadFull(r, body); err != nil {
		t.Fatalf("read message body: %v", err)
	}
	return hdr[0], body
}

// errorCode reads messages until an ErrorResponse and returns its SQLSTATE
// and severity.
func errorCode(t *testing.T, r *bufio.Reader) (code, severity string) {
	t.Helper()
	for {
		typ, body := readMsg(t, r)
		if typ != 'E' {
			continue
		}
		for _, f := range strings.Split(string(body), "\x00") {
			if len(f) > 1 && f[0] == 'C' {
				code = f[1:]
			}
			if len(f) > 1 && f[0] == 'S' {
				severity = f[1:]
			}
		}
		return code, severity
	}
}

func serves(t *testing.T, p *pgcluster.Pgpool) {
	t.Helper()
	c := pgcluster.Dial(t, p.ConnString(pgcluster.Database, pgcluster.Superuser))
	var one int
	if err := c.QueryRow(context.Background(), "select 1").Scan(&one); err != nil {
		t.Fatalf("pgpoold no longer serves: %v", err)
	}
}

func TestBadInputEndsOnlyItsSession(t *testing.T) {
	cluster.Reset(t)
	p := rawPool(t, pgcluster.PgpoolOptions{NumInitChildren: 2})
	cases := map[string]func(t *testing.T){
		"garbage before startup": func(t *testing.T) {
			nc, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.Port()))
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(5 * time.Second))
			nc.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
			code, sev := errorCode(t, bufio.NewReader(nc))
			if code != "08P01" || sev != "FATAL" {
				t.Errorf("HTTP request: %s %s, want FATAL 08P01", sev, code)
			}
		},
		"protocol 2 startup": func(t *testing.T) {
			nc, _ := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.Port()))
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(5 * time.Second))
			nc.Write([]byte{0, 0, 0, 8, 0, 2, 0, 0})
			if code, _ := errorCode(t, bufio.NewReader(nc)); code != "0A000" {
				t.Errorf("protocol 2.0: %s, want 0A000", code)
			}
		},
		"unknown message type": func(t *testing.T) {
			nc, r := rawSession(t, p)
			nc.Write([]byte{'?', 0, 0, 0, 4})
			if code, sev := errorCode(t, r); code != "08P01" || sev != "FATAL" {
				t.Errorf("unknown message: %s %s, want FATAL 08P01", sev, code)
			}
		},
		"oversized small message": func(t *testing.T) {
			nc, r := rawSession(t, p)
			nc.Write([]byte{'S', 0, 1, 0, 0}) // a 64 kB Sync
			if code, _ := errorCode(t, r); code != "08P01" {
				t.Errorf("oversized Sync: %s, want 08P01", code)
			}
		},
		"query without terminator": func(t *testing.T) {
			nc, r := rawSession(t, p)
			nc.Write([]byte{'Q', 0, 0, 0, 12, 's', 'e', 'l', 'e', 'c', 't', ' ', '1'})
			if code, _ := errorCode(t, r); code != "08P01" {
				t.Errorf("Query without NUL: %s, want 08P01", code)
			}
		},
		"Describe of neither statement nor portal": func(t *testing.T) {
			nc, r := rawSession(t, p)
			nc.Write([]byte{'D', 0, 0, 0, 7, 'X', 'a', 0})
			if code, sev := errorCode(t, r); code != "08P01" || sev != "FATAL" {
				t.Errorf("Describe 'X': %s %s, want FATAL 08P01 as PostgreSQL", sev, code)
			}
		},
		"Close without a name": func(t *testing.T) {
			nc, r := rawSession(t, p)
			nc.Write([]byte{'C', 0, 0, 0, 5, 'S'})
			if code, sev := errorCode(t, r); code != "08P01" || sev != "FATAL" {
				t.Errorf("Close 'S' without a name: %s %s, want FATAL 08P01", sev, code)
			}
		},
		"vanishes mid copy": func(t *testing.T) {
			nc, r := rawSession(t, p)
			q := "copy badinput_copy from stdin\x00"
			nc.Write(append([]byte{'Q', 0, 0, 0, byte(4 + len(q))}, q...))
			if typ, _ := readMsg(t, r); typ != 'G' {
				t.Fatalf("no CopyInResponse: %c", typ)
			}
			nc.Write([]byte{'d', 0, 0, 0, 6, '1', '\n'})
			nc.Close()
		},
		"vanishes mid transaction": func(t *testing.T) {
			nc, r := rawSession(t, p)
			q := "begin; insert into badinput_copy values (42)\x00"
			nc.Write(append([]byte{'Q', 0, 0, 0, byte(4 + len(q))}, q...))
			for {
				if typ, _ := readMsg(t, r); typ == 'Z' {
					break
				}
			}
			nc.Close()
		},
	}
	if err := cluster.Node(0).Exec("create table badinput_copy (id int)"); err != nil {
		t.Fatal(err)
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			fn(t)
			serves(t, p)
			serves(t, p) // both children still serve, whichever took the bad client
		})
	}
	var n int
	cluster.Node(0).QueryRow("select count(*) from badinput_copy").Scan(&n)
	if n != 0 {
		t.Errorf("rows from vanished clients were committed: %d", n)
	}
}
