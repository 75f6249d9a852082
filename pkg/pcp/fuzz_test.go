package pcp_test

import (
	"io"
	"net"
	"testing"

	"github.com/rs/zerolog"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/pcp/pcptest"
)

// FuzzServerSession feeds arbitrary bytes to a logged-in session: whatever a
// client sends, the server answers or closes, and never panics.
func FuzzServerSession(f *testing.F) {
	var seed []byte
	for _, req := range []pcp.Request{
		&pcp.NodeCountRequest{}, &pcp.NodeInfoRequest{NodeID: -1}, &pcp.NodeInfoRequest{NodeID: 7},
		&pcp.HealthCheckStatsRequest{NodeID: 0}, &pcp.ProcessCountRequest{}, &pcp.ProcessInfoRequest{},
		&pcp.PoolStatusRequest{}, &pcp.DetachNode{NodeID: 1}, &pcp.AttachNode{NodeID: 1},
		&pcp.PromoteNode{NodeID: 1, Switchover: true}, &pcp.RecoverNode{NodeID: 1},
		&pcp.ReloadConfig{}, &pcp.LogRotate{}, &pcp.InvalidateQueryCache{}, &pcp.WatchdogInfoRequest{WatchdogID: -1},
		&pcp.SetParameter{Name: "client_min_messages", Value: "debug5"}, &pcp.StopRecovery{},
		&pcp.StopPgpool{Mode: 'x'}, &pcp.SaltRequest{}, &pcp.Terminate{},
	} {
		pkt, err := req.Encode(nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pkt, true)
		seed = append(seed, pkt...)
	}
	f.Add(seed, true)
	f.Add(seed, false)
	f.Add([]byte{'I', 0, 0, 0, 4}, true)
	f.Add([]byte{'T', 0, 0, 0, 4}, true)
	f.Fuzz(func(t *testing.T, data []byte, authenticated bool) {
		h := pcptest.SampleHandler()
		srv := &pcp.Server{Handler: h, Logger: zerolog.Nop(),
			Authenticate: func(string) (string, bool, error) { return pcptest.MD5Hex("x"), true, nil }}
		server, client := net.Pipe()
		go io.Copy(io.Discard, client)
		go func() {
			client.Write(data)
			client.Close()
		}()
		pcp.ServeSessionNoRecover(srv, server, authenticated)
		server.Close()
	})
}
