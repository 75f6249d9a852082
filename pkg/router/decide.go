package router

import "fmt"

// Env is what Route needs to know beyond the statement and the session.
// The caller owns it and may reuse it across statements.
type Env struct {
	Cluster *Cluster
	// PrimaryTx is the primary's transaction state: 'I', 'T' or 'E'.
	PrimaryTx byte
	// ProtoMajor is the client's protocol major version (3 normally).
	ProtoMajor int
	// Catalog answers catalog lookups on a cache miss.
	Catalog Catalog
	// Query is the statement's SQL text (for
	// primary_routing_query_pattern_list); only read during Route.
	Query []byte
	// TerminateNode is the node whose backend has pid st.TerminatePID
	// when that pid belongs to one of Pgpool's connections, else -1.
	TerminateNode int
	// Prepared is the stored entry of the PREPARE or Parse named by an
	// EXECUTE or DEALLOCATE (nil if unknown).
	Prepared *Prepared
	// NamedParse: the statement comes from a Parse with a statement name.
	NamedParse bool
	// NoTempTables: the session cannot have a temporary table, since no
	// client statement reached the primary's connection since it was
	// opened or reset with DISCARD (standbys cannot create one).
	// check_temp_table = catalog then needs no catalog lookup.
	NoTempTables bool
}

// Prepared is what the caller stores per prepared statement name (SQL
// PREPARE or a named Parse) and per portal: where it was sent, and its
// effect for write tracking.
type Prepared struct {
	Dest Destination
	// SQL: created by an SQL PREPARE (not a Parse message).
	SQL    bool
	Effect Effect
}

// Reason says which rule decided a destination (for debug logs).
type Reason uint8

const (
	ReasonLoadBalance      Reason = iota // sent to the load-balance node
	ReasonPrimaryClass                   // a write or other primary-only statement
	ReasonBoth                           // session state: primary and LB node
	ReasonMultiStatement                 // multi-statement query
	ReasonMultiStatementTx               // transaction begun in a multi-statement query
	ReasonWritingAlways                  // writing transaction, disable_load_balance_on_write = always
	ReasonLoadBalanceOff                 // load_balance_mode = off
	ReasonNotSelect                      // is_select_query() false (incl. the first-character test)
	ReasonProtocol                       // protocol version 2
	ReasonTransaction                    // writing, failed or serializable transaction
	ReasonSystemCatalog                  // system catalog referenced
	ReasonTempTable                      // temporary table referenced
	ReasonUnloggedTable                  // unlogged table referenced
	ReasonPattern                        // primary_routing_query_pattern_list matched
	ReasonWritingFunction                // writing function called
	ReasonDMLAdaptive                    // table written earlier in the transaction
	ReasonDelay                          // LB node over the delay threshold
	ReasonPrepared                       // EXECUTE/DEALLOCATE follows its PREPARE
	ReasonUnknownPrepared                // EXECUTE/DEALLOCATE of an unknown name
	ReasonTerminateBackend               // pg_terminate_backend() of a pooled backend
	ReasonCatalogError                   // a catalog lookup failed
)

var reasonNames = [...]string{"load balance", "primary-only statement", "session state statement",
	"multi-statement query", "transaction started by a multi-statement query",
	"writing transaction (always)", "load_balance_mode off", "not a read",
	"protocol version 2", "writing, failed or serializable transaction", "system catalog",
	"temporary table", "unlogged table", "primary_routing_query_pattern_list",
	"writing function", "table written in this transaction", "replication delay",
	"prepared statement", "unknown prepared statement", "pg_terminate_backend",
	"catalog lookup failed"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "unknown"
}

// Destination is where a statement goes.
type Destination struct {
	// Nodes receive the statement; Nodes.First() is the virtual main node
	// (the one whose reply is awaited first).
	Nodes NodeSet
	// LBNode is the load-balance node recorded with the statement
	// (query_context->load_balance_node_id).
	LBNode int
	// RewriteBegin: the primary gets the original BEGIN, the other nodes
	// a plain "BEGIN".
	RewriteBegin bool
	// PrepareOnPrimary: an EXECUTE whose PREPARE ran on a standby now runs
	// in a writing transaction; send the PREPARE to the primary first
	// (Pgpool-II's send_prepare) and store the primary as its destination.
	PrepareOnPrimary bool
	// RerouteAtBind: with disable_load_balance_on_write = dml_adaptive a
	// named statement is routed again, by its SQL, at each Bind, to where
	// it must run now (the tables written in the transaction since it was
	// parsed decide); a node that lacks it gets its Parse first.
	//
	// Pgpool-II instead parses it on the primary and the load-balance
	// node (pool_setall_node_to_be_sent in Parse) and routes it again at
	// Bind inside a transaction only. Outside one, 4.3.5 then executes it
	// on both nodes: a named INSERT fails on the standby and the session
	// ends with "kind mismatch among backends"; and a Parse that only the
	// primary can do (a temporary table) ends it at once.
	RerouteAtBind bool
	Reason        Reason
}

