package pcp

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

const arraySize = "ArraySize"

// ArraySize is the header of a multi-packet reply: how many rows follow.
// Node info (i) and process info (p) send the count as a decimal string,
// pool status (b) as a binary big-endian int32 (§9 quirk 2).
type ArraySize struct {
	Type byte
	Size int
}

func (src *ArraySize) Encode(dst []byte) []byte {
	dst, sp := beginPacket(dst, src.Type)
	dst = appendCString(dst, arraySize)
	if src.Type == 'b' {
		dst = binary.BigEndian.AppendUint32(dst, uint32(int32(src.Size)))
	} else {
		dst = appendInt(dst, int64(src.Size))
	}
	return finishPacket(dst, sp)
}

// Decode reads the payload after the "ArraySize" tag; dst.Type selects the
// encoding of the count.
func (dst *ArraySize) Decode(src []byte) error {
	if dst.Type == 'b' {
		if len(src) != 4 {
			return malformed(dst.Type, fmt.Errorf("binary array size of %d bytes, expected 4", len(src)))
		}
		dst.Size = int(int32(binary.BigEndian.Uint32(src)))
	} else {
		s, _, err := cstring(src)
		if err != nil {
			return malformed(dst.Type, err)
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return malformed(dst.Type, fmt.Errorf("invalid array size %q", s))
		}
		dst.Size = n
	}
	if dst.Size < 0 {
		return malformed(dst.Type, fmt.Errorf("negative array size %d", dst.Size))
	}
	return nil
}
