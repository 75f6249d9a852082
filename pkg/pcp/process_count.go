package pcp

import (
	"fmt"
	"strconv"
)

// ProcessCountRequest (N) asks for the PIDs of the live pgpool children.
type ProcessCountRequest struct{}

func (*ProcessCountRequest) Type() byte { return 'N' }

func (src *ProcessCountRequest) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, 'N')
	return finishRequest(dst, sp)
}

func (dst *ProcessCountRequest) Decode(src []byte) error { return nil }

// ProcessCount (n) is "CommandComplete\0", the count and one decimal PID per
// child.
type ProcessCount struct {
	PIDs []int
}

func (src *ProcessCount) Encode(dst []byte) []byte {
	dst, sp := beginPacket(dst, 'n')
	dst = appendCString(dst, commandComplete)
	dst = appendInt(dst, int64(len(src.PIDs)))
	for _, pid := range src.PIDs {
		dst = appendInt(dst, int64(pid))
	}
	return finishPacket(dst, sp)
}

func (dst *ProcessCount) Decode(src []byte) error {
	fields, err := splitCStrings(src)
	if err != nil {
		return malformed('n', err)
	}
	if len(fields) < 2 || fields[0] != commandComplete {
		return malformed('n', fmt.Errorf("not a process count reply"))
	}
	n, err := strconv.Atoi(fields[1])
	if err != nil || n < 0 || n != len(fields)-2 {
		return malformed('n', fmt.Errorf("process count %q does not match %d PIDs", fields[1], len(fields)-2))
	}
	pids := make([]int, n)
	for i, f := range fields[2:] {
		if pids[i], err = strconv.Atoi(f); err != nil {
			return malformed('n', fmt.Errorf("invalid PID %q", f))
		}
	}
	dst.PIDs = pids
	return nil
}
