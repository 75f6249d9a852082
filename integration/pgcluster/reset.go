package pgcluster

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Reset brings a shared cluster back to the state it was created in, for
// the next test. It fails the test when that is not possible. After Reset:
//
//   - every node is running; node 0 is the only primary; every other node
//     is a standby streaming from node 0 through its slot "node<i>" with
//     application_name "node<i>" (a standby that cannot get there — e.g. it
//     was promoted or follows another node — is rebuilt from node 0 with a
//     new base backup; if node 0 itself cannot be started, the whole cluster
//     is re-created on the same ports);
//   - no client session is connected to any node (walsenders excepted);
//   - databases and roles created since the cluster was created are
//     dropped; in database test every schema but the system ones is dropped
//     and schema public is re-created as PostgreSQL 15 makes it, with
//     Options.Users granted on it; ALTER DATABASE test settings are reset;
//   - pg_hba.conf holds the rules of Options.HBA again;
//   - every standby has replayed all of the above.
//
// Not undone: data in the postgres database, ALTER SYSTEM, ALTER ROLE of the
// original roles, and edits to configuration files other than pg_hba.conf.
// When nothing needs repair it costs a few connections (milliseconds).
func (c *Cluster) Reset(t testing.TB) {
	t.Helper()
	if err := c.reset(); err != nil {
		t.Fatalf("pgcluster: reset: %v\n%s", err, c.LogTails(20))
	}
}

func (c *Cluster) reset() error {
	if err := c.restoreTopology(); err != nil {
		return err
	}
	p := c.nodes[0]
	if err := c.writeHBA(c.hba); err != nil {
		return err
	}
	for _, n := range c.nodes {
		if err := n.adminExec("postgres", `select count(pg_terminate_backend(pid, 10000)) from pg_stat_activity
			where backend_type = 'client backend' and pid <> pg_backend_pid()`); err != nil {
			return fmt.Errorf("terminate sessions: %w", err)
		}
	}
	dbs, err := p.queryStrings("postgres", "select datname from pg_database where not (datname = any($1)) order by 1", c.baseDBs)
	if err != nil {
		return err
	}
	for _, db := range dbs {
		if err := p.adminExec("postgres", "drop database "+quoteIdent(db)+" with (force)"); err != nil {
			return err
		}
	}
	// Schemas first: roles cannot be dropped while they own objects.
	var sql strings.Builder
	schemas, err := p.queryStrings(Database, `select nspname from pg_namespace
		where nspname not like 'pg\_%' and nspname <> 'information_schema' order by 1`)
	if err != nil {
		return err
	}
	for _, s := range schemas {
		fmt.Fprintf(&sql, "drop schema %s cascade;\n", quoteIdent(s))
	}
	// As initdb makes it in PostgreSQL 15.
	sql.WriteString("create schema public authorization pg_database_owner;\n")
	sql.WriteString("grant usage on schema public to public;\n")
	sql.WriteString("comment on schema public is 'standard public schema';\n")
	for _, u := range c.opts.Users {
		fmt.Fprintf(&sql, "grant all on schema public to %s;\n", quoteIdent(u.Name))
	}
	sql.WriteString("alter database " + Database + " reset all;\n")
	if err := p.adminExec(Database, sql.String()); err != nil {
		return err
	}
	roles, err := p.queryStrings("postgres", "select rolname from pg_roles where not (rolname = any($1)) order by 1", c.baseRoles)
	if err != nil {
		return err
	}
	for _, r := range roles {
		for _, db := range []string{Database, "postgres"} {
			if err := p.adminExec(db, "drop owned by "+quoteIdent(r)); err != nil {
				return err
			}
		}
		if err := p.adminExec("postgres", "drop role "+quoteIdent(r)); err != nil {
			return err
		}
	}
	return c.WaitReplay()
}

// restoreTopology makes node 0 the running primary and every other node a
// running standby that streams from it.
func (c *Cluster) restoreTopology() error {
	if c.topologyOK() {
		return nil
	}
	p := c.nodes[0]
	if err := c.makePrimary(p); err != nil {
		// Node 0 is beyond repair (its data directory is gone or damaged):
		// start over, keeping the ports that pgpool configs refer to.
		for _, n := range c.nodes {
			if err := n.Stop(Immediate); err != nil {
				if kerr := n.Kill(); kerr != nil {
					return errors.Join(err, kerr)
				}
			}
		}
		if cerr := c.create(); cerr != nil {
			return fmt.Errorf("node0 cannot be made primary (%w); re-creating the cluster failed: %w", err, cerr)
		}
		return nil
	}
	for _, n := range c.nodes[1:] {
		if err := c.makeStandby(p, n); err != nil {
			return err
		}
	}
	return nil
}

// topologyOK is the fast path: node 0 runs and is not in recovery, and
// every other node shows up as streaming in node 0's pg_stat_replication.
func (c *Cluster) topologyOK() bool {
	p := c.nodes[0]
	if !p.IsRunning() {
		return false
	}
	if rec, err := p.IsInRecovery(); err != nil || rec {
		return false
	}
	names, err := p.queryStrings("postgres", "select application_name from pg_stat_replication where state = 'streaming'")
	if err != nil {
		return false
	}
	for _, n := range c.nodes[1:] {
		if !slices.Contains(names, n.name) || !n.IsRunning() {
			return false
		}
		if rec, err := n.IsInRecovery(); err != nil || !rec {
			return false
		}
	}
	return true
}

// makePrimary starts node p if needed and promotes it if it is a standby.
func (c *Cluster) makePrimary(p *Node) error {
	if !p.IsRunning() {
		if err := p.Start(); err != nil {
			return err
		}
	}
	rec, err := p.IsInRecovery()
	if err != nil {
		return err
	}
	if rec {
		return p.Promote()
	}
	return nil
}

// makeStandby makes n stream from p: start it if it is down and give it a
// moment to connect; rebuild it when it is a primary, fails to start, or
// does not stream from p.
func (c *Cluster) makeStandby(p, n *Node) error {
	if !n.IsRunning() {
		if err := n.Start(); err != nil {
			return c.buildStandby(p, n)
		}
	}
	if rec, err := n.IsInRecovery(); err != nil || !rec {
		return c.buildStandby(p, n)
	}
	// A standby that was merely stopped reconnects within milliseconds; one
	// on a diverged timeline or following another node never does.
	if WaitFor(5*time.Second, 20*time.Millisecond, func() error { return c.streaming(p, n) }) != nil {
		return c.buildStandby(p, n)
	}
	return nil
}
