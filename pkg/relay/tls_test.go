package relay_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// testCert is a self-signed certificate for "localhost".
func testCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// socketPair returns a non-blocking fd (our side, as a child has it) and a
// blocking net.Conn for the peer.
func socketPair(t testing.TB) (int, net.Conn) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fds[1]), "peer")
	peer, err := net.FileConn(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	return fds[0], peer
}

// tlsPair returns our relay.Conn after a server handshake and the peer's
// tls.Conn.
func tlsPair(t testing.TB) (*relay.Conn, *tls.Conn) {
	t.Helper()
	cert, pool := testCert(t)
	fd, peer := socketPair(t)
	c := relay.NewConn(fd)
	t.Cleanup(func() { c.Close() })
	client := tls.Client(peer, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	done := make(chan error, 1)
	go func() { done <- client.Handshake() }()
	if _, err := relay.ServerTLS(c, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, time.Now().Add(10*time.Second)); err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	return c, client
}

func waitFD(t testing.TB, c *relay.Conn, ev int16) {
	t.Helper()
	if err := relay.Wait(c.FD, ev, time.Now().Add(10*time.Second)); err != nil {
		t.Fatalf("wait: %v", err)
	}
}

// readAll reads n plaintext bytes the way the session loop does: Fill
// until ErrWouldBlock, then poll.
func readAll(t testing.TB, c *relay.Conn, n int) []byte {
	t.Helper()
	var got []byte
	for len(got) < n {
		err := c.Fill()
		if b := c.PeekBytes(); len(b) > 0 {
			got = append(got, b...)
			c.Skip(len(b))
		}
		switch {
		case err == nil:
		case errors.Is(err, relay.ErrWouldBlock):
			waitFD(t, c, unix.POLLIN)
		default:
			t.Fatalf("fill after %d of %d bytes: %v", len(got), n, err)
		}
	}
	return got
}

func TestTLSServerReadsWhatThePeerWrote(t *testing.T) {
	for _, size := range []int{1, 100, 16383, 16384, 16385, 100000, 1 << 20} {
		c, client := tlsPair(t)
		want := make([]byte, size)
		rand.Read(want)
		go client.Write(want)
		if got := readAll(t, c, size); !bytes.Equal(got, want) {
			t.Fatalf("size %d: got %d bytes, different content", size, len(got))
		}
	}
}

// TestTLSFillLeavesNothingUncounted checks the invariant the session loop
// depends on: once Fill returns, every byte that arrived is in the Conn's
// buffer or counted by Hidden, none unseen inside tls.Conn, so polling the
// socket when Hidden is 0 is right.
func TestTLSFillLeavesNothingUncounted(t *testing.T) {
	c, client := tlsPair(t)
	// Many records of varied sizes, all on the socket before we read (less
	// than a socketpair buffers, so the writes do not block).
	var want []byte
	for i := 0; i < 30; i++ {
		rec := bytes.Repeat([]byte{byte(i)}, 1+i*997%6000)
		want = append(want, rec...)
		if _, err := client.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	// A socketpair write lands in our receive buffer before it returns.
	var got []byte
	for len(got) < len(want) {
		waitFD(t, c, unix.POLLIN)
		if err := c.Fill(); err != nil {
			t.Fatalf("fill: %v", err)
		}
		got = append(got, c.PeekBytes()...)
		c.Skip(c.Buffered())
		pfd := []unix.PollFd{{Fd: int32(c.FD), Events: unix.POLLIN}}
		n, _ := unix.Poll(pfd, 0)
		if n == 0 && c.Hidden() == 0 && len(got) < len(want) {
			t.Fatalf("after Fill the socket is not readable and the transport says it holds nothing, but %d of %d bytes are missing", len(want)-len(got), len(want))
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatal("content differs")
	}
	if err := c.Fill(); !errors.Is(err, relay.ErrWouldBlock) {
		t.Fatalf("fill on an empty socket = %v, want ErrWouldBlock", err)
	}
}

// TestTLSRecordBeyondTheBufferRoomIsHidden: two 10000-byte records
// arrive together; the second does not fit the 16 KiB buffer. The buffer
// does not grow for it: the rest is counted by Hidden, and the next Fill
// returns it although the socket has nothing more to signal.
func TestTLSRecordBeyondTheBufferRoomIsHidden(t *testing.T) {
	c, client := tlsPair(t)
	rec := bytes.Repeat([]byte{'x'}, 10000)
	client.Write(rec)
	client.Write(rec)
	waitFD(t, c, unix.POLLIN)
	if err := c.Fill(); err != nil {
		t.Fatal(err)
	}
	if c.Buffered() != relay.DefaultBufSize || c.Buffered()+c.Hidden() != 2*len(rec) {
		t.Fatalf("after one Fill: %d buffered and %d hidden, want %d and %d", c.Buffered(), c.Hidden(), relay.DefaultBufSize, 2*len(rec)-relay.DefaultBufSize)
	}
	c.Skip(c.Buffered())
	if n, _ := unix.Poll([]unix.PollFd{{Fd: int32(c.FD), Events: unix.POLLIN}}, 0); n != 0 {
		t.Fatal("the socket is readable: the test would not show that hidden bytes are read without it")
	}
	if err := c.Fill(); err != nil {
		t.Fatal(err)
	}
	if c.Buffered() != 2*len(rec)-relay.DefaultBufSize || c.Hidden() != 0 {
		t.Fatalf("second Fill: %d buffered and %d hidden", c.Buffered(), c.Hidden())
	}
}

// TestTLSFullBufferKeepsTheRestHidden: a reader that does not consume
// (a session waiting for its client to drain) keeps a bounded buffer; what
// arrived beyond it is Hidden and comes out, in order, once it consumes.
func TestTLSFullBufferKeepsTheRestHidden(t *testing.T) {
	c, client := tlsPair(t)
	first := bytes.Repeat([]byte{'a'}, relay.DefaultBufSize-10)
	second := bytes.Repeat([]byte{'b'}, 5000)
	client.Write(first)
	client.Write(second)
	total := len(first) + len(second)
	deadline := time.Now().Add(10 * time.Second)
	for c.Buffered()+c.Hidden() < total {
		if time.Now().After(deadline) {
			t.Fatalf("buffered %d + hidden %d, want %d", c.Buffered(), c.Hidden(), total)
		}
		if err := c.Fill(); err != nil && !errors.Is(err, relay.ErrWouldBlock) {
			t.Fatal(err)
		} else if err != nil {
			waitFD(t, c, unix.POLLIN)
		}
	}
	if c.Buffered() > relay.DefaultBufSize {
		t.Fatalf("the read buffer grew to %d bytes", c.Buffered())
	}
	got := append([]byte(nil), c.PeekBytes()...)
	c.Skip(c.Buffered())
	for c.Hidden() > 0 {
		if err := c.Fill(); err != nil {
			t.Fatal(err)
		}
		got = append(got, c.PeekBytes()...)
		c.Skip(c.Buffered())
	}
	if !bytes.Equal(got, append(first, second...)) {
		t.Fatal("content differs")
	}
}

// TestTLSWriteNeverBlocks writes far more than the socket buffers while
// the peer does not read: Flush must return ErrWouldBlock, not block, and
// everything must arrive once the peer reads.
func TestTLSWriteNeverBlocks(t *testing.T) {
	c, client := tlsPair(t)
	want := make([]byte, 8<<20)
	rand.Read(want)
	c.Write(want)
	err := c.Flush()
	if !errors.Is(err, relay.ErrWouldBlock) {
		t.Fatalf("flush of 8 MiB to a peer that does not read = %v, want ErrWouldBlock", err)
	}
	if c.Pending() == 0 {
		t.Fatal("Pending is 0 with data unsent")
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(client, int64(len(want))))
		got <- b
	}()
	for c.Pending() > 0 {
		err := c.Flush()
		if err != nil && !errors.Is(err, relay.ErrWouldBlock) {
			t.Fatal(err)
		}
		if err != nil {
			waitFD(t, c, unix.POLLOUT)
		}
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("peer got %d bytes, different content", len(b))
	}
}

func TestTLSHandshakeTimesOut(t *testing.T) {
	cert, _ := testCert(t)
	fd, _ := socketPair(t)
	c := relay.NewConn(fd)
	defer c.Close()
	start := time.Now()
	_, err := relay.ServerTLS(c, &tls.Config{Certificates: []tls.Certificate{cert}}, time.Now().Add(200*time.Millisecond))
	if !errors.Is(err, relay.ErrTimeout) {
		t.Fatalf("handshake with a silent peer = %v, want ErrTimeout", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the deadline was not kept")
	}
}

// TestTLSHandshakeFromBufferedBytes is direct TLS: the ClientHello's first
// bytes were already read into the Conn (to look at the first byte).
func TestTLSHandshakeFromBufferedBytes(t *testing.T) {
	cert, pool := testCert(t)
	fd, peer := socketPair(t)
	c := relay.NewConn(fd)
	defer c.Close()
	client := tls.Client(peer, &tls.Config{RootCAs: pool, ServerName: "localhost", NextProtos: []string{"postgresql"}})
	done := make(chan error, 1)
	go func() { done <- client.Handshake() }()
	// Look at the first byte without consuming it, as the child does.
	for len(c.PeekBytes()) == 0 {
		if err := c.Fill(); errors.Is(err, relay.ErrWouldBlock) {
			waitFD(t, c, unix.POLLIN)
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if b := c.PeekBytes(); b[0] != 0x16 {
		t.Fatalf("first byte %x, want 0x16 (TLS handshake)", b[0])
	}
	st, err := relay.ServerTLS(c, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"postgresql"}}, time.Now().Add(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p := st.ConnectionState().NegotiatedProtocol; p != "postgresql" {
		t.Fatalf("ALPN %q", p)
	}
	client.Write([]byte("hello"))
	if got := readAll(t, c, 5); string(got) != "hello" {
		t.Fatalf("got %q", got)
	}
}

func TestTLSClientSide(t *testing.T) {
	cert, pool := testCert(t)
	fd, peer := socketPair(t)
	c := relay.NewConn(fd)
	defer c.Close()
	server := tls.Server(peer, &tls.Config{Certificates: []tls.Certificate{cert}})
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if err != nil {
				return
			}
			server.Write(buf[:n])
		}
	}()
	if _, err := relay.ClientTLS(c, &tls.Config{RootCAs: pool, ServerName: "localhost"}, time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("0123456789"), 30000)
	c.Write(want)
	if err := relay.FlushWait(c, time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, c, len(want)); !bytes.Equal(got, want) {
		t.Fatal("echo differs")
	}
}

func TestTLSPeerCloseIsEOF(t *testing.T) {
	c, client := tlsPair(t)
	client.Write([]byte("bye"))
	client.Close()
	got := readAll(t, c, 3)
	if string(got) != "bye" {
		t.Fatalf("got %q", got)
	}
	for {
		err := c.Fill()
		if errors.Is(err, relay.ErrWouldBlock) {
			waitFD(t, c, unix.POLLIN)
			continue
		}
		if !errors.Is(err, io.EOF) {
			t.Fatalf("after close_notify Fill = %v, want io.EOF", err)
		}
		return
	}
}

// BenchmarkTLSRoundTrip sends 8 KiB through TLS to the peer and back per
// iteration, with the relay's Fill/Flush, as a session does for a query
// and its result.
func BenchmarkTLSRoundTrip(b *testing.B) {
	c, client := tlsPair(b)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if err != nil {
				return
			}
			if _, err := client.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	msg := bytes.Repeat([]byte{'q'}, 8<<10)
	b.SetBytes(int64(2 * len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Write(msg)
		for c.Pending() > 0 {
			if err := c.Flush(); err != nil && !errors.Is(err, relay.ErrWouldBlock) {
				b.Fatal(err)
			} else if err != nil {
				waitFD(b, c, unix.POLLOUT)
			}
		}
		for got := 0; got < len(msg); {
			err := c.Fill()
			got += c.Buffered()
			c.Skip(c.Buffered())
			if errors.Is(err, relay.ErrWouldBlock) {
				waitFD(b, c, unix.POLLIN)
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
