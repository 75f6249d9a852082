package router

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// classifyFallback describes sql with PostgreSQL's own grammar (pg_query,
// PostgreSQL 17) and a walker that applies Pgpool-II's send_to_where(),
// is_select_query() and select-walker rules to the parse tree. It
// allocates; Classify uses it only when the fast path is unsure.
func classifyFallback(sql []byte, st *Statement) {
	tree, err := pg_query.Parse(string(sql))
	if err != nil {
		st.Flags |= FlagParseError
		return
	}
	stmts := tree.GetStmts()
	if len(stmts) == 0 {
		st.Flags |= FlagEmpty
		return
	}
	if len(stmts) > 1 {
		st.Flags |= FlagMulti
	}
	node := stmts[0].GetStmt()
	facts := collectNames(node, st)
	describe(node, st, facts)
	if node.GetSelectStmt() != nil {
		st.TerminatePID = facts.terminatePID
	}
}

// describe sets Cmd, Class, Tx and flags from the statement node, after
// send_to_where() (pool_query_context.c) and is_select_query()
// (pool_process_query.c).
func describe(node *pg_query.Node, st *Statement, facts treeFacts) {
	switch n := node.GetNode().(type) {
	case *pg_query.Node_SelectStmt:
		st.Cmd = CmdSelect
		s := n.SelectStmt
		if s.GetIntoClause() != nil {
			st.Flags |= FlagInto
		}
		if len(s.GetLockingClause()) > 0 {
			st.Flags |= FlagLocking
		}
		if w := s.GetWithClause(); w != nil {
			for _, cte := range w.GetCtes() {
				if cte.GetCommonTableExpr().GetCtequery().GetSelectStmt() == nil {
					st.Flags |= FlagWritableCTE
				}
			}
		}
		st.Class = ClassEither
		// pool_has_insertinto_or_locking_clause() walks the whole tree,
		// subqueries and CTEs included.
		if st.Flags&(FlagInto|FlagLocking|FlagWritableCTE) != 0 || facts.intoOrLocking {
			st.Class = ClassPrimary
		}
		if st.Flags&(FlagInto|FlagLocking|FlagWritableCTE) == 0 {
			st.Flags |= FlagReadSyntax
		}
	case *pg_query.Node_InsertStmt:
		st.Cmd, st.Class = CmdInsert, ClassPrimary
	case *pg_query.Node_UpdateStmt:
		st.Cmd, st.Class = CmdUpdate, ClassPrimary
	case *pg_query.Node_DeleteStmt:
		st.Cmd, st.Class = CmdDelete, ClassPrimary
	case *pg_query.Node_MergeStmt:
		st.Cmd, st.Class = CmdMerge, ClassPrimary
	case *pg_query.Node_CopyStmt:
		c := n.CopyStmt
		st.Cmd = CmdCopy
		if c.GetFilename() != "" || c.GetIsProgram() {
			st.Flags |= FlagCopyFile
		}
		q := c.GetQuery()
		switch {
		case c.GetIsFrom():
			st.Flags |= FlagCopyFrom
			st.Class = ClassPrimary
		case q == nil || q.GetSelectStmt() != nil:
			st.Class = ClassEither
			if !st.Flags.Has(FlagCopyFile) {
				st.Flags |= FlagReadSyntax
			}
		default:
			st.Class = ClassPrimary
		}
	case *pg_query.Node_LockStmt:
		st.Cmd = CmdLock
		st.LockMode = uint8(n.LockStmt.GetMode())
		if st.LockMode >= 3 { // RowExclusiveLock
			st.Class = ClassPrimary
		} else {
			st.Class = ClassBoth
		}
	case *pg_query.Node_TransactionStmt:
		describeTransaction(n.TransactionStmt, st)
	case *pg_query.Node_VariableSetStmt:
		describeSet(n.VariableSetStmt, st)
	case *pg_query.Node_DiscardStmt:
		st.Cmd, st.Class = CmdDiscard, ClassBoth
		switch n.DiscardStmt.GetTarget() {
		case pg_query.DiscardMode_DISCARD_ALL:
			st.Discard = DiscardAll
		case pg_query.DiscardMode_DISCARD_PLANS:
			st.Discard = DiscardPlans
		case pg_query.DiscardMode_DISCARD_SEQUENCES:
			st.Discard = DiscardSequences
		case pg_query.DiscardMode_DISCARD_TEMP:
			st.Discard = DiscardTemp
		}
	case *pg_query.Node_PrepareStmt:
		// The class of the body (send_to_where() recurses); since 4.5 the
		// read test looks at the body too, without the first-character
		// rule (reference §4.3, §4.4 step 5.2).
		var body Statement
		describe(n.PrepareStmt.GetQuery(), &body, facts)
		st.Cmd, st.Class, st.PrepareCmd = CmdPrepare, body.Class, body.Cmd
		st.Flags |= body.Flags & (FlagReadSyntax | FlagInto | FlagLocking | FlagWritableCTE |
			FlagCopyFrom | FlagCopyFile | FlagExplainAnalyze)
		st.setName([]byte(n.PrepareStmt.GetName()))
	case *pg_query.Node_ExecuteStmt:
		st.Cmd, st.Class = CmdExecute, ClassPrimary
		st.setName([]byte(n.ExecuteStmt.GetName()))
	case *pg_query.Node_DeallocateStmt:
		st.Cmd, st.Class = CmdDeallocate, ClassPrimary
		if n.DeallocateStmt.GetIsall() || n.DeallocateStmt.GetName() == "" {
			st.Flags |= FlagDeallocateAll
		} else {
			st.setName([]byte(n.DeallocateStmt.GetName()))
		}
	case *pg_query.Node_VariableShowStmt:
		st.Cmd, st.Class = CmdShow, ClassEither
		st.Flags |= FlagReadSyntax
		st.setName([]byte(n.VariableShowStmt.GetName()))
	case *pg_query.Node_ExplainStmt:
		// No EXPLAIN case in send_to_where(): primary (trap T1).
		st.Cmd, st.Class = CmdExplain, ClassPrimary
		analyze := false
		for _, o := range n.ExplainStmt.GetOptions() {
			if o.GetDefElem().GetDefname() == "analyze" {
				analyze = true
				break
			}
		}
		isSelect := n.ExplainStmt.GetQuery().GetSelectStmt() != nil
		if analyze {
			st.Flags |= FlagExplainAnalyze
		}
		if !analyze || isSelect {
			st.Flags |= FlagReadSyntax
		}
	case *pg_query.Node_ListenStmt:
		st.Cmd, st.Class = CmdListen, ClassPrimary
	case *pg_query.Node_UnlistenStmt:
		st.Cmd, st.Class = CmdUnlisten, ClassPrimary
	case *pg_query.Node_NotifyStmt:
		st.Cmd, st.Class = CmdNotify, ClassPrimary
	case *pg_query.Node_CreateStmt:
		st.Cmd, st.Class = CmdCreateTable, ClassPrimary
		if n.CreateStmt.GetRelation().GetRelpersistence() == "t" {
			st.Flags |= FlagTempTable
		}
	case *pg_query.Node_DropStmt:
		st.Class = ClassPrimary
		if n.DropStmt.GetRemoveType() == pg_query.ObjectType_OBJECT_TABLE {
			st.Cmd = CmdDropTable
			for _, obj := range n.DropStmt.GetObjects() {
				items := obj.GetList().GetItems()
				if len(items) == 0 {
					continue
				}
				var schema string
				if len(items) >= 2 {
					schema = items[len(items)-2].GetString_().GetSval()
				}
				st.addName(NameDropped, []byte(schema), []byte(items[len(items)-1].GetString_().GetSval()))
			}
		}
	case *pg_query.Node_DropdbStmt:
		st.Cmd, st.Class = CmdDropDatabase, ClassPrimary
	case *pg_query.Node_CheckPointStmt:
		st.Cmd, st.Class = CmdCheckpoint, ClassPrimary
	case *pg_query.Node_VacuumStmt:
		st.Cmd, st.Class = CmdVacuum, ClassPrimary
	case *pg_query.Node_LoadStmt:
		st.Cmd, st.Class = CmdLoad, ClassPrimary
	default:
		st.Cmd, st.Class = CmdOther, ClassPrimary
	}
}