// Route decides where st goes, in the order of reference §4.4, and
// updates the session state the decision itself changes (dml_adaptive's
// write list, statement-level and delay-driven load-balance node changes).
// A non-nil error means a catalog lookup failed: the destination is then
// the primary, the safe choice; log the error and go on.
func (s *Session) Route(st *Statement, env *Env) (Destination, error) {
	d, err := s.route(st, env)
	// Write tracking needs to know whether a SELECT calls a writing
	// function even when routing did not ask (pool_at_command_success
	// asks for every SELECT).
	if err == nil && st.writeFns == 0 && st.Flags.Has(FlagReadSyntax) && st.nfunc > 0 {
		_, err = s.writingFunction(st, env)
	}
	if err != nil {
		d.Nodes = NodeSet{}
		d.Nodes.Add(env.Cluster.Primary())
		d.Reason = ReasonCatalogError
	}
	return d, err
}

func (s *Session) route(st *Statement, env *Env) (Destination, error) {
	c := env.Cluster
	primary := c.Primary()
	var d Destination
	d.LBNode = s.LBNode

	switch {
	case st.TerminatePID > 0 && env.TerminateNode >= 0:
		d.Nodes.Add(env.TerminateNode)
		d.Reason = ReasonTerminateBackend
		return d, nil
	case st.Flags.Has(FlagMulti):
		d.Nodes.Add(primary)
		d.Reason = ReasonMultiStatement
		return d, nil
	}

	// Step 1: dml_adaptive bookkeeping.
	if s.Opts.DisableLoadBalanceOnWrite == WriteDMLAdaptive {
		s.dmlAdaptive(st)
	}

	var err error
	switch st.Class {
	case ClassPrimary: // step 2
		d.Nodes.Add(primary)
		d.Reason = ReasonPrimaryClass
	case ClassBoth: // step 3
		if s.MultiStatementTx {
			d.Nodes.Add(primary)
			d.Reason = ReasonMultiStatementTx
		} else {
			d.Nodes = s.bothNodes(c)
			d.Reason = ReasonBoth
		}
	default:
		err = s.routeRead(st, env, &d)
	}
	d.LBNode = s.LBNode

	// EXECUTE and DEALLOCATE follow their PREPARE or Parse.
	switch st.Cmd {
	case CmdExecute:
		s.followPrepared(env, &d, true)
	case CmdDeallocate:
		if st.Flags.Has(FlagDeallocateAll) {
			d.Nodes = s.bothNodes(c)
			d.Reason = ReasonBoth
		} else {
			s.followPrepared(env, &d, false)
		}
	}
	// With dml_adaptive each Bind of a named statement routes it again.
	if env.NamedParse && s.Opts.DisableLoadBalanceOnWrite == WriteDMLAdaptive {
		d.RerouteAtBind = true
	}
	if st.Tx == TxBegin && st.Flags.Has(FlagBeginRewrite) {
		d.RewriteBegin = true
	}
	return d, err
}

// bothNodes expands a BOTH-class statement (pool_setall_node_to_be_sent):
// the primary only with load_balance_mode off; all valid nodes with
// statement_level_load_balance; else the primary and the LB node (trap
// T21: statement-level balancing does not apply with load balancing off).
func (s *Session) bothNodes(c *Cluster) NodeSet {
	var n NodeSet
	primary := c.Primary()
	switch {
	case !s.Opts.LoadBalanceMode:
		n.Add(primary)
	case s.Opts.StatementLevelLoadBalance:
		for i := range c.Nodes {
			if c.Nodes[i].Valid {
				n.Add(i)
			}
		}
	default:
		n.Add(primary)
		if c.valid(s.LBNode) {
			n.Add(s.LBNode)
		}
	}
	if n.Empty() && primary >= 0 {
		n.Add(primary)
	}
	return n
}

