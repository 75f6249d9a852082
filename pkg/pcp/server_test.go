package pcp_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/pcp/pcptest"
)

var users = map[string]string{"pgpool": "secret", "admin": "s3cr:t"}

func dialClient(t *testing.T, s *pcptest.Server) *pcp.Client {
	t.Helper()
	c, err := pcp.Dial(s.SocketDir, s.Port, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c
}

func login(t *testing.T, s *pcptest.Server) *pcp.Client {
	t.Helper()
	c := dialClient(t, s)
	if err := c.Authenticate("pgpool", "secret"); err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return c
}

// raw opens a plain connection for byte-level tests.
func raw(t *testing.T, s *pcptest.Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("unix", filepath.Join(s.SocketDir, ".s.PGSQL."+strconv.Itoa(s.Port)))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn
}

func packet(typ byte, body string) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(len(body)+4))
	return append(b, body...)
}

func readPacket(t *testing.T, conn net.Conn) (byte, []byte) {
	t.Helper()
	var hdr [5]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		t.Fatalf("read packet header: %v", err)
	}
	body := make([]byte, binary.BigEndian.Uint32(hdr[1:])-4)
	if _, err := io.ReadFull(conn, body); err != nil {
		t.Fatalf("read packet body: %v", err)
	}
	return hdr[0], body
}

func readError(t *testing.T, conn net.Conn) *pcp.Error {
	t.Helper()
	typ, body := readPacket(t, conn)
	if typ != 'E' {
		t.Fatalf("got packet %q %q, want an E packet", typ, body)
	}
	var e pcp.Error
	if err := e.Decode(body); err != nil {
		t.Fatalf("decode error packet: %v", err)
	}
	return &e
}

func expectEOF(t *testing.T, conn net.Conn) {
	t.Helper()
	var b [1]byte
	if n, err := conn.Read(b[:]); err != io.EOF {
		t.Fatalf("read after FATAL: %d bytes, %v; want EOF (connection closed)", n, err)
	}
}

// rawLogin performs M and R by hand.
func rawLogin(t *testing.T, conn net.Conn, user, password string) {
	t.Helper()
	conn.Write(packet('M', ""))
	typ, salt := readPacket(t, conn)
	if typ != 'm' || len(salt) != 4 {
		t.Fatalf("salt reply %q %q", typ, salt)
	}
	hash := pcp.AuthHash(user, pcptest.MD5Hex(password), [4]byte(salt))
	conn.Write(packet('R', user+"\x00"+hash+"\x00"))
	typ, body := readPacket(t, conn)
	if typ != 'r' || string(body) != "AuthenticationOK\x00" {
		t.Fatalf("login reply %q %q", typ, body)
	}
}

func wantPgpoolError(t *testing.T, err error, severity, message, detail string) {
	t.Helper()
	var e *pcp.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want *pcp.Error", err, err)
	}
	if e.Severity != severity || e.Message != message || e.Detail != detail {
		t.Errorf("got %s %q (%q), want %s %q (%q)", e.Severity, e.Message, e.Detail, severity, message, detail)
	}
}

