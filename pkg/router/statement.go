package router

// Class is the syntactic destination class of a statement, Pgpool-II's
// POOL_DEST from send_to_where() (reference/pgpool-core.md §4.3).
type Class uint8

const (
	// ClassPrimary: the statement may only run on the primary.
	ClassPrimary Class = iota
	// ClassEither: a read; it may be load balanced if §4.4 step 5 allows.
	ClassEither
	// ClassBoth: session state (BEGIN, SET, ...); primary and LB node.
	ClassBoth
)

var classNames = [...]string{"primary", "either", "both"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}

// Kind is the statement kind counted in the per-node statistics shown by
// SHOW pool_backend_stats (reference §2.6).
type Kind uint8

const (
	KindSelect Kind = iota
	KindInsert
	KindUpdate
	KindDelete
	KindDDL
	KindOther
)

var kindNames = [...]string{"select", "insert", "update", "delete", "ddl", "other"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// TxEffect is what a transaction-control statement does.
type TxEffect uint8

const (
	TxNone           TxEffect = iota
	TxBegin                   // BEGIN, START TRANSACTION
	TxCommit                  // COMMIT, END
	TxRollback                // ROLLBACK, ABORT
	TxSavepoint               // SAVEPOINT
	TxRelease                 // RELEASE [SAVEPOINT]
	TxRollbackTo              // ROLLBACK TO [SAVEPOINT]
	TxPrepare                 // PREPARE TRANSACTION
	TxCommitPrepared          // COMMIT PREPARED
	TxRollbackPrepared
)

var txNames = [...]string{"none", "begin", "commit", "rollback", "savepoint", "release",
	"rollback to", "prepare transaction", "commit prepared", "rollback prepared"}

func (t TxEffect) String() string {
	if int(t) < len(txNames) {
		return txNames[t]
	}
	return "unknown"
}

// Cmd is the statement's parse node type, reduced to what routing and the
// session code act on.
type Cmd uint8

const (
	CmdOther        Cmd = iota // any statement not listed below
	CmdSelect                  // SelectStmt (SELECT, WITH ... SELECT, VALUES, TABLE)
	CmdInsert                  // InsertStmt
	CmdUpdate                  // UpdateStmt
	CmdDelete                  // DeleteStmt
	CmdMerge                   // MergeStmt
	CmdTransaction             // TransactionStmt (see Statement.Tx)
	CmdSet                     // VariableSetStmt (SET, RESET, SET TRANSACTION ...)
	CmdShow                    // VariableShowStmt; Name() is the variable
	CmdCopy                    // CopyStmt
	CmdLock                    // LockStmt
	CmdPrepare                 // PREPARE name AS ...; Name() is the name
	CmdExecute                 // EXECUTE name; Name() is the name
	CmdDeallocate              // DEALLOCATE name | ALL; Name() is the name
	CmdDiscard                 // DISCARD ...; see Statement.Discard
	CmdExplain                 // ExplainStmt
	CmdListen                  // LISTEN
	CmdUnlisten                // UNLISTEN
	CmdNotify                  // NOTIFY
	CmdCreateTable             // CREATE TABLE (FlagTempTable when TEMP)
	CmdDropTable               // DROP TABLE; the dropped names are NameDropped
	CmdDropDatabase            // DROP DATABASE
	CmdCheckpoint              // CHECKPOINT
	CmdVacuum                  // VACUUM, ANALYZE
	CmdLoad                    // LOAD
	CmdPgpool                  // PGPOOL SHOW|SET|RESET ...; Name() is the rest of the text
)

var cmdNames = [...]string{"other", "select", "insert", "update", "delete", "merge",
	"transaction", "set", "show", "copy", "lock", "prepare", "execute", "deallocate",
	"discard", "explain", "listen", "unlisten", "notify", "create table", "drop table",
	"drop database", "checkpoint", "vacuum", "load", "pgpool"}

func (c Cmd) String() string {
	if int(c) < len(cmdNames) {
		return cmdNames[c]
	}
	return "unknown"
}

// Discard is the target of a DISCARD statement.
type Discard uint8

const (
	DiscardNone Discard = iota
	DiscardAll
	DiscardPlans
	DiscardSequences
	DiscardTemp
)

// Flags are facts about a statement. Unless noted, a flag describes the
// first statement of a multi-statement string, and for PREPARE the
// prepared body.
type Flags uint32

const (
	// FlagMulti: the string holds more than one statement (⇒ primary).
	FlagMulti Flags = 1 << iota
	// FlagParseError: PostgreSQL's grammar rejects the string; Pgpool
	// routes it as a DELETE ("Unable to parse the query").
	FlagParseError
	// FlagEmpty: no statement at all (only spaces, comments, ';'); Pgpool
	// routes it as a dummy SELECT.
	FlagEmpty
	// FlagReadSyntax: is_select_query() without its first-character test:
	// a SELECT without INTO, locking clause or data-modifying WITH, COPY
	// TO STDOUT, SHOW, EXPLAIN without ANALYZE (or ANALYZE of a SELECT,
	// subject to the writing-function test), a PREPAREd such statement.
	FlagReadSyntax
	// FlagFirstCharOK: the text passes §4.4 step 5.2's first-character
	// test (always set when allow_sql_comments is on, and for PREPARE).
	FlagFirstCharOK
	// FlagInto: SELECT ... INTO.
	FlagInto
	// FlagLocking: SELECT ... FOR UPDATE/SHARE/NO KEY UPDATE/KEY SHARE.
	FlagLocking
	// FlagWritableCTE: a WITH item that is not a SELECT.
	FlagWritableCTE
	// FlagCopyFrom: COPY ... FROM.
	FlagCopyFrom
	// FlagCopyFile: COPY to or from a file or program (not STDIN/STDOUT).
	FlagCopyFile
	// FlagExplainAnalyze: EXPLAIN ANALYZE.
	FlagExplainAnalyze
	// FlagBeginRewrite: BEGIN/START TRANSACTION with READ WRITE or
	// ISOLATION LEVEL SERIALIZABLE: standbys get a plain "BEGIN".
	FlagBeginRewrite
	// FlagSetSerializable: SET [SESSION CHARACTERISTICS AS] TRANSACTION
	// ISOLATION LEVEL SERIALIZABLE, SET [default_]transaction_isolation =
	// serializable (is_set_transaction_serializable).
	FlagSetSerializable
	// FlagSetReadOnly: SET transaction_read_only = on, SET [SESSION
	// CHARACTERISTICS AS] TRANSACTION READ ONLY: exempt from write tracking
	// (pool_is_transaction_read_only).
	FlagSetReadOnly
	// FlagTempTable: CREATE TEMP TABLE.
	FlagTempTable
	// FlagDeallocateAll: DEALLOCATE ALL.
	FlagDeallocateAll
)

// Has reports whether all of want are set.
func (f Flags) Has(want Flags) bool { return f&want == want }

// NameKind says what a name in a Statement denotes.
type NameKind uint8

const (
	NameRelation NameKind = iota // a RangeVar: table, view, CTE reference
	NameFunction                 // a FuncCall
	NameDropped                  // an object of DROP TABLE
)

// Name is a possibly schema-qualified identifier, normalised as PostgreSQL
// does (unquoted parts folded to lower case, quotes removed). The slices
// point into the Statement's own buffer: valid until the Statement is
// reused.
type Name struct {
	Kind   NameKind
	Schema []byte // empty if unqualified
	Name   []byte
}

type nameRef struct {
	kind               NameKind
	schemaOff, nameOff int32
	schemaLen, nameLen int32
}

// Statement describes one Query or Parse message for routing. It is owned
// by the caller and filled in place by Classify; reusing one Statement per
// session makes classification allocation-free once its buffers have
// grown. Nothing in it points into the SQL text passed to Classify.
type Statement struct {
	Class Class
	Kind  Kind
	Cmd   Cmd
	Tx    TxEffect
	Flags Flags
	// Discard is the DISCARD target when Cmd == CmdDiscard.
	Discard Discard
	// LockMode is the LOCK mode (1 ACCESS SHARE ... 8 ACCESS EXCLUSIVE)
	// when Cmd == CmdLock.
	LockMode uint8
	// PrepareCmd is the statement type of a PREPARE's body.
	PrepareCmd Cmd
	// TerminatePID is the integer constant of the first
	// pg_terminate_backend(<int>) call in a SELECT, or 0.
	TerminatePID int32
	// Fallback reports that the full parser produced this description.
	Fallback bool

	name     nameRef // PREPARE/EXECUTE/DEALLOCATE/SHOW/PGPOOL argument
	hasName  bool
	names    []nameRef
	buf      []byte
	nrel     int
	nfunc    int
	writeFns int8 // cached writing-function result: 0 unknown, 1 no, 2 yes
}

func (st *Statement) reset() {
	names, buf := st.names[:0], st.buf[:0]
	*st = Statement{names: names, buf: buf}
}

// IsSelect is Pgpool's is_select_query() for this statement with the
// options it was classified with, except for EXPLAIN ANALYZE SELECT whose
// writing-function test needs the catalog (see Session.Route).
func (st *Statement) IsSelect() bool {
	return st.Flags.Has(FlagReadSyntax | FlagFirstCharOK)
}

// Name returns the statement's name argument (PREPARE, EXECUTE and
// DEALLOCATE name, SHOW variable, the text after PGPOOL) and whether there
// is one. Valid until the Statement is reused.
func (st *Statement) Name() ([]byte, bool) {
	if !st.hasName {
		return nil, false
	}
	return st.buf[st.name.nameOff : st.name.nameOff+st.name.nameLen], true
}

// NumNames is the number of relation, function and dropped names.
func (st *Statement) NumNames() int { return len(st.names) }

// NameAt returns the i-th name. Valid until the Statement is reused.
func (st *Statement) NameAt(i int) Name {
	r := st.names[i]
	n := Name{Kind: r.kind, Name: st.buf[r.nameOff : r.nameOff+r.nameLen]}
	if r.schemaLen > 0 {
		n.Schema = st.buf[r.schemaOff : r.schemaOff+r.schemaLen]
	}
	return n
}

// Relations and Functions count the names of each kind.
func (st *Statement) Relations() int { return st.nrel }
func (st *Statement) Functions() int { return st.nfunc }

// addBytes appends b to the buffer and returns its offset.
func (st *Statement) addBytes(b []byte) int32 {
	off := int32(len(st.buf))
	st.buf = append(st.buf, b...)
	return off
}

// addName records a name unless an identical one is present. schema and
// name must already be normalised.
func (st *Statement) addName(kind NameKind, schema, name []byte) {
	for _, r := range st.names {
		if r.kind == kind && string(st.buf[r.nameOff:r.nameOff+r.nameLen]) == string(name) &&
			string(st.buf[r.schemaOff:r.schemaOff+r.schemaLen]) == string(schema) {
			return
		}
	}
	r := nameRef{kind: kind}
	r.schemaOff, r.schemaLen = st.addBytes(schema), int32(len(schema))
	r.nameOff, r.nameLen = st.addBytes(name), int32(len(name))
	st.names = append(st.names, r)
	switch kind {
	case NameRelation:
		st.nrel++
	case NameFunction:
		st.nfunc++
	}
}

func (st *Statement) setName(name []byte) {
	st.name = nameRef{nameOff: st.addBytes(name), nameLen: int32(len(name))}
	st.hasName = true
}

// kindOf maps a command to its statistics kind (reference §2.6).
func kindOf(c Cmd) Kind {
	switch c {
	case CmdSelect:
		return KindSelect
	case CmdInsert:
		return KindInsert
	case CmdUpdate:
		return KindUpdate
	case CmdDelete:
		return KindDelete
	case CmdTransaction, CmdSet, CmdShow, CmdLock, CmdPrepare, CmdExecute,
		CmdDeallocate, CmdDiscard, CmdExplain, CmdListen, CmdUnlisten,
		CmdNotify, CmdCheckpoint, CmdVacuum, CmdLoad:
		return KindOther
	}
	return KindDDL
}
