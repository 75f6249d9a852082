package router

import "bytes"

// Session is the routing state of one client session (Pgpool-II's session
// context, reference §4.5). It is owned by the session's goroutine; the
// caller sets the configuration fields at session start and calls Start.
type Session struct {
	// Opts, Cache and Rand are per process: Opts immutable (a reload
	// builds a new one), Cache the process's relation cache, Rand its
	// random source (seeded once per process).
	Opts  *Options
	Cache *Cache
	Rand  func() float64
	// Client identifies the session for the redirect preference lists.
	Client Client

	// LBNode is the session's load-balance node.
	LBNode int
	// Writing: the current transaction has written (writing_transaction),
	// as disable_load_balance_on_write defines it.
	Writing bool
	// ReallyWriting: a write happened in the transaction, whatever the
	// mode (really_writing_transaction, for a query cache).
	ReallyWriting bool
	// Failed: an error occurred in the current transaction.
	Failed bool
	// Serializable: the transaction is SERIALIZABLE, as a successful SET
	// TRANSACTION ISOLATION LEVEL SERIALIZABLE (or an equivalent) said, or
	// as the primary answered when asked (isolationKnown).
	Serializable bool
	// isolationKnown: Serializable holds the primary's answer for the
	// open transaction (Pgpool-II's cached transaction_isolation; BEGIN,
	// COMMIT and ROLLBACK forget it).
	isolationKnown bool
	// MultiStatementTx: the open transaction was started by a BEGIN inside
	// a multi-statement query; BOTH-class statements go to the primary
	// only until it ends.
	MultiStatementTx bool

	// dml_adaptive: whether a transaction is open and the tables written
	// in it (NUL-separated in writeList).
	inTx      bool
	writeList []byte
	// check_temp_table = trace: temporary tables created in this session.
	temps []tempTable
	// scratch buffers reused by Route.
	scratch []byte
}

type tempState uint8

const (
	tempCreating  tempState = iota // created in the open transaction
	tempCommitted                  // exists
	tempDropping                   // dropped in the open transaction
)

type tempTable struct {
	name  string
	state tempState
}

// Start initialises the session's state and chooses its load-balance node
// (pool_init_session_context): by weight when load_balance_mode is on,
// else the primary. It also starts a new session in the relation cache.
func (s *Session) Start(c *Cluster) {
	s.Writing, s.ReallyWriting, s.Failed, s.Serializable, s.MultiStatementTx = false, false, false, false, false
	s.isolationKnown = false
	s.inTx = false
	s.writeList = s.writeList[:0]
	s.temps = s.temps[:0]
	if s.Cache != nil {
		s.Cache.NewSession()
	}
	s.SelectLBNode(c)
}

// SelectLBNode (re)chooses the load-balance node, e.g. after the current
// one went down mid-session.
func (s *Session) SelectLBNode(c *Cluster) int {
	if s.Opts.LoadBalanceMode {
		s.LBNode = SelectLoadBalancingNode(c, s.Opts, &s.Client, s.Rand)
	} else {
		s.LBNode = c.Primary()
	}
	return s.LBNode
}

// Effect is what the session code must remember about a statement until
// its outcome is known: at ReadyForQuery for a simple query, at Execute
// and CommandComplete for a Parse'd one (store it with the prepared
// statement). It holds no reference to the query text.
type Effect struct {
	// Kind is the statistics kind, counted per node at Execute.
	Kind    Kind
	Cmd     Cmd
	Tx      TxEffect
	Flags   Flags
	Discard Discard
	// WritingFunction: the SELECT calls a writing function (§4.6).
	WritingFunction bool
	// Temp is the table of CREATE TEMP TABLE and Dropped the tables of
	// DROP TABLE, kept only for check_temp_table = trace.
	Temp    string
	Dropped []string
}

// isWrite is Pgpool-II's test for a write: not is_select_query(), or a
// SELECT calling a writing function.
func (e *Effect) isWrite() bool {
	if !e.Flags.Has(FlagReadSyntax | FlagFirstCharOK) {
		return true
	}
	return e.WritingFunction
}

func (e *Effect) commitOrRollback() bool { return e.Tx == TxCommit || e.Tx == TxRollback }

// CommandSucceeded updates the write-tracking state after a statement
// succeeded (pool_at_command_success): for a simple query at
// ReadyForQuery, with the primary's transaction state that ReadyForQuery
// reports; for the extended protocol at CommandComplete, with the state
// known then.
//
//   - BEGIN, COMMIT, ROLLBACK clear Writing (except with trans_transaction
//     and always), Failed and Serializable. A BEGIN inside a transaction
//     succeeds with a warning and so also forgets the history (trap T17).
//     ROLLBACK TO does not clear them here, unlike Pgpool-II, whose
//     is_commit_or_rollback_query() counts it: forgetting the writes made
//     before the savepoint could send later reads of them to a standby.
//   - SET ... SERIALIZABLE sets Serializable.
//   - Any other write (see Effect) sets Writing when the primary is in a
//     transaction ('T'), or always with disable_load_balance_on_write =
//     always, unless it is a SET TRANSACTION READ ONLY-style statement.
func (s *Session) CommandSucceeded(e *Effect, primaryTx byte) {
	switch {
	case e.Tx == TxBegin || e.commitOrRollback():
		s.clearTxFlags()
	case e.Flags.Has(FlagSetSerializable):
		s.Serializable = true
	case e.TwoPhase():
		// The caller closes the standbys' transactions.
	case e.isWrite():
		s.noteWrite(e, primaryTx)
		if e.Cmd == CmdCreateTable && e.Flags.Has(FlagTempTable) && s.Cache != nil &&
			s.Opts.CheckTempTable == TempCatalog {
			// A new temp table may shadow a cached persistent one.
			s.Cache.NewSession()
		}
	}
	s.trackTempTables(e, primaryTx)
}