// followPrepared copies the destination of the PREPARE/Parse an EXECUTE or
// DEALLOCATE names; an unknown name goes to the primary only.
func (s *Session) followPrepared(env *Env, d *Destination, execute bool) {
	primary := env.Cluster.Primary()
	p := env.Prepared
	if p == nil {
		d.Nodes = NodeSet{}
		d.Nodes.Add(primary)
		d.Reason = ReasonUnknownPrepared
		return
	}
	d.Nodes, d.LBNode, d.Reason = p.Dest.Nodes, p.Dest.LBNode, ReasonPrepared
	if execute && p.SQL && s.NeedsParseOnPrimary(&p.Dest, env) {
		d.Nodes = NodeSet{}
		d.Nodes.Add(primary)
		d.LBNode = primary
		d.PrepareOnPrimary = true
	}
}

// routeRead applies steps 4 to 8 of §4.4 to an EITHER-class statement.
func (s *Session) routeRead(st *Statement, env *Env, d *Destination) error {
	o := s.Opts
	c := env.Cluster
	primary := c.Primary()
	toPrimary := func(r Reason) error {
		d.Nodes.Add(primary)
		d.Reason = r
		return nil
	}
	// Step 4.
	if s.Writing && o.DisableLoadBalanceOnWrite == WriteAlways {
		return toPrimary(ReasonWritingAlways)
	}
	// Step 5.
	switch {
	case !o.LoadBalanceMode:
		return toPrimary(ReasonLoadBalanceOff)
	case !st.IsSelect():
		return toPrimary(ReasonNotSelect)
	case env.ProtoMajor != 3:
		return toPrimary(ReasonProtocol)
	case env.PrimaryTx != 'I' && (s.Writing || s.Failed):
		return toPrimary(ReasonTransaction)
	}
	if env.PrimaryTx != 'I' {
		ser, err := s.serializable(env)
		if err != nil {
			return err
		}
		if ser {
			return toPrimary(ReasonTransaction)
		}
	}
	if st.nrel > 0 {
		if r, err := s.relationChecks(st, env); err != nil {
			return err
		} else if r != ReasonLoadBalance {
			return toPrimary(r)
		}
	}
	if len(o.PrimaryRoutingQueryPatterns) > 0 && s.matchesPrimaryPattern(env.Query) {
		return toPrimary(ReasonPattern)
	}
	if st.nfunc > 0 {
		w, err := s.writingFunction(st, env)
		if err != nil {
			return err
		}
		if w {
			return toPrimary(ReasonWritingFunction)
		}
	}
	if o.DisableLoadBalanceOnWrite == WriteDMLAdaptive && s.inTx && s.readsWrittenTable(st) {
		return toPrimary(ReasonDMLAdaptive)
	}
	// Step 6.
	if o.StatementLevelLoadBalance {
		s.SelectLBNode(c)
	}
	// Step 7.
	if checkReplicationDelay(c, o, s.LBNode) != 0 {
		if !o.PreferLowerDelayStandby {
			return toPrimary(ReasonDelay)
		}
		s.SelectLBNode(c)
	}
	// Step 8.
	d.Nodes.Add(s.LBNode)
	d.Reason = ReasonLoadBalance
	return nil
}

// serializable reports whether the open transaction is SERIALIZABLE,
// asking the primary (IsolationQuery) when no statement of the
// transaction has told it yet.
func (s *Session) serializable(env *Env) (bool, error) {
	if s.Serializable || s.isolationKnown {
		return s.Serializable, nil
	}
	c, ok := env.Catalog.(TxCatalog)
	if !ok {
		return false, fmt.Errorf("transaction isolation lookup: the catalog cannot query the primary")
	}
	var out [1]int64
	if err := c.QueryPrimary(IsolationQuery, out[:]); err != nil {
		return false, fmt.Errorf("transaction isolation lookup: %w", err)
	}
	s.Serializable, s.isolationKnown = out[0] == 1, true
	return s.Serializable, nil
}

