package pcp

import "fmt"

const commandComplete = "CommandComplete"

// CommandComplete is the reply of requests that return no data (c for C and
// O; d for D, d, J and j; t, z, v, g, a) and the trailer of the multi-packet
// replies i, p and b. Its payload is "CommandComplete\0" (§1.5).
type CommandComplete struct {
	Type byte
}

func (src *CommandComplete) Encode(dst []byte) []byte {
	dst, sp := beginPacket(dst, src.Type)
	dst = appendCString(dst, commandComplete)
	return finishPacket(dst, sp)
}

// Decode checks the payload; dst.Type is left to the caller, who read it.
func (dst *CommandComplete) Decode(src []byte) error {
	s, _, err := cstring(src)
	if err != nil {
		return malformed(dst.Type, err)
	}
	if s != commandComplete {
		return malformed(dst.Type, fmt.Errorf("command failed with reason: %q", s))
	}
	return nil
}

// replyTag returns the first string of a reply payload: "CommandComplete",
// "ArraySize", "NodeInfo", "ProcessInfo" or "ProcessConfig".
func replyTag(src []byte) (string, []byte, error) {
	return cstring(src)
}