// Executed updates the write-tracking state when an Execute message is
// forwarded (extended protocol), before its result: BEGIN clears the
// transaction flags; a write, other than BEGIN, COMMIT or ROLLBACK, sets
// Writing under the same rule as CommandSucceeded, primaryTx being the
// primary's state before the statement.
func (s *Session) Executed(e *Effect, primaryTx byte) {
	if e.Tx == TxBegin {
		s.clearTxFlags()
		return
	}
	if e.commitOrRollback() {
		return
	}
	if e.isWrite() {
		s.noteWrite(e, primaryTx)
	}
}

func (s *Session) clearTxFlags() {
	switch s.Opts.DisableLoadBalanceOnWrite {
	case WriteTransTransaction, WriteAlways:
	default:
		s.Writing = false
	}
	s.ReallyWriting = false
	s.Failed = false
	s.Serializable = false
	s.isolationKnown = false
}

func (s *Session) noteWrite(e *Effect, primaryTx byte) {
	mode := s.Opts.DisableLoadBalanceOnWrite
	if primaryTx != 'T' && mode != WriteAlways {
		return
	}
	if e.Flags.Has(FlagSetReadOnly) {
		return
	}
	s.ReallyWriting = true
	if mode != WriteOff && mode != WriteDMLAdaptive {
		s.Writing = true
	}
}

// ErrorReceived records an ErrorResponse: with the primary not idle, the
// transaction is failed and reads stay on the primary until it ends.
func (s *Session) ErrorReceived(primaryTx byte) {
	if primaryTx != 'I' {
		s.Failed = true
	}
}

// CommandTag follows the CommandComplete tags of a query: a BEGIN inside a
// multi-statement query marks the transaction as started by one; COMMIT
// and ROLLBACK end that.
func (s *Session) CommandTag(tag []byte, multiStatement bool) {
	switch {
	case bytes.Equal(tag, []byte("BEGIN")) || bytes.Equal(tag, []byte("START TRANSACTION")):
		if multiStatement {
			s.MultiStatementTx = true
		}
	case bytes.Equal(tag, []byte("COMMIT")) || bytes.Equal(tag, []byte("ROLLBACK")):
		s.MultiStatementTx = false
	}
}

// trackTempTables keeps the check_temp_table = trace list: CREATE TEMP
// TABLE adds (pending until COMMIT inside a transaction), DROP TABLE marks
// dropped, COMMIT settles, ROLLBACK undoes, DISCARD ALL/TEMP forgets all.
// Pgpool-II's DROP TABLE handling drops every tracked table whatever the
// statement names; here only the named ones are dropped.
func (s *Session) trackTempTables(e *Effect, primaryTx byte) {
	if s.Opts.CheckTempTable != TempTrace {
		return
	}
	inTx := primaryTx == 'T'
	switch {
	case e.Cmd == CmdCreateTable && e.Flags.Has(FlagTempTable) && e.Temp != "":
		st := tempCommitted
		if inTx {
			st = tempCreating
		}
		s.temps = append(s.temps, tempTable{name: e.Temp, state: st})
	case e.Cmd == CmdDropTable:
		for _, d := range e.Dropped {
			for i := 0; i < len(s.temps); i++ {
				if s.temps[i].name != d {
					continue
				}
				if inTx {
					s.temps[i].state = tempDropping
				} else {
					s.temps = append(s.temps[:i], s.temps[i+1:]...)
					i--
				}
			}
		}
	case e.Tx == TxCommit:
		out := s.temps[:0]
		for _, t := range s.temps {
			switch t.state {
			case tempCreating:
				t.state = tempCommitted
			case tempDropping:
				continue
			}
			out = append(out, t)
		}
		s.temps = out
	case e.Tx == TxRollback:
		out := s.temps[:0]
		for _, t := range s.temps {
			switch t.state {
			case tempCreating:
				continue
			case tempDropping:
				t.state = tempCommitted
			}
			out = append(out, t)
		}
		s.temps = out
	case e.Cmd == CmdDiscard && (e.Discard == DiscardAll || e.Discard == DiscardTemp):
		s.temps = s.temps[:0]
	}
}

// isTracedTemp reports whether rel is a temporary table known to the trace.
func (s *Session) isTracedTemp(rel []byte) bool {
	for _, t := range s.temps {
		if (t.state == tempCreating || t.state == tempCommitted) && t.name == string(rel) {
			return true
		}
	}
	return false
}

// TwoPhase reports a PREPARE TRANSACTION, COMMIT PREPARED or ROLLBACK
// PREPARED: after it succeeds the caller commits any transaction still
// open on the standbys (they only saw the transaction's reads).
func (e *Effect) TwoPhase() bool {
	return e.Tx == TxPrepare || e.Tx == TxCommitPrepared || e.Tx == TxRollbackPrepared
}