func TestClientServerEveryRequest(t *testing.T) {
	for _, layout := range []pcp.Layout{pcp.Layout47, pcp.Layout45, pcp.Layout44, pcp.Layout43} {
		t.Run("layout "+layout.String(), func(t *testing.T) {
			h := pcptest.SampleHandler()
			h.Stopped = make(chan pcp.StopMode, 1)
			s := pcptest.NewServer(t, h, users, func(srv *pcp.Server) { srv.Layout = layout })
			c := login(t, s)

			if n, err := c.NodeCount(); err != nil || n != 3 {
				t.Errorf("NodeCount = %d, %v; want 3", n, err)
			}
			nodes, err := c.NodeInfo(-1)
			if err != nil {
				t.Fatalf("NodeInfo(-1): %v", err)
			}
			wantNodes := append([]pcp.NodeInfo(nil), h.Nodes...)
			if !reflect.DeepEqual(nodes, wantNodes) {
				t.Errorf("NodeInfo(-1) = %+v\nwant %+v", nodes, wantNodes)
			}
			if one, err := c.NodeInfo(1); err != nil || len(one) != 1 || one[0].Hostname != "localhost" {
				t.Errorf("NodeInfo(1) = %+v, %v", one, err)
			}
			wantLayout := layout
			if layout == pcp.Layout44 || layout == pcp.Layout45 || layout == pcp.Layout47 {
				wantLayout = pcp.Layout44 // node info alone cannot tell them apart
			}
			if got := c.ServerLayout(); got != wantLayout {
				t.Errorf("layout after node info %v, want %v", got, wantLayout)
			}
			if st, err := c.HealthCheckStats(0); err != nil || !reflect.DeepEqual(st, h.Stats[0]) {
				t.Errorf("HealthCheckStats(0) = %+v, %v", st, err)
			}
			if pids, err := c.ProcessCount(); err != nil || !reflect.DeepEqual(pids, []int{4242, 4243}) {
				t.Errorf("ProcessCount = %v, %v", pids, err)
			}
			procs, err := c.ProcessInfo(0)
			if err != nil || len(procs) != 4 {
				t.Fatalf("ProcessInfo(0) = %d rows, %v", len(procs), err)
			}
			if got := c.ServerLayout(); got != layout {
				t.Errorf("layout after process info %v, want %v", got, layout)
			}
			want := h.Processes[0]
			if layout < pcp.Layout47 {
				want.ClientHost, want.ClientPort, want.Statement = "", "", ""
			}
			if layout < pcp.Layout45 {
				want.LoadBalanceNode = false
			}
			if !reflect.DeepEqual(procs[0], want) {
				t.Errorf("ProcessInfo row 0 = %+v\nwant %+v", procs[0], want)
			}
			if rows, err := c.ProcessInfo(4243); err != nil || len(rows) != 2 || rows[0].PID != 4243 {
				t.Errorf("ProcessInfo(4243) = %+v, %v", rows, err)
			}
			if rows, err := c.PoolStatus(); err != nil || !reflect.DeepEqual(rows, h.Status) {
				t.Errorf("PoolStatus = %+v, %v", rows, err)
			}
			if w, err := c.WatchdogInfo(-1); err != nil || !reflect.DeepEqual(w, *h.Watchdog) {
				t.Errorf("WatchdogInfo(-1) = %+v, %v", w, err)
			}
			steps := []struct {
				name string
				do   func() error
				call pcptest.Call
			}{
				{"detach", func() error { return c.DetachNode(1, false) }, pcptest.Call{Method: "DetachNode", ID: 1}},
				{"detach -g", func() error { return c.DetachNode(0, true) }, pcptest.Call{Method: "DetachNode", ID: 0, Graceful: true}},
				{"attach", func() error { return c.AttachNode(2) }, pcptest.Call{Method: "AttachNode", ID: 2}},
				{"promote -s -g", func() error { return c.PromoteNode(1, true, true) }, pcptest.Call{Method: "PromoteNode", ID: 1, Switchover: true, Graceful: true}},
				{"recovery", func() error { return c.RecoverNode(2) }, pcptest.Call{Method: "RecoverNode", ID: 2}},
				{"reload", func() error { return c.ReloadConfig(pcp.ScopeCluster) }, pcptest.Call{Method: "ReloadConfig", ID: -1, Scope: pcp.ScopeCluster}},
				{"log rotate", func() error { return c.LogRotate(pcp.ScopeLocal) }, pcptest.Call{Method: "LogRotate", ID: -1, Scope: pcp.ScopeLocal}},
				{"invalidate", c.InvalidateQueryCache, pcptest.Call{Method: "InvalidateQueryCache", ID: -1}},
				{"stop", func() error { return c.StopPgpool(pcp.StopFast, pcp.ScopeCluster) }, pcptest.Call{Method: "StopPgpool", ID: -1, Mode: pcp.StopFast, Scope: pcp.ScopeCluster}},
			}
			for _, st := range steps {
				if err := st.do(); err != nil {
					t.Errorf("%s: %v", st.name, err)
					continue
				}
				log := h.CallLog()
				if got := log[len(log)-1]; got != st.call {
					t.Errorf("%s: handler got %+v, want %+v", st.name, got, st.call)
				}
			}
			if m := <-h.Stopped; m != pcp.StopFast {
				t.Errorf("stop mode %v, want fast", m)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	h := pcptest.SampleHandler()
	s := pcptest.NewServer(t, h, users)

	t.Run("password with a colon", func(t *testing.T) {
		c := dialClient(t, s)
		if err := c.Authenticate("admin", "s3cr:t"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		err := dialClient(t, s).Authenticate("pgpool", "wrong")
		wantPgpoolError(t, err, "FATAL", `authentication failed for user "pgpool"`, "username and/or password does not match")
		if got := err.(*pcp.Error).PgpoolText(); got != "FATAL:  authentication failed for user \"pgpool\"\nDETAIL:  username and/or password does not match\n" {
			t.Errorf("PgpoolText %q", got)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		err := dialClient(t, s).Authenticate("mallory", "secret")
		wantPgpoolError(t, err, "FATAL", `authentication failed for user "mallory"`, "username and/or password does not match")
	})
	t.Run("request before login", func(t *testing.T) {
		conn := raw(t, s)
		conn.Write(packet('L', ""))
		e := readError(t, conn)
		if e.Severity != "FATAL" || e.Message != "authentication failed for new PCP connection" || e.Detail != "connection not authorized" {
			t.Errorf("got %+v", e)
		}
		expectEOF(t, conn)
	})
	t.Run("login without salt", func(t *testing.T) {
		conn := raw(t, s)
		conn.Write(packet('R', "pgpool\x00"+strings.Repeat("0", 32)+"\x00"))
		e := readError(t, conn)
		if e.Message != "authentication failed" || e.Detail != "username and/or password does not match" {
			t.Errorf("got %+v", e)
		}
		expectEOF(t, conn)
	})
	t.Run("salt is single use", func(t *testing.T) {
		conn := raw(t, s)
		conn.Write(packet('M', ""))
		_, salt := readPacket(t, conn)
		hash := pcp.AuthHash("pgpool", pcptest.MD5Hex("secret"), [4]byte(salt))
		login := packet('R', "pgpool\x00"+hash+"\x00")
		conn.Write(login)
		if typ, _ := readPacket(t, conn); typ != 'r' {
			t.Fatalf("first login: %q", typ)
		}
		conn.Write(login)
		if e := readError(t, conn); e.Message != "authentication failed" {
			t.Errorf("replayed login: %+v", e)
		}
	})
	t.Run("pcp.conf unreadable", func(t *testing.T) {
		s2 := pcptest.NewServer(t, h, users, func(srv *pcp.Server) {
			srv.Authenticate = func(string) (string, bool, error) {
				return "", false, errors.New(`could not open "/etc/pcp.conf". reason: Permission denied`)
			}
		})
		err := dialClient(t, s2).Authenticate("pgpool", "secret")
		wantPgpoolError(t, err, "FATAL", "failed to authenticate PCP user", `could not open "/etc/pcp.conf". reason: Permission denied`)
	})
	t.Run("pcp.conf is read at every login", func(t *testing.T) {
		pw := "first"
		s2 := pcptest.NewServer(t, h, users, func(srv *pcp.Server) {
			srv.Authenticate = func(string) (string, bool, error) { return pcptest.MD5Hex(pw), true, nil }
		})
		if err := dialClient(t, s2).Authenticate("pgpool", "first"); err != nil {
			t.Fatal(err)
		}
		pw = "second"
		if err := dialClient(t, s2).Authenticate("pgpool", "first"); err == nil {
			t.Error("old password still accepted after pcp.conf changed")
		}
		if err := dialClient(t, s2).Authenticate("pgpool", "second"); err != nil {
			t.Errorf("new password: %v", err)
		}
	})
	t.Run("silent client is dropped after the authentication timeout", func(t *testing.T) {
		s2 := pcptest.NewServer(t, h, users, func(srv *pcp.Server) { srv.AuthenticationTimeout = 50 * time.Millisecond })
		conn := raw(t, s2)
		expectEOF(t, conn)
		if !s2.Log.Contains("did not authenticate in time") {
			t.Errorf("log lacks the timeout: %s", s2.Log.String())
		}
	})
	t.Run("authenticated session has no idle limit", func(t *testing.T) {
		s2 := pcptest.NewServer(t, h, users, func(srv *pcp.Server) { srv.AuthenticationTimeout = 50 * time.Millisecond })
		c := login(t, s2)
		// Wait past the timeout with a deadline on our side, not a sleep: a
		// read that times out proves the server kept the session open.
		conn := raw(t, s2)
		rawLogin(t, conn, "pgpool", "secret")
		conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		var b [1]byte
		var ne net.Error
		if _, err := conn.Read(b[:]); !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("idle authenticated session: %v, want our read timeout", err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		conn.Write(packet('L', ""))
		if typ, _ := readPacket(t, conn); typ != 'l' {
			t.Errorf("reply %q after idling, want l", typ)
		}
		if _, err := c.NodeCount(); err != nil {
			t.Error(err)
		}
	})
}

func TestMalformedPacketsEndOnlyTheirConnection(t *testing.T) {
	h := pcptest.SampleHandler()
	s := pcptest.NewServer(t, h, users)
	other := login(t, s)

	tests := []struct {
		name    string
		send    []byte
		message string
		detail  string
	}{
		{"length word too big", append([]byte{'L', 0, 0, 1, 0x2c}, make([]byte, 296)...), "invalid PCP packet", "incorrect packet length (300)"},
		{"length word 260", append([]byte{'I', 0, 0, 1, 4}, make([]byte, 256)...), "invalid PCP packet", "incorrect packet length (260)"},
		{"length word zero", []byte{'L', 0, 0, 0, 0}, "invalid PCP packet", "incorrect packet length (0)"},
		{"length word below 4", []byte{'L', 0, 0, 0, 2}, "invalid PCP packet", "incorrect packet length (2)"},
		{"negative length word", []byte{'L', 0xff, 0xff, 0xff, 0xfe}, "invalid PCP packet", "incorrect packet length (-2)"},
		{"node id without NUL", packet('I', "1"), "invalid PCP packet", `malformed "I" packet: id: string is not NUL-terminated`},
		{"node id not a number", packet('D', "one\x00"), "invalid PCP packet", `malformed "D" packet: invalid id "one"`},
		{"stop without mode", packet('T', ""), "invalid PCP packet", `malformed "T" packet: missing mode byte`},
		{"unknown type", packet('Q', ""), "PCP processing request", `unknown PCP packet type "Q"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := raw(t, s)
			rawLogin(t, conn, "pgpool", "secret")
			conn.Write(tt.send)
			e := readError(t, conn)
			if e.Severity != "FATAL" || e.Message != tt.message || e.Detail != tt.detail {
				t.Errorf("got %s %q (%q), want FATAL %q (%q)", e.Severity, e.Message, e.Detail, tt.message, tt.detail)
			}
			expectEOF(t, conn)
			if n, err := other.NodeCount(); err != nil || n != 3 {
				t.Errorf("other session after %s: %d, %v", tt.name, n, err)
			}
		})
	}
}

func TestErrorsKeepOrEndTheSession(t *testing.T) {
	h := pcptest.SampleHandler()
	s := pcptest.NewServer(t, h, users)

	t.Run("ERROR keeps the session", func(t *testing.T) {
		c := login(t, s)
		_, err := c.NodeInfo(9)
		wantPgpoolError(t, err, "ERROR", "informing node info failed", "invalid node ID : 9")
		if got := err.(*pcp.Error).PgpoolText(); got != "ERROR:  informing node info failed\nDETAIL:  invalid node ID : 9\n" {
			t.Errorf("PgpoolText %q", got)
		}
		if n, err := c.NodeCount(); err != nil || n != 3 {
			t.Errorf("after ERROR: %d, %v", n, err)
		}
	})
	t.Run("FATAL ends the session", func(t *testing.T) {
		c := login(t, s)
		err := c.PromoteNode(0, false, false)
		wantPgpoolError(t, err, "FATAL", "invalid promote request", "specified node is already primary node, can't promote node id 0")
		if _, err := c.NodeCount(); err == nil {
			t.Error("request after FATAL succeeded")
		}
	})
	t.Run("plain handler error becomes an ERROR with the request's message", func(t *testing.T) {
		h2 := pcptest.SampleHandler()
		h2.Fail = map[string]error{"ReloadConfig": errors.New("cannot read /etc/pgpool.conf")}
		c := login(t, pcptest.NewServer(t, h2, users))
		err := c.ReloadConfig(pcp.ScopeLocal)
		wantPgpoolError(t, err, "ERROR", "PCP: error while processing reload config request", "cannot read /etc/pgpool.conf")
		if _, err := c.NodeCount(); err != nil {
			t.Errorf("after ERROR: %v", err)
		}
	})
	t.Run("invalid stop mode", func(t *testing.T) {
		c := login(t, s)
		err := c.StopPgpool(pcp.StopMode('x'), pcp.ScopeLocal)
		wantPgpoolError(t, err, "ERROR", "PCP: error while processing shutdown request", `invalid shutdown mode "x"`)
		for _, call := range h.CallLog() {
			if call.Method == "StopPgpool" {
				t.Errorf("handler called for an invalid mode: %+v", call)
			}
		}
	})
	t.Run("watchdog off", func(t *testing.T) {
		h2 := pcptest.SampleHandler()
		h2.Watchdog = nil
		c := login(t, pcptest.NewServer(t, h2, users))
		_, err := c.WatchdogInfo(-1)
		wantPgpoolError(t, err, "ERROR", "PCP: informing watchdog info failed", "watchdog is not enabled")
	})
}

func TestSetParameterAndNotices(t *testing.T) {
	h := pcptest.SampleHandler()
	h.Notices = map[string][]string{"AttachNode": {"failback request for node_id: 1 from pid [1], But cluster is not in stable state"}}
	s := pcptest.NewServer(t, h, users)
	c := login(t, s)
	var notices []string
	c.OnNotice = func(n *pcp.Error) { notices = append(notices, n.Severity+": "+n.Message) }

	if err := c.AttachNode(1); err != nil {
		t.Fatal(err)
	}
	want := []string{"NOTICE: failback request for node_id: 1 from pid [1], But cluster is not in stable state"}
	if !reflect.DeepEqual(notices, want) {
		t.Errorf("notices %q, want %q", notices, want)
	}

	notices = nil
	if err := c.SetParameter("client_min_messages", "WARNING"); err != nil {
		t.Fatal(err)
	}
	if err := c.AttachNode(1); err != nil {
		t.Fatal(err)
	}
	if len(notices) != 0 {
		t.Errorf("notices below warning delivered: %q", notices)
	}

	if err := c.SetParameter("client_min_messages", "debug1"); err != nil {
		t.Fatal(err)
	}
	notices = nil
	if _, err := c.NodeCount(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"DEBUG: received PCP packet"}; !reflect.DeepEqual(notices, want) {
		t.Errorf("debug notices %q, want %q", notices, want)
	}

	err := c.SetParameter("client_min_messages", "debug")
	wantPgpoolError(t, err, "ERROR", "PCP: set configuration parameter failed", `invalid value "debug" for parameter "client_min_messages"`)
	err = c.SetParameter("log_statement", "on")
	wantPgpoolError(t, err, "ERROR", "PCP: set configuration parameter failed", `invalid parameter "log_statement"`)
	if _, err := c.NodeCount(); err != nil {
		t.Errorf("session after ERRORs: %v", err)
	}
}

func TestStopRepliesBeforeSignalling(t *testing.T) {
	h := pcptest.SampleHandler()
	h.Stopped = make(chan pcp.StopMode) // unbuffered: after() blocks until we read
	c := login(t, pcptest.NewServer(t, h, users))
	if err := c.StopPgpool(pcp.StopImmediate, pcp.ScopeLocal); err != nil {
		t.Fatalf("stop: %v", err)
	}
	// The reply arrived while after() is still blocked on the channel.
	if m := <-h.Stopped; m != pcp.StopImmediate {
		t.Errorf("mode %v", m)
	}
}

func TestStopRecoveryHasNoReply(t *testing.T) {
	s := pcptest.NewServer(t, pcptest.SampleHandler(), users)
	conn := raw(t, s)
	rawLogin(t, conn, "pgpool", "secret")
	conn.Write(append(packet('F', ""), packet('L', "")...))
	if typ, _ := readPacket(t, conn); typ != 'l' {
		t.Errorf("first reply %q, want l (F has none)", typ)
	}
}

func TestGracefulRequestsWaitAndCloseCancels(t *testing.T) {
	h := pcptest.SampleHandler()
	h.Block = make(chan struct{})
	s := pcptest.NewServer(t, h, users)

	c := login(t, s)
	done := make(chan error, 1)
	go func() { done <- c.DetachNode(1, true) }()
	other := login(t, s)
	if n, err := other.NodeCount(); err != nil || n != 3 {
		t.Errorf("other session while one waits: %d, %v", n, err)
	}
	select {
	case err := <-done:
		t.Fatalf("graceful detach returned before the handler finished: %v", err)
	default:
	}
	close(h.Block)
	if err := <-done; err != nil {
		t.Errorf("graceful detach: %v", err)
	}

	h.Block = make(chan struct{}) // block again; Close must cancel it
	c2 := login(t, s)
	go func() { done <- c2.RecoverNode(1) }()
	waitFor(t, func() bool {
		for _, call := range h.CallLog() {
			if call.Method == "RecoverNode" {
				return true
			}
		}
		return false
	})
	s.Close()
	var re *pcp.ReadError
	if err := <-done; !errors.As(err, &re) {
		t.Errorf("recovery during Close: %v, want a read error", err)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type panicHandler struct{ *pcptest.Handler }

func (panicHandler) NodeCount(context.Context) (int, error) { panic("boom") }

func TestHandlerPanicEndsOnlyItsSession(t *testing.T) {
	s := pcptest.NewServer(t, panicHandler{pcptest.SampleHandler()}, users)
	c := login(t, s)
	_, err := c.NodeCount()
	wantPgpoolError(t, err, "FATAL", "PCP processing request", "internal error; see the pgpool log")
	if !s.Log.Contains("pcp session panicked") || !s.Log.Contains("boom") {
		t.Errorf("log lacks the panic: %s", s.Log.String())
	}
	if nodes, err := login(t, s).NodeInfo(-1); err != nil || len(nodes) != 3 {
		t.Errorf("server after a panic: %d nodes, %v", len(nodes), err)
	}
}

func TestShutdownWaitsForSessions(t *testing.T) {
	h := pcptest.SampleHandler()
	s := pcptest.NewServer(t, h, users)
	c := login(t, s)
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- s.Shutdown(ctx)
	}()
	// New connections are refused once the listeners are closed.
	waitFor(t, func() bool {
		_, err := pcp.Dial(s.SocketDir, s.Port, time.Second)
		return err != nil
	})
	if n, err := c.NodeCount(); err != nil || n != 3 {
		t.Errorf("open session during shutdown: %d, %v", n, err)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned with a session open: %v", err)
	default:
	}
	c.Close()
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestDialErrorsUsePgpoolTexts(t *testing.T) {
	dir := t.TempDir()
	_, err := pcp.Dial(dir, 9898, time.Second)
	var de *pcp.DialError
	if !errors.As(err, &de) {
		t.Fatalf("err %v, want *pcp.DialError", err)
	}
	want := fmt.Sprintf(`ERROR: connection to socket "%s/.s.PGSQL.9898" failed with error "No such file or directory"`, dir)
	if got := de.PgpoolText(); got != want {
		t.Errorf("PgpoolText %q, want %q", got, want)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	_, err = pcp.Dial("127.0.0.1", port, time.Second)
	if !errors.As(err, &de) {
		t.Fatalf("err %v, want *pcp.DialError", err)
	}
	if got := de.PgpoolText(); got != `ERROR: connection to host "127.0.0.1" failed with error "Connection refused"` {
		t.Errorf("PgpoolText %q", got)
	}
}

func TestTCPListener(t *testing.T) {
	s := pcptest.NewServer(t, pcptest.SampleHandler(), users)
	c, err := pcp.Dial("127.0.0.1", s.Port, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Authenticate("pgpool", "secret"); err != nil {
		t.Fatal(err)
	}
	if n, err := c.NodeCount(); err != nil || n != 3 {
		t.Errorf("NodeCount over TCP: %d, %v", n, err)
	}
}

func TestRequestsBeforeAuthenticateAreRefusedByTheClient(t *testing.T) {
	s := pcptest.NewServer(t, pcptest.SampleHandler(), users)
	if _, err := dialClient(t, s).NodeCount(); !errors.Is(err, pcp.ErrNotAuthenticated) {
		t.Errorf("err %v, want ErrNotAuthenticated", err)
	}
}
