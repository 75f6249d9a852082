// Package pgcluster runs real PostgreSQL 15 streaming-replication clusters
// and pgpool daemons (pgpool-go's pgpoold, or Debian's Pgpool-II) for the
// integration tests.
//
// # Clusters
//
// A [Cluster] is one primary (node 0) and Options.Nodes-1 standbys made by
// pg_basebackup -R -X stream -C -S, all listening on 127.0.0.1 (never
// another interface) and on one unix socket directory, on ports picked free
// per cluster (a start that loses a port race picks another). Node i is
// named "node<i>" everywhere: data directory, cluster_name, replication slot
// on the primary, and the application_name of its walreceiver, which is what
// pg_stat_replication shows and what pgpool's backend_application_name<i>
// must match. Every cluster has a database "test" and the superuser
// "postgres"; authentication is trust for local and 127.0.0.1 unless
// Options.HBA says otherwise (the superuser on the unix socket is always
// trusted: the harness and the standbys use it). postgresql.conf has
// wal_level = replica, hot_standby, wal_log_hints (for pg_rewind), enough
// wal senders and slots, fsync off (Options.Fsync) and Options.ExtraConf;
// the per-node settings (port, cluster_name) live in node.conf, which
// postgresql.conf includes last — a recovery script that copies a data
// directory must rewrite it.
//
// The PostgreSQL programs come from $PGBIN, `pg_config --bindir` or
// /usr/lib/postgresql/15/bin; when none is there the test fails (it is
// never skipped). When the tests run as root, PostgreSQL and pgpool run as
// the OS user postgres (created if missing) and own their directories.
// Servers run in their own process groups with SIGKILL as parent-death
// signal: Close, a test's Cleanup, a SIGINT/SIGTERM of the test binary and
// even its death (go test -timeout) stop them.
//
// # Using it
//
// Creating a cluster takes a second or two, so a test package shares one,
// created by [Main] in TestMain, and every test starts with [Cluster.Reset]
// (see there for what it guarantees). Tests sharing a cluster must not call
// t.Parallel.
//
//	var cluster *pgcluster.Cluster
//
//	func TestMain(m *testing.M) {
//		pgcluster.Main(m, pgcluster.Options{}, func(c *pgcluster.Cluster) { cluster = c })
//	}
//
//	func TestReadGoesToStandby(t *testing.T) {
//		cluster.Reset(t)
//		pool := pgcluster.StartPgpoold(t, cluster, pgcluster.PgpoolOptions{
//			Params: map[string]string{"load_balance_mode": "on", "backend_weight0": "0"},
//		})
//		if err := cluster.Node(0).Exec("create table t (id int); insert into t values (1)"); err != nil {
//			t.Fatal(err)
//		}
//		if err := cluster.WaitReplay(); err != nil {
//			t.Fatal(err)
//		}
//		conn, err := pgx.Connect(ctx, pool.ConnString(pgcluster.Database, pgcluster.Superuser))
//		// ... query through pgpool, then check what the nodes saw:
//		pgcluster.Eventually(t, 10*time.Second, 50*time.Millisecond, func() error { ... })
//	}
//
// A test that needs its own cluster (other options, or one it may wreck)
// calls [New], which stops it at the end of the test. Failover tests use
// [Node.Stop], [Node.Kill], [Node.Start], [Node.Promote],
// [Cluster.RebuildStandby] and [Cluster.WaitReplay].
//
// # Pgpool
//
// [StartPgpoold] writes pgpool.conf (every node a backend, loopback only,
// all paths in a directory of its own, sr_check_user and health_check_user
// postgres), pcp.conf ([PCPUser]/[PCPPassword]), pool_hba.conf and an empty
// pool_passwd, starts BINARY -n -f pgpool.conf -F pcp.conf -a pool_hba.conf
// with its output in LogPath, and waits until "select 1" works through it.
// The binary is pgpoold built once per test binary by [BuildBinaries]
// (or taken from $PGPOOLGO_BIN), or any pgpool-compatible program, such as
// Debian's Pgpool-II 4.3 ([DebianPgpool] with Dialect [Pgpool43], which
// writes the 4.3 names of renamed parameters).
//
// Waits never sleep blindly: they poll with a deadline ([WaitFor],
// [Eventually]; a condition returns [Abort] when waiting cannot help).
// Process checks go by pid through /proc ([PidAlive], [ProcessTree],
// [Node.Pids], [Pgpool.Pids]), so a test can prove that what it stopped is
// gone.
//
// The helpers [Node.Exec] and [Node.QueryRow] open a superuser connection on
// the node's unix socket per call and wait for its backend to exit after
// closing it, so they never show up in a test's count of sessions. The
// harness's own writes (creating the cluster, Reset) use
// synchronous_commit = local, so that synchronous_standby_names in
// Options.ExtraConf cannot block them.
package pgcluster