func describeTransaction(t *pg_query.TransactionStmt, st *Statement) {
	st.Cmd, st.Class = CmdTransaction, ClassBoth
	switch t.GetKind() {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		st.Tx = TxBegin
		// is_read_write(): the first transaction_read_only option decides;
		// is_serializable(): any ISOLATION LEVEL SERIALIZABLE.
		readWrite, seen, serializable := false, false, false
		for _, o := range t.GetOptions() {
			d := o.GetDefElem()
			switch d.GetDefname() {
			case "transaction_read_only":
				if !seen {
					seen = true
					readWrite = d.GetArg().GetAConst().GetIval().GetIval() == 0
				}
			case "transaction_isolation":
				if d.GetArg().GetAConst().GetSval().GetSval() == "serializable" {
					serializable = true
				}
			}
		}
		if readWrite || serializable {
			st.Flags |= FlagBeginRewrite
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		st.Tx = TxCommit
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		st.Tx = TxRollback
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		st.Tx = TxSavepoint
	case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE:
		st.Tx = TxRelease
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		st.Tx = TxRollbackTo
	case pg_query.TransactionStmtKind_TRANS_STMT_PREPARE:
		st.Tx, st.Class = TxPrepare, ClassPrimary
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED:
		st.Tx, st.Class = TxCommitPrepared, ClassPrimary
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_PREPARED:
		st.Tx, st.Class = TxRollbackPrepared, ClassPrimary
	}
}

// describeSet applies the SET rules of send_to_where(),
// is_set_transaction_serializable() and pool_is_transaction_read_only().
func describeSet(s *pg_query.VariableSetStmt, st *Statement) {
	st.Cmd, st.Class = CmdSet, ClassBoth
	name := s.GetName()
	switch s.GetKind() {
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		for _, a := range s.GetArgs() {
			c := a.GetAConst()
			if c == nil {
				continue
			}
			sv, isStr := c.GetVal().(*pg_query.A_Const_Sval)
			iv, isInt := c.GetVal().(*pg_query.A_Const_Ival)
			switch name {
			case "transaction_read_only":
				switch {
				case isStr && eqFoldAnyString(sv.Sval.GetSval(), "off", "f", "false"):
					st.Class = ClassPrimary
				case isStr && eqFoldAnyString(sv.Sval.GetSval(), "on", "t", "true"):
					st.Flags |= FlagSetReadOnly
				case isInt && iv.Ival.GetIval() == 0:
					st.Class = ClassPrimary
				case isInt:
					st.Flags |= FlagSetReadOnly
				}
			case "transaction_isolation", "default_transaction_isolation":
				if isStr && strings.EqualFold(sv.Sval.GetSval(), "serializable") {
					st.Flags |= FlagSetSerializable
					st.Class = ClassPrimary
				}
			}
		}
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		if name != "TRANSACTION" && name != "SESSION CHARACTERISTICS" {
			return
		}
		for _, a := range s.GetArgs() {
			d := a.GetDefElem()
			switch d.GetDefname() {
			case "transaction_isolation", "default_transaction_isolation":
				if strings.EqualFold(d.GetArg().GetAConst().GetSval().GetSval(), "serializable") {
					st.Flags |= FlagSetSerializable
					st.Class = ClassPrimary
				}
			case "transaction_read_only":
				if d.GetArg().GetAConst().GetIval().GetIval() == 0 {
					st.Class = ClassPrimary // READ WRITE
				} else {
					st.Flags |= FlagSetReadOnly
				}
			}
		}
	}
}

func eqFoldAnyString(s string, opts ...string) bool {
	for _, o := range opts {
		if strings.EqualFold(s, o) {
			return true
		}
	}
	return false
}

// walk visits every message in the tree rooted at m, in field-number
// order, which for pg_query's messages is the order of PostgreSQL's
// struct fields and so of raw_expression_tree_walker(). visit returns
// false to stop.
func walk(m protoreflect.Message, visit func(protoreflect.Message) bool) bool {
	if !visit(m) {
		return false
	}
	d := m.Descriptor()
	fields := d.Fields()
	// pg_query.Node is one oneof over some 250 node types: ask which one
	// is set instead of testing every field.
	if oo := d.Oneofs(); oo.Len() == 1 && oo.Get(0).Fields().Len() == fields.Len() {
		fd := m.WhichOneof(oo.Get(0))
		if fd == nil || fd.Kind() != protoreflect.MessageKind {
			return true
		}
		return walk(m.Get(fd).Message(), visit)
	}
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.MessageKind || fd.IsMap() || !m.Has(fd) {
			continue
		}
		if fd.IsList() {
			l := m.Get(fd).List()
			for j := 0; j < l.Len(); j++ {
				if !walk(l.Get(j).Message(), visit) {
					return false
				}
			}
			continue
		}
		if !walk(m.Get(fd).Message(), visit) {
			return false
		}
	}
	return true
}

