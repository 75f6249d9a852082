// Package router decides where each statement goes, as Pgpool-II does in
// streaming-replication mode (reference/pgpool-core.md §4).
//
// # Pieces
//
//   - Classify describes the SQL text of a Query or Parse message in a
//     caller-owned Statement: syntactic class (§4.3), statistics kind,
//     transaction effect, BEGIN rewrite, SET effects, PREPARE/EXECUTE/
//     DEALLOCATE names, relations and functions referenced, the
//     is_select_query() answer including the first-character rule. A
//     pure-Go lexer and a small parser handle the common shapes without
//     allocating; anything else goes to PostgreSQL's own grammar
//     (pg_query_go), whose answer is authoritative. FuzzFastPath checks
//     that the two never disagree.
//   - Session holds one client session's routing state; Session.Route
//     applies the decision procedure of §4.4, in order, and returns a
//     Destination (a node set, the LB node to record, the BEGIN rewrite
//     flag). Catalog lookups (system catalog, temporary and unlogged
//     tables, volatile functions) go through the Catalog interface on a
//     Cache miss; the SQL is Pgpool-II's (SystemCatalogQuery etc.).
//   - SelectLoadBalancingNode chooses a session's load-balance node by
//     weight, redirect lists and replication delay (§4.2).
//   - Session.CommandSucceeded, Executed, ErrorReceived and CommandTag keep
//     the write-tracking state of disable_load_balance_on_write (§4.5).
//
// # Calling protocol (one child process, one session at a time)
//
// Per process: opts, _ := NewOptions(cfg); cache := NewCache(relcache_size,
// relcache_expire); a rand source seeded once.
//
// Per session: s := &Session{Opts: opts, Cache: cache, Rand: rnd, Client:
// Client{AppName, Database, User}}; s.Start(&cluster) picks the LB node.
// If that node goes down mid-session, call s.SelectLBNode(&cluster).
//
// Per Query message:
//
//	Classify(sql, opts, &st)          // st reused for the whole session
//	env.Query, env.PrimaryTx = sql, primaryState
//	env.TerminateNode = owner of st.TerminatePID, or -1
//	env.Prepared = stored entry for the EXECUTE/DEALLOCATE name, or nil
//	dest, err := s.Route(&st, &env)   // err: log it; dest is the primary
//	eff := st.Effect()                 // keep until ReadyForQuery
//	... send to dest.Nodes (dest.RewriteBegin: standbys get "BEGIN";
//	    dest.SkipIdle for COMMIT/ROLLBACK) ...
//	s.CommandTag(tag, st.Flags.Has(FlagMulti)) for each CommandComplete
//	s.ErrorReceived(primaryState) on ErrorResponse
//	s.CommandSucceeded(&eff, stateInReadyForQuery) if it succeeded
//
// Per Parse: the same Classify and Route with env.NamedParse set; store
// Prepared{Dest: dest, Effect: st.Effect()} under the statement name
// (Prepared.SQL for an SQL PREPARE). Bind, Describe and Execute reuse the
// stored destination (call s.NeedsParseOnPrimary at Bind; with
// dest.RerouteAtBind, route the statement's SQL again at each Bind); at
// Execute call
// s.Executed(&p.Effect, primaryState), at its CommandComplete
// s.CommandSucceeded(&p.Effect, primaryState).
//
// # Lifetimes
//
// Classify does not retain sql. A Statement's names (Name, NameAt) point
// into the Statement's own buffer and are valid until it is reused.
// Destination, Effect and Prepared hold no references into either and may
// be stored. Options are immutable; Cache and Session belong to one
// goroutine.
//
// # Deliberate differences from Pgpool-II
//
// Each is documented where it is implemented: ROLLBACK TO keeps the write
// history and the dml_adaptive write list; DROP TABLE only untraces the
// tables it names; catalog queries quote names instead of deleting double
// quotes; redirect node specs are case-insensitive and malformed entries
// are errors; blanks around list entries are ignored; with dml_adaptive a
// named statement is parsed only where it runs and routed again at every
// Bind (Destination.RerouteAtBind).
package router
