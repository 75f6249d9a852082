package pcp

import (
	"fmt"
	"time"
)

// NodeInfoRequest (I) asks for one node, or all nodes with NodeID -1.
type NodeInfoRequest struct {
	NodeID int
}

func (*NodeInfoRequest) Type() byte { return 'I' }

func (src *NodeInfoRequest) Encode(dst []byte) ([]byte, error) {
	return appendIDRequest(dst, 'I', src.NodeID)
}

func (dst *NodeInfoRequest) Decode(src []byte) (err error) {
	dst.NodeID, err = decodeID('I', src)
	return err
}

// NodeStatus is Pgpool's BACKEND_STATUS as sent in node info.
type NodeStatus int

const (
	NodeUnused  NodeStatus = 0 // CON_UNUSED: slot not configured
	NodeWaiting NodeStatus = 1 // CON_CONNECT_WAIT: attached, no connection yet
	NodeUp      NodeStatus = 2 // CON_UP
	NodeDown    NodeStatus = 3 // CON_DOWN
)

var nodeStatusNames = [...]string{"unused", "waiting", "up", "down"}

// String is the status name pcp_node_info prints.
func (s NodeStatus) String() string {
	if s >= 0 && int(s) < len(nodeStatusNames) {
		return nodeStatusNames[s]
	}
	return "unknown"
}

// Role is Pgpool's SERVER_ROLE as sent in node info.
type Role int

const (
	RoleMain    Role = 0 // non-streaming modes: the main node
	RoleReplica Role = 1 // non-streaming modes: other nodes
	RolePrimary Role = 2 // streaming replication: the primary
	RoleStandby Role = 3 // streaming replication: other nodes
)

var roleNames = [...]string{"main", "replica", "primary", "standby"}

// String is the role name pcp_node_info prints.
func (r Role) String() string {
	if r >= 0 && int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "unknown"
}

// Words of NodeInfo.PGStatus and NodeInfo.PGRole.
const (
	PGStatusUp      = "up"
	PGStatusDown    = "down"
	PGStatusUnknown = "unknown"
	PGRoleUnknown   = "unknown"
)

// randMax is glibc's RAND_MAX. Pgpool keeps node weights as
// RAND_MAX * weight / Σweights and sends that (§1.5.1).
const randMax = 2147483647

// NodeInfo is one backend as pcp_node_info shows it (§1.5.1).
type NodeInfo struct {
	Hostname string // backend_hostnameN as configured (may be a socket directory)
	Port     int
	Status   NodeStatus
	// Quarantine marks a down node that the watchdog quarantined rather than
	// failed over (pcp_node_info then says "quarantine").
	Quarantine bool
	// PGStatus is the live check of the PostgreSQL server: PGStatusUp,
	// PGStatusDown, or PGStatusUnknown when health checks are off.
	PGStatus string
	// Weight is the normalised load-balance weight, 0..1 (weight / Σweights).
	// On the wire it is multiplied by RAND_MAX.
	Weight float64
	Role   Role
	// PGRole is what PostgreSQL itself says: "primary", "standby" or
	// PGRoleUnknown in streaming mode; the Role name in other modes.
	PGRole string
	// StandbyDelayByTime says StandbyDelay is in microseconds
	// (delay_threshold_by_time), not bytes.
	StandbyDelayByTime   bool
	StandbyDelay         int64
	ReplicationState     string // pg_stat_replication.state, may be empty
	ReplicationSyncState string // pg_stat_replication.sync_state, may be empty
	StatusChanged        time.Time
}

// StatusName is Status's name, or "quarantine" for a quarantined down node.
func (n *NodeInfo) StatusName() string {
	if n.Status == NodeDown && n.Quarantine {
		return "quarantine"
	}
	return n.Status.String()
}

const nodeInfoTag = "NodeInfo"

// Encode appends an i row in the field order of layout.
func (src *NodeInfo) Encode(dst []byte, layout Layout) []byte {
	layout = layout.orDefault()
	dst, sp := beginPacket(dst, 'i')
	dst = appendCString(dst, nodeInfoTag)
	dst = appendCString(dst, src.Hostname)
	dst = appendInt(dst, int64(src.Port))
	dst = appendInt(dst, int64(src.Status))
	dst = appendBool(dst, src.Quarantine)
	dst = appendCString(dst, src.PGStatus)
	dst = appendFloat(dst, src.Weight*randMax)
	dst = appendInt(dst, int64(src.Role))
	dst = appendCString(dst, src.PGRole)
	if layout != Layout43 {
		dst = appendBool(dst, src.StandbyDelayByTime)
	}
	dst = appendInt(dst, src.StandbyDelay)
	dst = appendCString(dst, src.ReplicationState)
	dst = appendCString(dst, src.ReplicationSyncState)
	dst = appendInt(dst, statusChangedUnix(src.StatusChanged))
	return finishPacket(dst, sp)
}

func statusChangedUnix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// Decode reads an i row's payload (after the length word, starting with the
// "NodeInfo" tag) of any known layout.
func (dst *NodeInfo) Decode(src []byte) error {
	_, err := dst.decode(src)
	return err
}

// decode also reports the layout recognised by the number of fields:
// 11 (4.3.0), 12 (4.3.x), 13 (4.4 and later).
func (dst *NodeInfo) decode(src []byte) (Layout, error) {
	fields, err := splitCStrings(src)
	if err != nil {
		return LayoutUnknown, malformed('i', err)
	}
	if len(fields) == 0 || fields[0] != nodeInfoTag {
		return LayoutUnknown, malformed('i', fmt.Errorf("not a NodeInfo row"))
	}
	fields = fields[1:]
	var layout Layout
	switch len(fields) {
	case 11, 12:
		layout = Layout43
	case 13:
		layout = Layout44
	default:
		return LayoutUnknown, malformed('i', fmt.Errorf("NodeInfo row with %d fields, expected 11, 12 or 13", len(fields)))
	}
	d := fieldDecoder{fields: fields, what: "NodeInfo"}
	var n NodeInfo
	n.Hostname = d.str()
	n.Port = d.int()
	n.Status = NodeStatus(d.int())
	if len(fields) >= 12 {
		n.Quarantine = d.bool()
	}
	n.PGStatus = d.str()
	n.Weight = d.float() / randMax
	n.Role = Role(d.int())
	n.PGRole = d.str()
	if len(fields) == 13 {
		n.StandbyDelayByTime = d.bool()
	}
	n.StandbyDelay = d.int64()
	n.ReplicationState = d.str()
	n.ReplicationSyncState = d.str()
	if sec := d.int64(); sec != 0 {
		n.StatusChanged = time.Unix(sec, 0)
	}
	if err := d.done(); err != nil {
		return LayoutUnknown, malformed('i', err)
	}
	*dst = n
	return layout, nil
}
