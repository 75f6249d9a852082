package auth

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/config"
)

// HBA is pool_hba.conf, loaded at child start and at every reload.
type HBA struct {
	Path  string
	Rules []config.HBARule
}

// LoadHBA reads pool_hba.conf.
func LoadHBA(path string) (*HBA, error) {
	rules, err := config.LoadHBA(path)
	if err != nil {
		return nil, err
	}
	return &HBA{Path: path, Rules: rules}, nil
}

// Client is what a pool_hba.conf line is matched against.
type Client struct {
	Local    bool       // unix-domain socket
	SSL      bool       // TLS negotiated
	Addr     netip.Addr // TCP clients
	User     string
	Database string
}

// Match returns the first line that applies to c (pool_hba.c's check_hba),
// nil when none does. Host names in the file cost a reverse lookup of the
// client address, confirmed by a forward lookup as PostgreSQL does; it is
// made only when such a line is reached. Role membership (+group,
// samerole) is unknown before the backend is asked, so those items never
// match, as in Pgpool.
func (h *HBA) Match(c Client) *config.HBARule {
	conn := config.HBAConn{Local: c.Local, SSL: c.SSL, Addr: c.Addr, User: c.User, Database: c.Database}
	var hostDone, ifDone bool
	for i := range h.Rules {
		r := &h.Rules[i]
		if !c.Local && r.Type != config.HBALocal {
			switch r.Addr {
			case config.AddrHostname:
				if !hostDone {
					conn.Hostname, hostDone = verifiedHostname(c.Addr), true
				}
			case config.AddrSameHost, config.AddrSameNet:
				if !ifDone {
					conn.LocalAddrs, ifDone = interfacePrefixes(), true
				}
			}
		}
		if r.Match(conn) {
			return r
		}
	}
	return nil
}

// hostLookupTimeout bounds each DNS lookup of a pool_hba.conf host name
// match; it runs during the client's authentication_timeout anyway.
const hostLookupTimeout = 5 * time.Second

// verifiedHostname is the client's host name when its reverse lookup is
// confirmed by a forward lookup that includes the address; "" otherwise.
func verifiedHostname(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), hostLookupTimeout)
	defer cancel()
	names, err := net.DefaultResolver.LookupAddr(ctx, a.String())
	if err != nil || len(names) == 0 {
		return ""
	}
	name := names[0]
	if len(name) > 0 && name[len(name)-1] == '.' {
		name = name[:len(name)-1]
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", name)
	if err != nil || !slices.ContainsFunc(addrs, func(x netip.Addr) bool { return x.Unmap() == a.Unmap() }) {
		return ""
	}
	return name
}

func interfacePrefixes() []netip.Prefix {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Prefix
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ip, ok := netip.AddrFromSlice(n.IP)
			if !ok {
				continue
			}
			bits, _ := n.Mask.Size()
			out = append(out, netip.PrefixFrom(ip.Unmap(), bits))
		}
	}
	return out
}