// treeFacts are what one walk over a statement finds.
type treeFacts struct {
	intoOrLocking bool  // pool_has_insertinto_or_locking_clause()
	terminatePID  int32 // pool_get_terminate_backend_pid()
}

// collectNames records every RangeVar and FuncCall of the statement and
// finds the facts Pgpool-II's select walkers look for.
func collectNames(node *pg_query.Node, st *Statement) treeFacts {
	var f treeFacts
	walk(node.ProtoReflect(), func(m protoreflect.Message) bool {
		switch v := m.Interface().(type) {
		case *pg_query.RangeVar:
			st.addName(NameRelation, []byte(v.GetSchemaname()), []byte(v.GetRelname()))
		case *pg_query.FuncCall:
			schema, name := funcName(v)
			st.addName(NameFunction, []byte(schema), []byte(name))
			// The first pg_terminate_backend(<integer constant>); Pgpool-II
			// keeps looking while the pid found is 0.
			if f.terminatePID == 0 && name == "pg_terminate_backend" {
				if args := v.GetArgs(); len(args) == 1 || len(args) == 2 {
					if iv, ok := args[0].GetAConst().GetVal().(*pg_query.A_Const_Ival); ok {
						f.terminatePID = iv.Ival.GetIval()
					}
				}
			}
		case *pg_query.IntoClause, *pg_query.LockingClause:
			f.intoOrLocking = true
		}
		return true
	})
	return f
}

// funcName is make_function_name_from_funccall(): name, schema.name, or
// for three parts the last two; longer names are not representable.
func funcName(f *pg_query.FuncCall) (schema, name string) {
	parts := f.GetFuncname()
	switch len(parts) {
	case 1:
		return "", parts[0].GetString_().GetSval()
	case 2:
		return parts[0].GetString_().GetSval(), parts[1].GetString_().GetSval()
	case 3:
		return parts[1].GetString_().GetSval(), parts[2].GetString_().GetSval()
	}
	return "", ""
}