// relationChecks runs steps 5.5 to 5.7 over the statement's relations:
// system catalog, temporary table, unlogged table, in that order for each
// relation (one combined catalog lookup per relation on a cache miss).
func (s *Session) relationChecks(st *Statement, env *Env) (Reason, error) {
	o := s.Opts
	need := factSystem
	if o.CheckTempTable == TempCatalog && !env.NoTempTables {
		need |= factTemp
	}
	if o.CheckUnloggedTable {
		need |= factUnlogged
	}
	found := uint8(0)
	traced := false
	for i := range st.names {
		if st.names[i].kind != NameRelation {
			continue
		}
		n := st.NameAt(i)
		if s.Cache == nil {
			return ReasonCatalogError, fmt.Errorf("catalog lookup for relation %q: no relation cache", n.Name)
		}
		f, err := s.Cache.relation(env.Catalog, s.Client.Database, n.Schema, n.Name, need)
		if err != nil {
			return ReasonCatalogError, err
		}
		found |= f
		if o.CheckTempTable == TempTrace && s.isTracedTemp(n.Name) {
			traced = true
		}
	}
	switch {
	case found&factSystem != 0:
		return ReasonSystemCatalog, nil
	case found&factTemp != 0 || traced:
		return ReasonTempTable, nil
	case found&factUnlogged != 0:
		return ReasonUnloggedTable, nil
	}
	return ReasonLoadBalance, nil
}

// matchesPrimaryPattern matches the query text, double quotes removed,
// against primary_routing_query_pattern_list.
func (s *Session) matchesPrimaryPattern(q []byte) bool {
	s.scratch = s.scratch[:0]
	for _, c := range q {
		if c != '"' {
			s.scratch = append(s.scratch, c)
		}
	}
	for i := range s.Opts.PrimaryRoutingQueryPatterns {
		if s.Opts.PrimaryRoutingQueryPatterns[i].Match(s.scratch) {
			return true
		}
	}
	return false
}

// writingFunction is pool_has_function_call() (§4.6), cached in st.
// Pgpool-II applies it to SELECT statements only; here it also covers the
// SELECT of a PREPARE or of COPY (SELECT ...) TO STDOUT, which Pgpool-II
// would send to a standby even with nextval() in them:
// with read_only_function_list set, every function not matching it
// writes; else with write_function_list set, those matching it; else
// (both empty) the volatile ones.
func (s *Session) writingFunction(st *Statement, env *Env) (bool, error) {
	if st.writeFns != 0 {
		return st.writeFns == 2, nil
	}
	o := s.Opts
	w := false
	for i := range st.names {
		if st.names[i].kind != NameFunction {
			continue
		}
		n := st.NameAt(i)
		switch {
		case len(o.ReadOnlyFunctions) > 0:
			w = !matchFunction(s, o.ReadOnlyFunctions, n)
		case len(o.WriteFunctions) > 0:
			w = matchFunction(s, o.WriteFunctions, n)
		default:
			if s.Cache == nil {
				return false, fmt.Errorf("catalog lookup for function %q: no relation cache", n.Name)
			}
			v, err := s.Cache.volatile(env.Catalog, s.Client.Database, n.Schema, n.Name)
			if err != nil {
				return false, err
			}
			w = v
		}
		if w {
			break
		}
	}
	st.writeFns = 1
	if w {
		st.writeFns = 2
	}
	return w, nil
}

// matchFunction matches "schema.name" or "name" (quotes removed, as
// pattern_compare() does) against a function list.
func matchFunction(s *Session, list []Pattern, n Name) bool {
	s.scratch = s.scratch[:0]
	if len(n.Schema) > 0 {
		s.scratch = appendNoQuotes(s.scratch, n.Schema)
		s.scratch = append(s.scratch, '.')
	}
	s.scratch = appendNoQuotes(s.scratch, n.Name)
	for i := range list {
		if list[i].Match(s.scratch) {
			return true
		}
	}
	return false
}

func appendNoQuotes(dst, b []byte) []byte {
	for _, c := range b {
		if c != '"' {
			dst = append(dst, c)
		}
	}
	return dst
}

