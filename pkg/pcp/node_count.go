package pcp

import (
	"fmt"
	"strconv"
)

// NodeCountRequest (L) asks for the number of configured backends.
type NodeCountRequest struct{}

func (*NodeCountRequest) Type() byte { return 'L' }

func (src *NodeCountRequest) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, 'L')
	return finishRequest(dst, sp)
}

func (dst *NodeCountRequest) Decode(src []byte) error { return nil }

// NodeCount (l) is "CommandComplete\0" and the count as a decimal string.
type NodeCount struct {
	Count int
}

func (src *NodeCount) Encode(dst []byte) []byte {
	dst, sp := beginPacket(dst, 'l')
	dst = appendCString(dst, commandComplete)
	dst = appendInt(dst, int64(src.Count))
	return finishPacket(dst, sp)
}

func (dst *NodeCount) Decode(src []byte) error {
	tag, rest, err := replyTag(src)
	if err != nil {
		return malformed('l', err)
	}
	if tag != commandComplete {
		return malformed('l', fmt.Errorf("command failed with reason: %q", tag))
	}
	s, _, err := cstring(rest)
	if err != nil {
		return malformed('l', fmt.Errorf("node count: %w", err))
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return malformed('l', fmt.Errorf("invalid node count %q", s))
	}
	dst.Count = n
	return nil
}
