package pcp

import (
	"fmt"
	"strconv"
)

// ProcessInfoRequest (P) asks for one child's pool slots, or every child's
// with PID 0.
type ProcessInfoRequest struct {
	PID int
}

func (*ProcessInfoRequest) Type() byte { return 'P' }

func (src *ProcessInfoRequest) Encode(dst []byte) ([]byte, error) {
	return appendIDRequest(dst, 'P', src.PID)
}

func (dst *ProcessInfoRequest) Decode(src []byte) (err error) {
	dst.PID, err = decodeID('P', src)
	return err
}

// ProcessInfo is one (child, pool slot, backend) row of pcp_proc_info and
// SHOW pool_pools (§1.5.2). Timestamps and durations are strings in Pgpool's
// display form, with its suffixes such as " (0:30 before process
// restarting)"; see [FormatTime].
type ProcessInfo struct {
	PID                     int    // child PID; 0 is sent as an empty string
	StartTime               string // child start, optionally with the restart countdown
	ClientConnectionCount   int    // clients this child has served
	PoolID                  int    // pool slot index
	BackendID               int    // node id
	Database                string // empty when the slot is unused
	Username                string
	BackendConnectionTime   string
	ClientConnectionTime    string
	ClientDisconnectionTime string
	ClientIdleDuration      string // seconds, optionally with the idle-limit countdown
	MajorVersion            int    // protocol major version (0 when unused)
	MinorVersion            int
	PoolCounter             int // times the connection was reused
	BackendPID              int // PostgreSQL backend PID
	Connected               bool
	Status                  string // "Wait for connection", "Execute command", "Idle", "Idle in transaction", "Connecting"
	LoadBalanceNode         bool   // 4.5+: this backend is the session's load-balance node
	ClientHost              string // 4.7+
	ClientPort              string // 4.7+
	Statement               string // 4.7+: last statement sent to this backend
}

const processInfoTag = "ProcessInfo"

// Encode appends a p row with the fields of layout.
func (src *ProcessInfo) Encode(dst []byte, layout Layout) []byte {
	layout = layout.orDefault()
	dst, sp := beginPacket(dst, 'p')
	dst = appendCString(dst, processInfoTag)
	if src.PID == 0 {
		dst = append(dst, 0)
	} else {
		dst = appendInt(dst, int64(src.PID))
	}
	dst = appendCString(dst, src.StartTime)
	dst = appendInt(dst, int64(src.ClientConnectionCount))
	dst = appendInt(dst, int64(src.PoolID))
	dst = appendInt(dst, int64(src.BackendID))
	dst = appendCString(dst, src.Database)
	dst = appendCString(dst, src.Username)
	dst = appendCString(dst, src.BackendConnectionTime)
	dst = appendCString(dst, src.ClientConnectionTime)
	dst = appendCString(dst, src.ClientDisconnectionTime)
	dst = appendCString(dst, src.ClientIdleDuration)
	dst = appendInt(dst, int64(src.MajorVersion))
	dst = appendInt(dst, int64(src.MinorVersion))
	dst = appendInt(dst, int64(src.PoolCounter))
	dst = appendInt(dst, int64(src.BackendPID))
	dst = appendBool(dst, src.Connected)
	dst = appendCString(dst, src.Status)
	if layout >= Layout45 {
		dst = appendBool(dst, src.LoadBalanceNode)
	}
	if layout >= Layout47 {
		dst = appendCString(dst, src.ClientHost)
		dst = appendCString(dst, src.ClientPort)
		dst = appendCString(dst, src.Statement)
	}
	return finishPacket(dst, sp)
}

// Decode reads a p row's payload (starting with the "ProcessInfo" tag) of any
// known layout.
func (dst *ProcessInfo) Decode(src []byte) error {
	_, err := dst.decode(src)
	return err
}

// decode also reports the layout recognised by the number of fields:
// 17 (4.3, 4.4), 18 (4.5, 4.6), 21 (4.7 and later).
func (dst *ProcessInfo) decode(src []byte) (Layout, error) {
	fields, err := splitCStrings(src)
	if err != nil {
		return LayoutUnknown, malformed('p', err)
	}
	if len(fields) == 0 || fields[0] != processInfoTag {
		return LayoutUnknown, malformed('p', fmt.Errorf("not a ProcessInfo row"))
	}
	fields = fields[1:]
	var layout Layout
	switch len(fields) {
	case 17:
		layout = Layout43
	case 18:
		layout = Layout45
	case 21:
		layout = Layout47
	default:
		return LayoutUnknown, malformed('p', fmt.Errorf("ProcessInfo row with %d fields, expected 17, 18 or 21", len(fields)))
	}
	d := fieldDecoder{fields: fields, what: "ProcessInfo"}
	var p ProcessInfo
	if pid := d.str(); pid != "" {
		n, err := strconv.Atoi(pid)
		if err != nil {
			return LayoutUnknown, malformed('p', fmt.Errorf("invalid PID %q", pid))
		}
		p.PID = n
	}
	p.StartTime = d.str()
	p.ClientConnectionCount = d.int()
	p.PoolID = d.int()
	p.BackendID = d.int()
	p.Database = d.str()
	p.Username = d.str()
	p.BackendConnectionTime = d.str()
	p.ClientConnectionTime = d.str()
	p.ClientDisconnectionTime = d.str()
	p.ClientIdleDuration = d.str()
	p.MajorVersion = d.int()
	p.MinorVersion = d.int()
	p.PoolCounter = d.int()
	p.BackendPID = d.int()
	p.Connected = d.bool()
	p.Status = d.str()
	if layout >= Layout45 {
		p.LoadBalanceNode = d.bool()
	}
	if layout >= Layout47 {
		p.ClientHost = d.str()
		p.ClientPort = d.str()
		p.Statement = d.str()
	}
	if err := d.done(); err != nil {
		return LayoutUnknown, malformed('p', err)
	}
	*dst = p
	return layout, nil
}
