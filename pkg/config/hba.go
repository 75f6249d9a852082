package config

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// ConnType is the first field of a pool_hba.conf line.
type ConnType uint8

// Connection types.
const (
	HBALocal     ConnType = iota + 1 // unix-domain socket
	HBAHost                          // TCP, with or without SSL
	HBAHostSSL                       // TCP with SSL
	HBAHostNoSSL                     // TCP without SSL
)

var connTypeNames = [...]string{"", "local", "host", "hostssl", "hostnossl"}

func (t ConnType) String() string { return connTypeNames[t] }

// AuthMethod is the authentication method of a pool_hba.conf line.
type AuthMethod uint8

// Methods Pgpool-II accepts. PAM and LDAP are parsed; the daemon may refuse
// them.
const (
	AuthTrust AuthMethod = iota + 1
	AuthReject
	AuthMD5
	AuthPassword
	AuthSCRAM
	AuthCert
	AuthPAM
	AuthLDAP
)

var authNames = [...]string{"", "trust", "reject", "md5", "password", "scram-sha-256", "cert", "pam", "ldap"}

func (m AuthMethod) String() string { return authNames[m] }

// AddrKind says how a host line matches the client address.
type AddrKind uint8

// Address forms.
const (
	AddrAll      AddrKind = iota + 1 // "all"
	AddrSameHost                     // "samehost": any address of this host
	AddrSameNet                      // "samenet": any subnet this host is on
	AddrPrefix                       // CIDR, or address + mask
	AddrHostname                     // a host name; ".suffix" matches a domain
)

// HBAName is one database or user item: keywords (all, sameuser, samerole,
// samegroup, +group) only count when not quoted.
type HBAName struct {
	Name   string
	Quoted bool
}

// HBARule is one pool_hba.conf line.
type HBARule struct {
	File     string
	Line     int
	Raw      string
	Type     ConnType
	Database []HBAName
	User     []HBAName
	Addr     AddrKind // host lines
	Prefix   netip.Prefix
	Hostname string
	Method   AuthMethod
	Options  map[string]string
}

// HBAConn describes a connection to match against rules.
type HBAConn struct {
	Local    bool       // unix-domain socket
	SSL      bool       // TLS negotiated
	Addr     netip.Addr // client address (TCP)
	Hostname string     // client host name, already verified by forward lookup; "" if unknown
	Database string
	User     string
	// InRole reports whether user is a member of role (for +group and
	// samerole). Nil: no membership is known and such items never match
	// (Pgpool cannot query roles either).
	InRole func(user, role string) bool
	// LocalAddrs are this host's interface networks (samehost/samenet).
	LocalAddrs []netip.Prefix
}

// Match reports whether the rule applies to conn (connection type, database,
// user, address), in pool_hba.c's check_hba order.
func (r HBARule) Match(conn HBAConn) bool {
	switch r.Type {
	case HBALocal:
		if !conn.Local {
			return false
		}
	case HBAHostSSL:
		if conn.Local || !conn.SSL {
			return false
		}
	case HBAHostNoSSL:
		if conn.Local || conn.SSL {
			return false
		}
	case HBAHost:
		if conn.Local {
			return false
		}
	}
	if !r.matchDatabase(conn) || !r.matchUser(conn) {
		return false
	}
	if r.Type == HBALocal {
		return true
	}
	a := conn.Addr.Unmap()
	switch r.Addr {
	case AddrAll:
		return true
	case AddrPrefix:
		return a.IsValid() && r.Prefix.Contains(a)
	case AddrHostname:
		h := strings.ToLower(conn.Hostname)
		n := strings.ToLower(r.Hostname)
		if h == "" {
			return false
		}
		if strings.HasPrefix(n, ".") {
			return strings.HasSuffix(h, n)
		}
		return h == n
	case AddrSameHost:
		for _, p := range conn.LocalAddrs {
			if p.Addr().Unmap() == a {
				return true
			}
		}
	case AddrSameNet:
		for _, p := range conn.LocalAddrs {
			if p.Masked().Contains(a) {
				return true
			}
		}
	}
	return false
}

func keyword(n HBAName, k string) bool { return !n.Quoted && n.Name == k }

func (r HBARule) matchDatabase(conn HBAConn) bool {
	for _, d := range r.Database {
		switch {
		case keyword(d, "all"):
			return true
		case keyword(d, "sameuser"):
			if conn.Database == conn.User {
				return true
			}
		case keyword(d, "samerole"), keyword(d, "samegroup"):
			if conn.InRole != nil && conn.InRole(conn.User, conn.Database) {
				return true
			}
		case keyword(d, "replication"):
			// replication connections are not proxied; never matches
		case d.Name == conn.Database:
			return true
		}
	}
	return false
}

