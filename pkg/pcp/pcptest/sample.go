package pcptest

import (
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/pcp"
)

// SampleHandler returns a Handler describing a three-node streaming cluster
// with two children, one of them serving a client, and a watchdog of two
// pgpools: enough variety for every output format.
func SampleHandler() *Handler {
	changed := time.Date(2024, 3, 5, 14, 51, 30, 0, time.Local)
	return &Handler{
		PrimaryNode: 0,
		Nodes: []pcp.NodeInfo{
			{Hostname: "/tmp", Port: 11002, Status: pcp.NodeUp, PGStatus: pcp.PGStatusUp, Weight: 0.5,
				Role: pcp.RolePrimary, PGRole: "primary", StatusChanged: changed},
			{Hostname: "localhost", Port: 11003, Status: pcp.NodeWaiting, PGStatus: pcp.PGStatusUp, Weight: 0.25,
				Role: pcp.RoleStandby, PGRole: "standby", StandbyDelay: 1024, ReplicationState: "streaming",
				ReplicationSyncState: "async", StatusChanged: changed.Add(time.Second)},
			{Hostname: "10.0.0.3", Port: 5432, Status: pcp.NodeDown, Quarantine: true, PGStatus: pcp.PGStatusDown,
				Weight: 0.25, Role: pcp.RoleStandby, PGRole: pcp.PGRoleUnknown, StatusChanged: changed.Add(2 * time.Second)},
		},
		Stats: []pcp.HealthCheckStats{
			{NodeID: 0, Hostname: "/tmp", Port: 11002, Status: "up", Role: "primary",
				LastStatusChange: "2024-03-05 14:51:30", TotalCount: 10, SuccessCount: 9, FailCount: 1,
				RetryCount: 2, AverageRetryCount: 0.2, MaxRetryCount: 2, MaxDuration: 1004, MinDuration: 1,
				AverageDuration: 101.5, LastHealthCheck: "2024-03-05 15:00:00",
				LastSuccessfulHealthCheck: "2024-03-05 15:00:00", LastFailedHealthCheck: "2024-03-05 14:59:50"},
			{NodeID: 1, Hostname: "localhost", Port: 11003, Status: "waiting", Role: "standby",
				LastStatusChange: "2024-03-05 14:51:31"},
		},
		Processes: []pcp.ProcessInfo{
			{PID: 4242, StartTime: "2024-03-05 14:50:00", ClientConnectionCount: 3, PoolID: 0, BackendID: 0,
				Database: "app", Username: "alice", BackendConnectionTime: "2024-03-05 14:52:00",
				ClientConnectionTime: "2024-03-05 14:53:00", ClientIdleDuration: "5", MajorVersion: 3,
				PoolCounter: 2, BackendPID: 777, Connected: true, Status: "Idle", LoadBalanceNode: true,
				ClientHost: "127.0.0.1", ClientPort: "40000", Statement: "SELECT 1"},
			{PID: 4242, StartTime: "2024-03-05 14:50:00", ClientConnectionCount: 3, PoolID: 0, BackendID: 1,
				Database: "app", Username: "alice", BackendConnectionTime: "2024-03-05 14:52:00",
				ClientConnectionTime: "2024-03-05 14:53:00", ClientIdleDuration: "5", MajorVersion: 3,
				PoolCounter: 2, BackendPID: 778, Connected: true, Status: "Idle",
				ClientHost: "127.0.0.1", ClientPort: "40000"},
			{PID: 4243, StartTime: "2024-03-05 14:50:00 (4:55 before process restarting)", PoolID: 0,
				BackendID: 0, ClientIdleDuration: "0", Status: "Wait for connection"},
			{PID: 4243, StartTime: "2024-03-05 14:50:00 (4:55 before process restarting)", PoolID: 0,
				BackendID: 1, ClientIdleDuration: "0", Status: "Wait for connection"},
		},
		Status: []pcp.StatusRow{
			{Name: "backend_clustering_mode", Value: "1", Desc: "clustering mode"},
			{Name: "listen_addresses", Value: "localhost", Desc: "host name(s) or IP address(es) to listen on"},
			{Name: "port", Value: "11000", Desc: "pgpool accepting port number"},
			{Name: "backend_weight0", Value: "0.500000", Desc: "weight of backend #0"},
		},
		Watchdog: &pcp.WatchdogInfo{
			RemoteNodeCount: 1, MemberRemoteNodeCount: 1, NodesRequireForQuorum: 1,
			QuorumStatus: pcp.QuorumExists, AliveNodeCount: 1, Escalated: true,
			LeaderNodeName: "localhost:11000 Linux host1", LeaderHostName: "localhost",
			Nodes: []pcp.WatchdogNode{
				{ID: 0, State: 4, StateName: "LEADER", Membership: 0, MembershipString: "MEMBER",
					NodeName: "localhost:11000 Linux host1", HostName: "localhost", DelegateIP: "Not_Set",
					WdPort: 21004, PgpoolPort: 11000, Priority: 1, LifecheckStarted: true},
				{ID: 1, State: 7, StateName: "STANDBY", Membership: 0, MembershipString: "MEMBER",
					NodeName: "localhost:11100 Linux host2", HostName: "localhost", DelegateIP: "Not_Set",
					WdPort: 21104, PgpoolPort: 11100, Priority: 1},
			},
		},
	}
}
