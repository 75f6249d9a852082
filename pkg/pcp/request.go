package pcp

import (
	"fmt"
	"strconv"
)

// Request is a packet a PCP client sends (§1.4).
type Request interface {
	// Type is the packet's type byte.
	Type() byte
	// Encode appends the whole packet; it fails when the packet would reach
	// MaxRequestLength, which the server rejects.
	Encode(dst []byte) ([]byte, error)
	// Decode reads the payload (after the length word).
	Decode(src []byte) error
}

// requestTypes is the dispatch table of request types (PgBouncer cmd_list
// style): the type byte selects a constructor.
var requestTypes = [256]func() Request{
	'M': func() Request { return &SaltRequest{} },
	'R': func() Request { return &Authenticate{} },
	'L': func() Request { return &NodeCountRequest{} },
	'I': func() Request { return &NodeInfoRequest{} },
	'H': func() Request { return &HealthCheckStatsRequest{} },
	'N': func() Request { return &ProcessCountRequest{} },
	'P': func() Request { return &ProcessInfoRequest{} },
	'B': func() Request { return &PoolStatusRequest{} },
	'D': func() Request { return &DetachNode{} },
	'd': func() Request { return &DetachNode{Graceful: true} },
	'C': func() Request { return &AttachNode{} },
	'J': func() Request { return &PromoteNode{} },
	'j': func() Request { return &PromoteNode{Graceful: true} },
	'O': func() Request { return &RecoverNode{} },
	'T': func() Request { return &StopPgpool{Scope: ScopeLocal} },
	't': func() Request { return &StopPgpool{Scope: ScopeCluster} },
	'Z': func() Request { return &ReloadConfig{} },
	'V': func() Request { return &LogRotate{} },
	'G': func() Request { return &InvalidateQueryCache{} },
	'W': func() Request { return &WatchdogInfoRequest{} },
	'A': func() Request { return &SetParameter{} },
	'X': func() Request { return &Terminate{} },
	'F': func() Request { return &StopRecovery{} },
}

// DecodeRequest decodes the payload of a request of type typ. An unknown type
// is an *UnknownPacketError, a payload that does not parse a *MalformedError.
func DecodeRequest(typ byte, src []byte) (Request, error) {
	newRequest := requestTypes[typ]
	if newRequest == nil {
		return nil, &UnknownPacketError{Type: typ}
	}
	r := newRequest()
	if err := r.Decode(src); err != nil {
		return nil, err
	}
	return r, nil
}

// appendIDRequest appends a request whose payload is a decimal id and its NUL,
// the shape of I, H, P, D, d, C, O and W.
func appendIDRequest(dst []byte, typ byte, id int) ([]byte, error) {
	dst, sp := beginPacket(dst, typ)
	dst = appendInt(dst, int64(id))
	return finishRequest(dst, sp)
}

// decodeID reads the decimal id of such a request. Pgpool uses atoi(); we
// accept only what a client can have meant, an optionally signed int32, so
// that garbage is reported instead of silently meaning node 0.
func decodeID(typ byte, src []byte) (int, error) {
	s, _, err := cstring(src)
	if err != nil {
		return 0, malformed(typ, fmt.Errorf("id: %w", err))
	}
	id, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, malformed(typ, fmt.Errorf("invalid id %q", s))
	}
	return int(id), nil
}

// decodeByte reads the single mode/scope byte of T, t, Z and V. Pgpool reads
// it without checking that it is there (§1.4: a crash in C).
func decodeByte(typ byte, src []byte) (byte, error) {
	if len(src) == 0 {
		return 0, malformed(typ, fmt.Errorf("missing mode byte"))
	}
	return src[0], nil
}
