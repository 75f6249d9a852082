package pcp

import (
	"bytes"
	"fmt"
	"strconv"
)

// DetachNode (D, or d when Graceful) takes a node out of service. The reply
// is CommandComplete of type d.
type DetachNode struct {
	NodeID   int
	Graceful bool // d: wait for clients to disconnect first
}

func (src *DetachNode) Type() byte {
	if src.Graceful {
		return 'd'
	}
	return 'D'
}

func (src *DetachNode) Encode(dst []byte) ([]byte, error) {
	return appendIDRequest(dst, src.Type(), src.NodeID)
}

func (dst *DetachNode) Decode(src []byte) (err error) {
	dst.NodeID, err = decodeID(dst.Type(), src)
	return err
}

// AttachNode (C) brings a node back (failback). The reply is
// CommandComplete of type c.
type AttachNode struct {
	NodeID int
}

func (*AttachNode) Type() byte { return 'C' }

func (src *AttachNode) Encode(dst []byte) ([]byte, error) {
	return appendIDRequest(dst, 'C', src.NodeID)
}

func (dst *AttachNode) Decode(src []byte) (err error) {
	dst.NodeID, err = decodeID('C', src)
	return err
}

// RecoverNode (O) runs online recovery of a node. The reply, sent when the
// recovery has finished, is CommandComplete of type c.
type RecoverNode struct {
	NodeID int
}

func (*RecoverNode) Type() byte { return 'O' }

func (src *RecoverNode) Encode(dst []byte) ([]byte, error) {
	return appendIDRequest(dst, 'O', src.NodeID)
}

func (dst *RecoverNode) Decode(src []byte) (err error) {
	dst.NodeID, err = decodeID('O', src)
	return err
}

// PromoteNode (J, or j when Graceful) makes a node the primary. The reply is
// CommandComplete of type d.
//
// Payload (4.3+): the node id followed by one space, a NUL, then one option
// byte: 's' for switchover (detach the current primary and run
// failover_command), 'n' for a plain promotion of pgpool's view (§1.4).
type PromoteNode struct {
	NodeID     int
	Switchover bool
	Graceful   bool // j: wait for clients to disconnect first
}

func (src *PromoteNode) Type() byte {
	if src.Graceful {
		return 'j'
	}
	return 'J'
}

func (src *PromoteNode) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, src.Type())
	dst = strconv.AppendInt(dst, int64(src.NodeID), 10)
	dst = append(dst, ' ', 0)
	if src.Switchover {
		dst = append(dst, 's')
	} else {
		dst = append(dst, 'n')
	}
	return finishRequest(dst, sp)
}

// Decode reads the node id up to the space and the option byte after the NUL.
// A payload without option byte (a pre-4.3 client) means a plain promotion.
func (dst *PromoteNode) Decode(src []byte) error {
	typ := dst.Type()
	s, rest, err := cstring(src)
	if err != nil {
		return malformed(typ, fmt.Errorf("node id: %w", err))
	}
	if i := bytes.IndexByte([]byte(s), ' '); i >= 0 {
		s = s[:i]
	}
	id, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return malformed(typ, fmt.Errorf("invalid id %q", s))
	}
	dst.NodeID = int(id)
	dst.Switchover = len(rest) > 0 && rest[0] == 's'
	return nil
}