// Effect returns what the session must remember about st for write
// tracking. Call it after Route, which settles the writing-function test.
// It allocates only for CREATE TEMP TABLE and DROP TABLE.
func (st *Statement) Effect() Effect {
	e := Effect{Kind: st.Kind, Cmd: st.Cmd, Tx: st.Tx, Flags: st.Flags, Discard: st.Discard,
		WritingFunction: st.writeFns == 2}
	if st.Cmd == CmdExplain {
		// is_select_query() checks functions for EXPLAIN ANALYZE SELECT
		// only; EXPLAIN without ANALYZE runs nothing.
		if st.Flags.Has(FlagExplainAnalyze) && e.WritingFunction {
			e.Flags &^= FlagReadSyntax
		}
		e.WritingFunction = false
	}
	switch {
	case st.Cmd == CmdCreateTable && st.Flags.Has(FlagTempTable):
		for i := range st.names {
			if st.names[i].kind == NameRelation {
				e.Temp = string(st.NameAt(i).Name)
				break
			}
		}
	case st.Cmd == CmdDropTable:
		for i := range st.names {
			if st.names[i].kind == NameDropped {
				e.Dropped = append(e.Dropped, string(st.NameAt(i).Name))
			}
		}
	}
	return e
}

// dmlAdaptive keeps the per-transaction write list of
// disable_load_balance_on_write = dml_adaptive (pool_query_context.c
// dml_adaptive()): BEGIN opens a transaction and clears the list, COMMIT
// and ROLLBACK close it; any other non-read statement adds the relations
// it references, and their dependents from
// dml_adaptive_object_relationship_list. Unlike Pgpool-II, ROLLBACK TO
// SAVEPOINT does not end the tracking: the transaction goes on.
func (s *Session) dmlAdaptive(st *Statement) {
	if st.Cmd == CmdTransaction {
		switch st.Tx {
		case TxBegin:
			s.inTx = true
			s.writeList = s.writeList[:0]
		case TxCommit, TxRollback:
			s.inTx = false
			s.writeList = s.writeList[:0]
		}
		return
	}
	if st.IsSelect() {
		// A SELECT's functions may write tables named in the relationship
		// list (check_object_relationship_list from the function walker).
		if s.inTx {
			for i := range st.names {
				if st.names[i].kind == NameFunction {
					s.addDependents(st.NameAt(i).Name, true)
				}
			}
		}
		return
	}
	if !s.inTx {
		return // the list is only read, and is emptied, within transactions
	}
	for i := range st.names {
		if st.names[i].kind != NameRelation {
			continue
		}
		n := st.NameAt(i).Name
		s.addWritten(n)
		s.addDependents(n, false)
	}
}

func (s *Session) addWritten(name []byte) {
	if s.inWriteList(name) {
		return
	}
	s.writeList = append(append(s.writeList, name...), 0)
}

func (s *Session) addDependents(name []byte, function bool) {
	for _, r := range s.Opts.DMLAdaptiveRelations {
		if r.LeftFunction == function && equalFold(name, r.Left) {
			s.addWritten([]byte(r.Right))
		}
	}
}

// inWriteList compares case-insensitively, as is_in_list() does.
func (s *Session) inWriteList(name []byte) bool {
	l := s.writeList
	for len(l) > 0 {
		i := 0
		for l[i] != 0 {
			i++
		}
		if equalFold(l[:i], name) {
			return true
		}
		l = l[i+1:]
	}
	return false
}

func (s *Session) readsWrittenTable(st *Statement) bool {
	for i := range st.names {
		if st.names[i].kind == NameRelation && s.inWriteList(st.NameAt(i).Name) {
			return true
		}
	}
	return false
}

// equalFold compares ASCII case-insensitively (SQL keywords and
// unquoted identifiers), without allocating.
func equalFold[T []byte | string](a []byte, b T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// NeedsParseOnPrimary reports whether a Bind of a statement Parse'd with
// destination p must first re-send the Parse to the primary ("parse
// before bind"): the session became a writing transaction after the
// statement was parsed on a standby only.
func (s *Session) NeedsParseOnPrimary(p *Destination, env *Env) bool {
	return !p.Nodes.Has(env.Cluster.Primary()) && s.Opts.LoadBalanceMode && s.Writing &&
		env.PrimaryTx == 'T' && s.Opts.DisableLoadBalanceOnWrite != WriteOff
}

// SkipIdle removes from d the nodes other than the primary whose
// transaction state is 'I', for COMMIT, ROLLBACK and ROLLBACK TO: a
// standby that never joined the transaction must not get them.
func (d *Destination) SkipIdle(tx TxEffect, primary int, state func(node int) byte) {
	if tx != TxCommit && tx != TxRollback && tx != TxRollbackTo {
		return
	}
	for id := d.Nodes.First(); id >= 0; id = d.Nodes.Next(id) {
		if id != primary && state(id) == 'I' {
			d.Nodes.Remove(id)
		}
	}
}
