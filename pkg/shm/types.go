package shm

// NodeStatus is a node's status as Pgpool-II's BACKEND_STATUS; the numeric
// values are Pgpool's because pcp_node_info sends them as digits.
type NodeStatus uint8

const (
	StatusUnused      NodeStatus = 0 // CON_UNUSED: slot not configured
	StatusConnectWait NodeStatus = 1 // CON_CONNECT_WAIT: configured, not yet connected ("waiting")
	StatusUp          NodeStatus = 2 // CON_UP
	StatusDown        NodeStatus = 3 // CON_DOWN (shown as "quarantine" when quarantined)
)

var nodeStatusNames = [...]string{"unused", "waiting", "up", "down"}

// String is the word SHOW pool_nodes prints (without the quarantine twist).
func (s NodeStatus) String() string {
	if int(s) < len(nodeStatusNames) {
		return nodeStatusNames[s]
	}
	return "unknown"
}

// Valid reports whether a node with this status may receive queries
// (Pgpool's VALID_BACKEND: up or waiting).
func (s NodeStatus) Valid() bool { return s == StatusUp || s == StatusConnectWait }

// Role is Pgpool-II's SERVER_ROLE, with its numeric values (pcp_node_info).
type Role uint8

const (
	RoleMain    Role = 0 // raw and replication modes: the main node
	RoleReplica Role = 1 // raw and replication modes: any other node
	RolePrimary Role = 2 // streaming replication: the primary
	RoleStandby Role = 3 // streaming replication: a standby
)

var roleNames = [...]string{"main", "replica", "primary", "standby"}

func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "unknown"
}

// ProcessStatus is what a child is doing (Pgpool's ProcessStatus), shown by
// SHOW pool_processes and pcp_proc_info.
type ProcessStatus uint8

const (
	ProcWaitForConnect ProcessStatus = iota
	ProcExecuteCommand
	ProcIdle
	ProcIdleInTransaction
	ProcConnecting
)

var processStatusNames = [...]string{"Wait for connection", "Execute command", "Idle", "Idle in transaction", "Connecting"}

func (s ProcessStatus) String() string {
	if int(s) < len(processStatusNames) {
		return processStatusNames[s]
	}
	return "Unknown"
}

// RequestKind is the kind of a queued request (Pgpool's POOL_REQUEST_KIND).
type RequestKind uint8

const (
	ReqNodeUp         RequestKind = 0 // failback / attach
	ReqNodeDown       RequestKind = 1 // failover / detach
	ReqNodeRecovery   RequestKind = 2
	ReqCloseIdle      RequestKind = 3 // children close idle pooled connections
	ReqPromoteNode    RequestKind = 4
	ReqNodeQuarantine RequestKind = 5
	// Requests beyond Pgpool's set, posted by the PCP process.
	ReqStop   RequestKind = 16 // Param: stop mode byte ('s', 'f', 'i')
	ReqReload RequestKind = 17
)

var requestKindNames = map[RequestKind]string{
	ReqNodeUp: "failback", ReqNodeDown: "failover", ReqNodeRecovery: "recovery",
	ReqCloseIdle: "close idle", ReqPromoteNode: "promote", ReqNodeQuarantine: "quarantine",
	ReqStop: "stop", ReqReload: "reload",
}

func (k RequestKind) String() string {
	if s, ok := requestKindNames[k]; ok {
		return s
	}
	return "unknown"
}

// RequestDetail holds Pgpool-II's REQ_DETAIL_* bits.
type RequestDetail uint8

const (
	DetailSwitchover RequestDetail = 0x01 // planned or non-fatal: allows a partial child restart
	DetailWatchdog   RequestDetail = 0x02
	DetailConfirmed  RequestDetail = 0x04 // no quorum vote needed
	DetailUpdate     RequestDetail = 0x08 // quarantine status update
	DetailPromote    RequestDetail = 0x10 // switchover promoting a given standby
)

// StatKind indexes the per-node statement counters (Pgpool's PER_NODE_STAT).
type StatKind uint8

const (
	StatSelect StatKind = iota
	StatInsert
	StatUpdate
	StatDelete
	StatDDL
	StatOther
	StatPanic
	StatFatal
	StatError
	numStats
)

// Recovery is the online-recovery state (Pgpool's InRecovery).
type Recovery int32

const (
	RecoveryInit    Recovery = 0
	RecoveryOnline  Recovery = 1
	RecoveryDetach  Recovery = 2
	RecoveryPromote Recovery = 3
)
