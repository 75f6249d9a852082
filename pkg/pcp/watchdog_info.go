package pcp

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// WatchdogInfoRequest (W) asks for the watchdog cluster and one of its nodes
// (WatchdogID ≥ 0; 0 is the local node) or all nodes (-1).
type WatchdogInfoRequest struct {
	WatchdogID int
}

func (*WatchdogInfoRequest) Type() byte { return 'W' }

func (src *WatchdogInfoRequest) Encode(dst []byte) ([]byte, error) {
	return appendIDRequest(dst, 'W', src.WatchdogID)
}

func (dst *WatchdogInfoRequest) Decode(src []byte) (err error) {
	dst.WatchdogID, err = decodeID('W', src)
	return err
}

// WatchdogInfo is the watchdog cluster as pcp_watchdog_info shows it
// (§1.5.5). It travels as "CommandComplete\0" and a JSON document with
// Pgpool's key names (get_node_list_json in src/watchdog/watchdog.c).
type WatchdogInfo struct {
	RemoteNodeCount       int
	MemberRemoteNodeCount int // -1 when the server does not say (before 4.3)
	NodesRequireForQuorum int // -1 when the server does not say
	QuorumStatus          int // 1 exists, 0 on the edge, -1 absent, -2 no leader known
	AliveNodeCount        int
	Escalated             bool
	LeaderNodeName        string // "Not Set" when there is no leader
	LeaderHostName        string
	Nodes                 []WatchdogNode // local node first
}

// WatchdogNode is one pgpool of the watchdog cluster.
type WatchdogNode struct {
	ID               int
	State            int // WD_STATES (§7.4)
	StateName        string
	Membership       int // 0 member, 1 revoked-shutdown, 2 revoked-no-show, 3 revoked-lost
	MembershipString string
	NodeName         string // "host:pgpoolport OS nodename"
	HostName         string
	DelegateIP       string // "Not_Set" when empty
	WdPort           int
	PgpoolPort       int
	Priority         int
	LifecheckStarted bool
}

// Watchdog quorum states (WatchdogInfo.QuorumStatus) and their names in
// pcp_watchdog_info -v.
const (
	QuorumExists   = 1
	QuorumOnEdge   = 0
	QuorumAbsent   = -1
	QuorumNoLeader = -2
)

// QuorumStatusName is the verbose pcp_watchdog_info text of a quorum status.
func QuorumStatusName(s int) string {
	switch s {
	case QuorumExists:
		return "QUORUM EXIST"
	case QuorumOnEdge:
		return "QUORUM IS ON THE EDGE"
	case QuorumAbsent:
		return "QUORUM ABSENT"
	case QuorumNoLeader:
		return "NO LEADER NODE"
	}
	return "UNKNOWN"
}

// The JSON shapes. Booleans are integers on the wire; the C client also
// accepts JSON booleans, and so do we.
type (
	wdClusterJSON struct {
		RemoteNodeCount       *int         `json:"RemoteNodeCount"`
		MemberRemoteNodeCount *int         `json:"MemberRemoteNodeCount"`
		NodesRequireForQuorum *int         `json:"NodesRequireForQuorum"`
		QuorumStatus          *int         `json:"QuorumStatus"`
		AliveNodeCount        *int         `json:"AliveNodeCount"`
		Escalated             *jsonFlag    `json:"Escalated"`
		LeaderNodeName        *string      `json:"LeaderNodeName"`
		LeaderHostName        *string      `json:"LeaderHostName"`
		NodeCount             *int         `json:"NodeCount"`
		WatchdogNodes         []wdNodeJSON `json:"WatchdogNodes"`
	}
	wdNodeJSON struct {
		ID               *int      `json:"ID"`
		State            *int      `json:"State"`
		NodeName         *string   `json:"NodeName"`
		HostName         *string   `json:"HostName"`
		StateName        *string   `json:"StateName"`
		DelegateIP       *string   `json:"DelegateIP"`
		WdPort           *int      `json:"WdPort"`
		PgpoolPort       *int      `json:"PgpoolPort"`
		Priority         *int      `json:"Priority"`
		Membership       *int      `json:"Membership,omitempty"`
		MembershipString *string   `json:"MembershipString,omitempty"`
		LifecheckStarted *jsonFlag `json:"LifecheckStarted,omitempty"`
	}
)

// jsonFlag is a boolean written as 0/1 and read from an integer or a boolean.
type jsonFlag bool

func (f jsonFlag) MarshalJSON() ([]byte, error) {
	if f {
		return []byte("1"), nil
	}
	return []byte("0"), nil
}

func (f *jsonFlag) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true":
		*f = true
		return nil
	case "false":
		*f = false
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("flag is neither integer nor boolean: %s", b)
	}
	*f = n != 0
	return nil
}