func (r HBARule) matchUser(conn HBAConn) bool {
	for _, u := range r.User {
		switch {
		case keyword(u, "all"):
			return true
		case !u.Quoted && strings.HasPrefix(u.Name, "+"):
			if conn.InRole != nil && conn.InRole(conn.User, u.Name[1:]) {
				return true
			}
		case u.Name == conn.User:
			return true
		}
	}
	return false
}

// LoadHBA reads pool_hba.conf (pg_hba.conf syntax, Pgpool's pool_hba.c).
// Every line is checked; the error joins all bad lines. A file without any
// rule is an error, as in Pgpool.
func LoadHBA(path string) ([]HBARule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: could not open configuration file %q: %w", path, err)
	}
	return ParseHBA(path, string(data))
}

// ParseHBA parses pool_hba.conf text read from path (used for messages and
// @file includes).
func ParseHBA(path, text string) ([]HBARule, error) {
	var rules []HBARule
	var errs errorList
	for i, line := range strings.Split(text, "\n") {
		r, ok, err := ParseHBALine(path, i+1, line)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			rules = append(rules, r)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	if len(rules) == 0 {
		return nil, &ParseError{File: path, Msg: fmt.Sprintf("configuration file %q contains no entries", path)}
	}
	return rules, nil
}

type hbaToken struct {
	s      string
	quoted bool
}

// tokenizeHBA splits a line into fields; each field is a comma list of
// tokens. Quotes protect blanks, commas and '#'; '#' outside quotes starts
// a comment; @file is expanded in place.
func tokenizeHBA(path, line string, depth int) ([][]hbaToken, error) {
	var fields [][]hbaToken
	var cur []hbaToken
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++
		}
		if i >= len(line) || line[i] == '#' {
			break
		}
		var b strings.Builder
		quoted, inQuote := false, false
		for i < len(line) {
			c := line[i]
			if !inQuote && (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == '#') {
				break
			}
			if c == '"' {
				inQuote, quoted = !inQuote, true
				i++
				continue
			}
			b.WriteByte(c)
			i++
		}
		if inQuote {
			return nil, fmt.Errorf("unterminated quoted string")
		}
		tok := hbaToken{b.String(), quoted}
		if !quoted && strings.HasPrefix(tok.s, "@") && len(tok.s) > 1 {
			inc, err := hbaInclude(path, tok.s[1:], depth)
			if err != nil {
				return nil, err
			}
			cur = append(cur, inc...)
		} else {
			cur = append(cur, tok)
		}
		if i < len(line) && line[i] == ',' {
			i++
			continue // the list goes on
		}
		fields = append(fields, cur)
		cur = nil
	}
	if cur != nil {
		fields = append(fields, cur)
	}
	return fields, nil
}

func hbaInclude(path, name string, depth int) ([]hbaToken, error) {
	if depth >= maxIncludeDepth {
		return nil, fmt.Errorf("could not open secondary authentication file \"@%s\": maximum nesting depth exceeded", name)
	}
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(path), name)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("could not open secondary authentication file \"@%s\" as %q: %w", name, p, err)
	}
	var out []hbaToken
	for _, l := range strings.Split(string(data), "\n") {
		f, err := tokenizeHBA(p, l, depth+1)
		if err != nil {
			return nil, err
		}
		for _, fl := range f {
			out = append(out, fl...)
		}
	}
	return out, nil
}

var ldapOptions = map[string]bool{
	"ldapserver": true, "ldapport": true, "ldapscheme": true, "ldaptls": true, "ldapprefix": true,
	"ldapsuffix": true, "ldapbasedn": true, "ldapbinddn": true, "ldapbindpasswd": true,
	"ldapsearchattribute": true, "ldapsearchfilter": true, "ldapurl": true, "backend_use_passwd": true,
}

