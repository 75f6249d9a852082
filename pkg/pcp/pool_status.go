package pcp

import "fmt"

// PoolStatusRequest (B) asks for the configuration and status dump of
// SHOW pool_status.
type PoolStatusRequest struct{}

func (*PoolStatusRequest) Type() byte { return 'B' }

func (src *PoolStatusRequest) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, 'B')
	return finishRequest(dst, sp)
}

func (dst *PoolStatusRequest) Decode(src []byte) error { return nil }

// StatusRow is one row of pool status (§1.5.4): a parameter or status item,
// its value and a description.
type StatusRow struct {
	Name  string
	Value string
	Desc  string
}

// Pgpool keeps rows in fixed buffers (POOL_REPORT_CONFIG) and sends what fits.
const (
	maxStatusName  = 64
	maxStatusValue = 512
	maxStatusDesc  = 80
)

const statusRowTag = "ProcessConfig"

func (src *StatusRow) Encode(dst []byte) []byte {
	dst, sp := beginPacket(dst, 'b')
	dst = appendCString(dst, statusRowTag)
	dst = appendCString(dst, truncate(src.Name, maxStatusName))
	dst = appendCString(dst, truncate(src.Value, maxStatusValue))
	dst = appendCString(dst, truncate(src.Desc, maxStatusDesc))
	return finishPacket(dst, sp)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Decode reads a b row's payload, starting with the "ProcessConfig" tag.
func (dst *StatusRow) Decode(src []byte) error {
	fields, err := splitCStrings(src)
	if err != nil {
		return malformed('b', err)
	}
	if len(fields) != 4 || fields[0] != statusRowTag {
		return malformed('b', fmt.Errorf("not a ProcessConfig row of 3 fields"))
	}
	dst.Name, dst.Value, dst.Desc = fields[1], fields[2], fields[3]
	return nil
}
