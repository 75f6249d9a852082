package pcp

// StopMode is pgpool's shutdown mode, the byte sent in T and t.
type StopMode byte

const (
	StopSmart     StopMode = 's' // SIGTERM: wait for clients to disconnect
	StopFast      StopMode = 'f' // SIGINT: disconnect clients
	StopImmediate StopMode = 'i' // SIGQUIT
)

// String is the mode's name as pcp_stop_pgpool -m takes it.
func (m StopMode) String() string {
	switch m {
	case StopSmart:
		return "smart"
	case StopFast:
		return "fast"
	case StopImmediate:
		return "immediate"
	}
	return "invalid"
}

// Valid reports whether m is one of the three modes.
func (m StopMode) Valid() bool {
	return m == StopSmart || m == StopFast || m == StopImmediate
}

// Scope says whether a stop, reload or log rotation applies to this pgpool
// only or to every pgpool of the watchdog cluster.
type Scope byte

const (
	ScopeLocal   Scope = 'l'
	ScopeCluster Scope = 'c'
)

// String is the scope's name as the -s option takes it.
func (s Scope) String() string {
	if s == ScopeCluster {
		return "cluster"
	}
	return "local"
}

// StopPgpool (T for local scope, t for cluster scope) stops pgpool. The
// payload is the mode byte without NUL; the reply, t, is sent before pgpool
// is signalled. Decode keeps any mode byte: the server answers an invalid one
// with Pgpool's ERROR (§1.7).
type StopPgpool struct {
	Mode  StopMode
	Scope Scope
}

func (src *StopPgpool) Type() byte {
	if src.Scope == ScopeCluster {
		return 't'
	}
	return 'T'
}

func (src *StopPgpool) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, src.Type())
	dst = append(dst, byte(src.Mode))
	return finishRequest(dst, sp)
}

func (dst *StopPgpool) Decode(src []byte) error {
	b, err := decodeByte(dst.Type(), src)
	dst.Mode = StopMode(b)
	return err
}

// decodeScope reads the scope byte of Z and V: 'c' is cluster, anything else
// local, as in Pgpool.
func decodeScope(typ byte, src []byte) (Scope, error) {
	b, err := decodeByte(typ, src)
	if b == byte(ScopeCluster) {
		return ScopeCluster, err
	}
	return ScopeLocal, err
}

func appendScopeRequest(dst []byte, typ byte, s Scope) ([]byte, error) {
	dst, sp := beginPacket(dst, typ)
	if s == ScopeCluster {
		dst = append(dst, 'c')
	} else {
		dst = append(dst, 'l')
	}
	return finishRequest(dst, sp)
}