// ParseHBALine parses one line; ok is false for blank and comment lines.
// Errors are *ParseError naming path:line, with pool_hba.c's texts.
func ParseHBALine(path string, lineNo int, line string) (r HBARule, ok bool, err error) {
	fail := func(format string, a ...any) (HBARule, bool, error) {
		return HBARule{}, false, &ParseError{File: path, Line: lineNo, Msg: fmt.Sprintf(format, a...)}
	}
	fields, terr := tokenizeHBA(path, line, 0)
	if terr != nil {
		return fail("%v", terr)
	}
	if len(fields) == 0 {
		return HBARule{}, false, nil
	}
	r = HBARule{File: path, Line: lineNo, Raw: strings.TrimRight(line, "\r")}
	next := 0
	field := func() []hbaToken {
		if next >= len(fields) {
			return nil
		}
		next++
		return fields[next-1]
	}
	t := field()
	if len(t) > 1 {
		return fail("multiple values specified for connection type")
	}
	switch t[0].s {
	case "local":
		r.Type = HBALocal
	case "host":
		r.Type = HBAHost
	case "hostssl":
		r.Type = HBAHostSSL
	case "hostnossl":
		r.Type = HBAHostNoSSL
	default:
		return fail("invalid connection type %q", t[0].s)
	}
	if t = field(); t == nil {
		return fail("end-of-line before database specification")
	}
	for _, x := range t {
		r.Database = append(r.Database, HBAName{x.s, x.quoted})
	}
	if t = field(); t == nil {
		return fail("end-of-line before role specification")
	}
	for _, x := range t {
		r.User = append(r.User, HBAName{x.s, x.quoted})
	}
	if r.Type != HBALocal {
		if t = field(); t == nil {
			return fail("end-of-line before IP address specification")
		}
		if len(t) > 1 {
			return fail("multiple values specified for host address")
		}
		tok := t[0]
		switch {
		case !tok.quoted && tok.s == "all":
			r.Addr = AddrAll
		case !tok.quoted && tok.s == "samehost":
			r.Addr = AddrSameHost
		case !tok.quoted && tok.s == "samenet":
			r.Addr = AddrSameNet
		default:
			addrText, bits, hasMask := strings.Cut(tok.s, "/")
			a, perr := netip.ParseAddr(addrText)
			if perr != nil {
				if hasMask {
					return fail("specifying both host name and CIDR mask is invalid: %q", tok.s)
				}
				if !validHostname(tok.s) {
					return fail("invalid IP address %q", tok.s)
				}
				r.Addr, r.Hostname = AddrHostname, tok.s
				break
			}
			r.Addr = AddrPrefix
			if hasMask {
				p, perr := netip.ParsePrefix(a.String() + "/" + bits)
				if perr != nil || a.Zone() != "" {
					return fail("invalid CIDR mask in address %q", tok.s)
				}
				r.Prefix = p.Masked()
				break
			}
			m := field()
			if m == nil {
				return fail("end-of-line before netmask specification (specify an address range in CIDR notation, or provide a separate netmask)")
			}
			if len(m) > 1 {
				return fail("multiple values specified for netmask")
			}
			mask, perr := netip.ParseAddr(m[0].s)
			if perr != nil {
				return fail("invalid IP mask %q", m[0].s)
			}
			if mask.Is4() != a.Is4() {
				return fail("IP address and mask do not match")
			}
			n, okMask := maskBits(mask)
			if !okMask {
				return fail("invalid IP mask %q", m[0].s)
			}
			r.Prefix = netip.PrefixFrom(a, n).Masked()
		}
	}
	if t = field(); t == nil {
		return fail("end-of-line before authentication method")
	}
	if len(t) > 1 {
		return fail("multiple values specified for authentication type")
	}
	switch t[0].s {
	case "trust":
		r.Method = AuthTrust
	case "reject":
		r.Method = AuthReject
	case "md5":
		r.Method = AuthMD5
	case "password":
		r.Method = AuthPassword
	case "scram-sha-256":
		r.Method = AuthSCRAM
	case "cert":
		r.Method = AuthCert
		if r.Type != HBAHostSSL {
			return fail("cert authentication is only supported on hostssl connections")
		}
	case "pam":
		r.Method = AuthPAM
	case "ldap":
		r.Method = AuthLDAP
	default:
		return fail("invalid authentication method %q", t[0].s)
	}
	for t = field(); t != nil; t = field() {
		for _, x := range t {
			name, val, found := strings.Cut(x.s, "=")
			if !found {
				return fail("authentication option not in name=value format: %s", x.s)
			}
			switch {
			case name == "pamservice" || name == "pam_use_hostname":
				if r.Method != AuthPAM {
					return fail("%s authentication option can only be configured for authentication method \"pam\"", name)
				}
			case ldapOptions[name]:
				if r.Method != AuthLDAP {
					return fail("authentication option %q is only valid for authentication method \"ldap\"", name)
				}
			default:
				return fail("unrecognized authentication option name: %q", name)
			}
			if r.Options == nil {
				r.Options = map[string]string{}
			}
			r.Options[name] = val
		}
	}
	return r, true, nil
}

func maskBits(m netip.Addr) (int, bool) {
	b := m.AsSlice()
	n, seenZero := 0, false
	for _, x := range b {
		for i := 7; i >= 0; i-- {
			if x&(1<<i) != 0 {
				if seenZero {
					return 0, false
				}
				n++
			} else {
				seenZero = true
			}
		}
	}
	return n, true
}

func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) && c < 0x80 || isDigit(c) || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