// MarshalJSON writes Pgpool's document.
func (src *WatchdogInfo) MarshalJSON() ([]byte, error) {
	esc := jsonFlag(src.Escalated)
	count := len(src.Nodes)
	c := wdClusterJSON{
		RemoteNodeCount:       &src.RemoteNodeCount,
		MemberRemoteNodeCount: &src.MemberRemoteNodeCount,
		NodesRequireForQuorum: &src.NodesRequireForQuorum,
		QuorumStatus:          &src.QuorumStatus,
		AliveNodeCount:        &src.AliveNodeCount,
		Escalated:             &esc,
		LeaderNodeName:        &src.LeaderNodeName,
		LeaderHostName:        &src.LeaderHostName,
		NodeCount:             &count,
		WatchdogNodes:         make([]wdNodeJSON, count),
	}
	for i := range src.Nodes {
		n := &src.Nodes[i]
		lc := jsonFlag(n.LifecheckStarted)
		c.WatchdogNodes[i] = wdNodeJSON{
			ID: &n.ID, State: &n.State, NodeName: &n.NodeName, HostName: &n.HostName,
			StateName: &n.StateName, DelegateIP: &n.DelegateIP, WdPort: &n.WdPort,
			PgpoolPort: &n.PgpoolPort, Priority: &n.Priority, Membership: &n.Membership,
			MembershipString: &n.MembershipString, LifecheckStarted: &lc,
		}
	}
	return json.Marshal(&c)
}

// UnmarshalJSON reads the document with libpcp's rules: the keys it requires
// must be there, NodeCount must match the array, the membership keys (4.3+)
// and LifecheckStarted (after 4.7) are optional.
func (dst *WatchdogInfo) UnmarshalJSON(b []byte) error {
	var c wdClusterJSON
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	if c.NodeCount == nil || c.RemoteNodeCount == nil || c.QuorumStatus == nil ||
		c.AliveNodeCount == nil || c.Escalated == nil || c.LeaderNodeName == nil ||
		c.LeaderHostName == nil || c.WatchdogNodes == nil {
		return fmt.Errorf("watchdog document lacks a required key")
	}
	if *c.NodeCount != len(c.WatchdogNodes) {
		return fmt.Errorf("watchdog document has NodeCount %d but %d nodes", *c.NodeCount, len(c.WatchdogNodes))
	}
	w := WatchdogInfo{
		RemoteNodeCount:       *c.RemoteNodeCount,
		MemberRemoteNodeCount: intOr(c.MemberRemoteNodeCount, -1),
		NodesRequireForQuorum: intOr(c.NodesRequireForQuorum, -1),
		QuorumStatus:          *c.QuorumStatus,
		AliveNodeCount:        *c.AliveNodeCount,
		Escalated:             bool(*c.Escalated),
		LeaderNodeName:        *c.LeaderNodeName,
		LeaderHostName:        *c.LeaderHostName,
		Nodes:                 make([]WatchdogNode, len(c.WatchdogNodes)),
	}
	for i, n := range c.WatchdogNodes {
		if n.ID == nil || n.NodeName == nil || n.HostName == nil || n.DelegateIP == nil ||
			n.WdPort == nil || n.PgpoolPort == nil || n.State == nil || n.StateName == nil ||
			n.Priority == nil {
			return fmt.Errorf("watchdog node %d lacks a required key", i)
		}
		w.Nodes[i] = WatchdogNode{
			ID: *n.ID, State: *n.State, StateName: *n.StateName,
			Membership:       intOr(n.Membership, 0),
			MembershipString: "NOT-Available",
			NodeName:         *n.NodeName, HostName: *n.HostName, DelegateIP: *n.DelegateIP,
			WdPort: *n.WdPort, PgpoolPort: *n.PgpoolPort, Priority: *n.Priority,
		}
		if n.MembershipString != nil {
			w.Nodes[i].MembershipString = *n.MembershipString
		}
		if n.LifecheckStarted != nil {
			w.Nodes[i].LifecheckStarted = bool(*n.LifecheckStarted)
		}
	}
	*dst = w
	return nil
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// Encode appends the w reply.
func (src *WatchdogInfo) Encode(dst []byte) ([]byte, error) {
	doc, err := src.MarshalJSON()
	if err != nil {
		return dst, fmt.Errorf("pcp: encode watchdog info: %w", err)
	}
	dst, sp := beginPacket(dst, 'w')
	dst = appendCString(dst, commandComplete)
	dst = append(dst, doc...)
	dst = append(dst, 0)
	return finishPacket(dst, sp), nil
}

// Decode reads the payload of a w reply.
func (dst *WatchdogInfo) Decode(src []byte) error {
	tag, rest, err := replyTag(src)
	if err != nil {
		return malformed('w', err)
	}
	if tag != commandComplete {
		return malformed('w', fmt.Errorf("command failed with reason: %q", tag))
	}
	if i := bytes.IndexByte(rest, 0); i >= 0 {
		rest = rest[:i]
	}
	if err := dst.UnmarshalJSON(rest); err != nil {
		return malformed('w', err)
	}
	return nil
}
