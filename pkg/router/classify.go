package router

import (
	"bytes"
	"unicode/utf8"
)

// Classify describes the SQL text of a simple Query or of a Parse message
// in st (reset first). sql is not retained: st copies the few names it
// keeps. o supplies allow_sql_comments and ignore_leading_white_space for
// the first-character test; nil means Pgpool-II's defaults.
//
// Common statement shapes are recognised by a pure-Go lexer and a small
// recursive-descent parser for a subset of PostgreSQL's grammar, without
// allocating. Whenever that parser is not certain that PostgreSQL's
// grammar produces the same parse tree, the statement goes to the real
// grammar (pg_query), whose result is authoritative (st.Fallback is set).
//
// Like PostgreSQL, the text ends at the first NUL byte.
func Classify(sql []byte, o *Options, st *Statement) {
	if i := bytes.IndexByte(sql, 0); i >= 0 {
		sql = sql[:i]
	}
	st.reset()
	if !classifyPgpool(sql, st) && !classifyFast(sql, st) {
		st.reset()
		classifyFallback(sql, st)
		st.Fallback = true
	}
	st.finish(sql, o)
}

// finish derives the fields common to both paths.
func (st *Statement) finish(sql []byte, o *Options) {
	switch {
	case st.Flags.Has(FlagParseError):
		// Pgpool-II substitutes a dummy DELETE (primary, counted as delete).
		st.Cmd, st.Kind, st.Class = CmdOther, KindDelete, ClassPrimary
		st.Flags &^= FlagReadSyntax
		st.Flags |= FlagFirstCharOK
		return
	case st.Flags.Has(FlagEmpty):
		// ... and a dummy SELECT for an empty query.
		st.Cmd, st.Class = CmdSelect, ClassEither
		st.Flags |= FlagReadSyntax
	}
	st.Kind = kindOf(st.Cmd)
	if st.Cmd != CmdSelect || firstCharOK(sql, o) {
		st.Flags |= FlagFirstCharOK
	}
}

// firstCharOK is the text test of is_select_query(): with
// allow_sql_comments off, the query (after leading white space when
// ignore_leading_white_space is on) must start with s, S, (, w, W, t, T,
// or be empty or ';'. A leading comment therefore keeps a SELECT on the
// primary, which is all /*NO LOAD BALANCE*/ ever did (trap T2).
func firstCharOK(sql []byte, o *Options) bool {
	allowComments, ignoreWS := false, true
	if o != nil {
		allowComments, ignoreWS = o.AllowSQLComments, o.IgnoreLeadingWhiteSpace
	}
	if allowComments {
		return true
	}
	i := 0
	if ignoreWS {
		for i < len(sql) && isSpace(sql[i]) {
			i++
		}
	}
	if i >= len(sql) {
		return true
	}
	switch sql[i] {
	case 's', 'S', '(', 'w', 'W', 't', 'T', ';':
		return true
	}
	return false
}

// classifyPgpool recognises Pgpool-II's own "PGPOOL SHOW|SET|RESET ..."
// commands, which PostgreSQL's grammar rejects. Name() is the text after
// the PGPOOL keyword.
func classifyPgpool(sql []byte, st *Statement) bool {
	var lx lexer
	lx.reset(sql)
	var t token
	lx.next(&t)
	if t.kind != tIdent || !bytes.EqualFold(sql[t.start:t.end], []byte("pgpool")) {
		return false
	}
	rest := bytes.TrimRight(bytes.TrimSpace(sql[t.end:]), "; \t\r\n\f\v")
	st.Cmd, st.Class = CmdPgpool, ClassPrimary
	st.setName(rest)
	return true
}

// Precedence levels of PostgreSQL's grammar (gram.y), lowest first.
const (
	precNone = iota
	precOr
	precAnd
	precNot
	precIs
	precCmp
	precLike
	precEscape
	precOp
	precAdd
	precMul
	precExp
	precAt
	precCollate
	precUminus
	precSubscript
	precParen
	precTypecast
)

// maxDepth bounds the fast parser's recursion; deeper statements go to
// the real parser.
const maxDepth = 40

// fastParser is the recursive-descent parser of the fast path. Every
// method returns false when the input leaves the supported subset or
// PostgreSQL would reject it; the caller then falls back.
type fastParser struct {
	lx      lexer
	src     []byte
	st      *Statement
	tok     token
	peeked  token
	hasPeek bool
	depth   int
	// nest counts open brackets; bexprNest is the nest level at which a
	// b_expr (BETWEEN's lower bound) is being parsed, or -1: NOT and
	// DEFAULT are not allowed there, but are again inside brackets.
	nest      int
	bexprNest int
	// deepLocking: a subquery has a locking clause, which sends the whole
	// statement to the primary (pool_has_insertinto_or_locking_clause).
	deepLocking bool
}

func classifyFast(sql []byte, st *Statement) bool {
	if !utf8.Valid(sql) {
		return false // PostgreSQL rejects invalid UTF-8 in many places
	}
	var p fastParser
	p.src, p.st = sql, st
	p.bexprNest = -1
	p.lx.reset(sql)
	p.advance()
	for p.isSelf(';') {
		p.advance()
	}
	if p.tok.kind == tEOF {
		st.Flags |= FlagEmpty
		return true
	}
	if !p.statement() {
		return false
	}
	// One statement only: a second one makes the string multi-statement,
	// and whether the whole string parses is the real parser's call.
	for p.isSelf(';') {
		p.advance()
	}
	return p.tok.kind == tEOF
}

func (p *fastParser) advance() {
	if p.hasPeek {
		p.tok, p.hasPeek = p.peeked, false
	} else {
		p.lx.next(&p.tok)
	}
	if p.tok.kind == tKeyword {
		p.lookahead()
	}
}

// lookahead reproduces base_yylex(): a few keywords become different
// tokens depending on the next one, and then are no longer names.
func (p *fastParser) lookahead() {
	var follow []keywordID
	switch p.tok.kw {
	case kwNot:
		follow = []keywordID{kwBetween, kwIn, kwLike, kwIlike, kwSimilar}
	case kwNulls:
		follow = []keywordID{kwFirst, kwLast}
	case kwWith:
		follow = []keywordID{kwTime, kwOrdinality}
	case kwWithout:
		follow = []keywordID{kwTime}
	case kwFormat:
		follow = []keywordID{kwJson}
	default:
		return
	}
	n := p.peek()
	if n.kind != tKeyword {
		return
	}
	for _, k := range follow {
		if n.kw == k {
			p.tok.la = true
			return
		}
	}
}

func (p *fastParser) peek() *token {
	if !p.hasPeek {
		p.lx.next(&p.peeked)
		p.hasPeek = true
	}
	return &p.peeked
}

func (p *fastParser) isSelf(c byte) bool { return p.tok.kind == tSelf && p.tok.ch == c }

func (p *fastParser) isKw(id keywordID) bool { return p.tok.kind == tKeyword && p.tok.kw == id }

func (p *fastParser) acceptKw(id keywordID) bool {
	if p.isKw(id) {
		p.advance()
		return true
	}
	return false
}

func (p *fastParser) acceptSelf(c byte) bool {
	if p.isSelf(c) {
		p.advance()
		return true
	}
	return false
}

// isColID: IDENT (quoted or not) or an unreserved keyword. PostgreSQL's
// ColId also admits column-name keywords; the fast path does not.
func isColID(t token) bool {
	return t.kind == tIdent || t.kind == tQIdent || (t.kind == tKeyword && t.cat == catUnreserved && !t.la)
}

// isColLabel: any identifier or keyword (ColLabel, attr_name).
func isColLabel(t token) bool {
	return t.kind == tIdent || t.kind == tQIdent || (t.kind == tKeyword && !t.la)
}

func (p *fastParser) isOpText(s string) bool {
	return p.tok.kind == tOp && string(p.src[p.tok.start:p.tok.end]) == s
}

// ident appends the normalised form of identifier token t to dst:
// unquoted identifiers fold ASCII letters to lower case, quoted ones lose
// their quotes and un-double embedded quotes.
func (p *fastParser) ident(dst []byte, t token) []byte {
	s := p.src[t.start:t.end]
	if t.kind == tQIdent {
		s = s[1 : len(s)-1]
		for i := 0; i < len(s); i++ {
			dst = append(dst, s[i])
			if s[i] == '"' {
				i++
			}
		}
		return dst
	}
	for _, c := range s {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// qualifiedName parses ColId ('.' ColLabel){0,2} and records it as a
// name of the given kind (the catalog part of three-part names is
// dropped, as RangeVar-based checks ignore it).
func (p *fastParser) qualifiedName(kind NameKind) bool {
	if !isColID(p.tok) {
		return false
	}
	var parts [3]token
	n := 0
	parts[n] = p.tok
	n++
	p.advance()
	for p.isSelf('.') {
		p.advance()
		if !isColLabel(p.tok) || n == 3 {
			return false
		}
		parts[n] = p.tok
		n++
		p.advance()
	}
	p.record(kind, parts[:n])
	return true
}

// record adds a one- to three-part name.
func (p *fastParser) record(kind NameKind, parts []token) {
	var sbuf, nbuf [maxIdentLen + 1]byte
	var schema []byte
	switch len(parts) {
	case 2:
		schema = p.ident(sbuf[:0], parts[0])
	case 3:
		schema = p.ident(sbuf[:0], parts[1])
	}
	name := p.ident(nbuf[:0], parts[len(parts)-1])
	p.st.addName(kind, schema, name)
}

func (p *fastParser) statement() bool {
	if p.tok.kind != tKeyword {
		return false
	}
	switch p.tok.kw {
	case kwSelect:
		return p.selectStmt()
	case kwInsert:
		return p.insertStmt()
	case kwUpdate:
		return p.updateStmt()
	case kwDelete:
		return p.deleteStmt()
	case kwBegin, kwStart:
		return p.beginStmt()
	case kwCommit, kwEnd, kwRollback, kwAbort:
		return p.endStmt()
	case kwPrepare:
		if t := p.peek(); t.kind != tKeyword || t.kw != kwTransaction {
			return false // PREPARE name AS ...: the body needs the real parser
		}
		p.advance()
		p.advance()
		p.st.Cmd, p.st.Tx, p.st.Class = CmdTransaction, TxPrepare, ClassPrimary
		if p.tok.kind != tString {
			return false
		}
		p.advance()
		return true
	case kwSavepoint:
		p.advance()
		p.st.Cmd, p.st.Tx, p.st.Class = CmdTransaction, TxSavepoint, ClassBoth
		return p.colIDArg()
	case kwRelease:
		p.advance()
		if p.isKw(kwSavepoint) && isColID(*p.peek()) {
			p.advance()
		}
		p.st.Cmd, p.st.Tx, p.st.Class = CmdTransaction, TxRelease, ClassBoth
		return p.colIDArg()
	case kwSet:
		return p.setStmt()
	case kwReset:
		return p.resetStmt()
	case kwShow:
		return p.showStmt()
	case kwDiscard:
		return p.discardStmt()
	case kwDeallocate:
		return p.deallocateStmt()
	case kwExecute:
		return p.executeStmt()
	case kwListen:
		p.advance()
		p.st.Cmd, p.st.Class = CmdListen, ClassPrimary
		return p.colIDArg()
	case kwUnlisten:
		p.advance()
		p.st.Cmd, p.st.Class = CmdUnlisten, ClassPrimary
		if p.isOpText("*") {
			p.advance()
			return true
		}
		return p.colIDArg()
	case kwNotify:
		p.advance()
		p.st.Cmd, p.st.Class = CmdNotify, ClassPrimary
		if !p.colIDArg() {
			return false
		}
		if p.acceptSelf(',') {
			if p.tok.kind != tString {
				return false
			}
			p.advance()
		}
		return true
	}
	return false
}

// colIDArg consumes one ColId argument (savepoint, channel).
func (p *fastParser) colIDArg() bool {
	if !isColID(p.tok) {
		return false
	}
	p.advance()
	return true
}

// --- transaction control -------------------------------------------------

func (p *fastParser) beginStmt() bool {
	st := p.st
	st.Cmd, st.Tx, st.Class = CmdTransaction, TxBegin, ClassBoth
	if p.isKw(kwStart) {
		p.advance()
		if !p.acceptKw(kwTransaction) {
			return false
		}
	} else {
		p.advance()
		if !p.acceptKw(kwWork) {
			p.acceptKw(kwTransaction)
		}
	}
	var m txModes
	if !p.transactionModes(&m, true) {
		return false
	}
	if (m.readOnlySeen && !m.firstReadOnly) || m.serializable {
		st.Flags |= FlagBeginRewrite
	}
	return true
}

// txModes records what a transaction_mode_list said.
type txModes struct {
	readOnlySeen  bool // some READ ONLY / READ WRITE item
	firstReadOnly bool // the first such item was READ ONLY
	anyReadOnly   bool // some item was READ ONLY
	anyReadWrite  bool // some item was READ WRITE
	serializable  bool // ISOLATION LEVEL SERIALIZABLE
}

// transactionModes parses transaction_mode_list (items separated by
// commas or blanks). optional allows an empty list.
func (p *fastParser) transactionModes(m *txModes, optional bool) bool {
	first := true
	for {
		if !first && p.isSelf(',') {
			p.advance()
		} else if p.tok.kind == tEOF || p.isSelf(';') {
			return optional || !first
		}
		switch {
		case p.isKw(kwIsolation):
			p.advance()
			if !p.acceptKw(kwLevel) {
				return false
			}
			switch {
			case p.acceptKw(kwSerializable):
				m.serializable = true
			case p.acceptKw(kwRepeatable):
				if !p.acceptKw(kwRead) {
					return false
				}
			case p.acceptKw(kwRead):
				if !p.acceptKw(kwCommitted) && !p.acceptKw(kwUncommitted) {
					return false
				}
			default:
				return false
			}
		case p.isKw(kwRead):
			p.advance()
			ro := false
			switch {
			case p.acceptKw(kwOnly):
				ro = true
			case p.acceptKw(kwWrite):
			default:
				return false
			}
			if !m.readOnlySeen {
				m.readOnlySeen, m.firstReadOnly = true, ro
			}
			if ro {
				m.anyReadOnly = true
			} else {
				m.anyReadWrite = true
			}
		case p.isKw(kwDeferrable):
			p.advance()
		case p.isKw(kwNot):
			p.advance()
			if !p.acceptKw(kwDeferrable) {
				return false
			}
		default:
			return false
		}
		first = false
	}
}

func (p *fastParser) endStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdTransaction, ClassBoth
	kw := p.tok.kw
	p.advance()
	if p.isKw(kwPrepared) && (kw == kwCommit || kw == kwRollback) {
		p.advance()
		if p.tok.kind != tString {
			return false
		}
		p.advance()
		st.Class = ClassPrimary
		if kw == kwCommit {
			st.Tx = TxCommitPrepared
		} else {
			st.Tx = TxRollbackPrepared
		}
		return true
	}
	if kw == kwCommit || kw == kwEnd {
		st.Tx = TxCommit
	} else {
		st.Tx = TxRollback
	}
	if !p.acceptKw(kwWork) {
		p.acceptKw(kwTransaction)
	}
	if kw == kwRollback && p.isKw(kwTo) {
		p.advance()
		if p.isKw(kwSavepoint) && isColID(*p.peek()) {
			p.advance()
		}
		st.Tx = TxRollbackTo
		return p.colIDArg()
	}
	if p.acceptKw(kwAnd) {
		p.acceptKw(kwNo)
		return p.acceptKw(kwChain)
	}
	return true
}

// --- SET / RESET / SHOW / DISCARD ----------------------------------------

func (p *fastParser) setStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdSet, ClassBoth
	p.advance()
	if p.isKw(kwSession) && p.peek().kind == tKeyword && p.peek().kw == kwCharacteristics {
		p.advance()
		p.advance()
		if !p.acceptKw(kwAs) || !p.acceptKw(kwTransaction) {
			return false
		}
		return p.setTransaction()
	}
	if p.isKw(kwSession) || p.isKw(kwLocal) {
		p.advance()
	}
	if p.isKw(kwTransaction) {
		if t := p.peek(); t.kind == tKeyword && t.kw == kwSnapshot {
			return false
		}
		p.advance()
		return p.setTransaction()
	}
	if p.tok.kind == tKeyword {
		switch p.tok.kw {
		case kwSession, kwLocal, kwTime, kwCatalog, kwSchema, kwNames, kwRole, kwXml, kwTransaction:
			return false // special SET forms
		}
	}
	// generic_set: var_name (= | TO) var_list | DEFAULT
	var nameBuf [2*maxIdentLen + 8]byte
	name, ok := p.varName(nameBuf[:0])
	if !ok {
		return false
	}
	if !p.acceptKw(kwTo) {
		if !p.isOpText("=") {
			return false
		}
		p.advance()
	}
	if p.acceptKw(kwDefault) {
		return true
	}
	readOnlyVar := string(name) == "transaction_read_only"
	isoVar := string(name) == "transaction_isolation" || string(name) == "default_transaction_isolation"
	for {
		var v setValue
		if !p.varValue(&v) || (v.unknown && (readOnlyVar || isoVar)) {
			return false
		}
		switch {
		case readOnlyVar && v.isString:
			switch {
			case eqFoldAny(v.s, "off", "f", "false"):
				st.Class = ClassPrimary
			case eqFoldAny(v.s, "on", "t", "true"):
				st.Flags |= FlagSetReadOnly
			}
		case readOnlyVar && v.isInt:
			if v.i == 0 {
				st.Class = ClassPrimary
			} else {
				st.Flags |= FlagSetReadOnly
			}
		case isoVar && v.isString && bytes.EqualFold(v.s, []byte("serializable")):
			st.Flags |= FlagSetSerializable
			st.Class = ClassPrimary
		}
		if !p.acceptSelf(',') {
			return true
		}
	}
}

func eqFoldAny(b []byte, opts ...string) bool {
	for _, o := range opts {
		if bytes.EqualFold(b, []byte(o)) {
			return true
		}
	}
	return false
}

// setTransaction handles the mode list of SET TRANSACTION and SET SESSION
// CHARACTERISTICS AS TRANSACTION.
func (p *fastParser) setTransaction() bool {
	st := p.st
	var m txModes
	if !p.transactionModes(&m, false) {
		return false
	}
	if m.serializable {
		st.Flags |= FlagSetSerializable
		st.Class = ClassPrimary
	}
	if m.anyReadWrite {
		st.Class = ClassPrimary
	}
	if m.anyReadOnly {
		st.Flags |= FlagSetReadOnly
	}
	return true
}

// varName parses var_name: ColId ('.' ColId)* into dst.
func (p *fastParser) varName(dst []byte) ([]byte, bool) {
	if !isColID(p.tok) {
		return nil, false
	}
	dst = p.ident(dst, p.tok)
	p.advance()
	for p.isSelf('.') {
		p.advance()
		if !isColID(p.tok) || len(dst) > maxIdentLen {
			return nil, false
		}
		dst = append(dst, '.')
		dst = p.ident(dst, p.tok)
		p.advance()
	}
	return dst, true
}

// setValue is one var_value of SET.
type setValue struct {
	isString, isInt bool
	unknown         bool   // a string whose value the fast path does not decode
	s               []byte // string value, quotes not removed unless simple
	i               int64
}

// varValue parses var_value: a string constant, TRUE, FALSE, ON, a
// non-reserved word, or a number with an optional sign.
func (p *fastParser) varValue(v *setValue) bool {
	t := p.tok
	switch t.kind {
	case tString:
		s := p.src[t.start:t.end]
		if s[0] != '\'' || bytes.IndexByte(s, '\n') >= 0 || bytes.IndexByte(s, '\r') >= 0 {
			// E'', $$ and continued strings: the value's text would need
			// real unescaping; only plain one-line literals are handled.
			if !p.anyStringValue() {
				return false
			}
			v.isString, v.unknown = true, true
			return true
		}
		v.isString = true
		v.s = s[1 : len(s)-1]
		if bytes.Contains(v.s, []byte("''")) {
			v.unknown = true
		}
		p.advance()
		return true
	case tIdent, tQIdent:
		v.isString = true
		if t.kind == tIdent {
			v.s = p.src[t.start:t.end] // compared case-insensitively
		} else {
			v.s = p.src[t.start+1 : t.end-1]
			if bytes.IndexByte(v.s, '"') >= 0 {
				v.unknown = true
			}
		}
		p.advance()
		return true
	case tKeyword:
		if t.cat == catReserved && t.kw != kwTrue && t.kw != kwFalse && t.kw != kwOn {
			return false
		}
		v.isString = true
		v.s = p.src[t.start:t.end]
		p.advance()
		return true
	case tOp:
		if !p.isOpText("+") && !p.isOpText("-") {
			return false
		}
		neg := p.isOpText("-")
		p.advance()
		if !p.numberValue(v) {
			return false
		}
		if neg {
			v.i = -v.i
		}
		return true
	case tInt, tNumber:
		return p.numberValue(v)
	}
	return false
}

// anyStringValue accepts a string constant whose value the caller does not
// need to inspect.
func (p *fastParser) anyStringValue() bool {
	if p.tok.kind != tString {
		return false
	}
	p.advance()
	return true
}

// numberValue parses an unsigned ICONST or FCONST. Integers that do not
// fit in int32 are floats in PostgreSQL's lexer.
func (p *fastParser) numberValue(v *setValue) bool {
	t := p.tok
	if t.kind == tNumber {
		p.advance()
		return true // a Float: neither comparison applies
	}
	if t.kind != tInt {
		return false
	}
	var n int64
	for _, c := range p.src[t.start:t.end] {
		n = n*10 + int64(c-'0')
		if n > 1<<31-1 {
			p.advance()
			return true // FCONST
		}
	}
	v.isInt, v.i = true, n
	p.advance()
	return true
}

func (p *fastParser) resetStmt() bool {
	p.st.Cmd, p.st.Class = CmdSet, ClassBoth
	p.advance()
	if p.acceptKw(kwAll) {
		return true
	}
	if p.tok.kind == tKeyword {
		switch p.tok.kw {
		case kwTime, kwTransaction, kwSession:
			return false
		}
	}
	var buf [2*maxIdentLen + 8]byte
	_, ok := p.varName(buf[:0])
	return ok
}

func (p *fastParser) showStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdShow, ClassEither
	st.Flags |= FlagReadSyntax
	p.advance()
	var buf [2*maxIdentLen + 8]byte
	switch {
	case p.isKw(kwAll):
		p.advance()
		st.setName([]byte("all"))
		return true
	case p.isKw(kwTime) && p.peek().kind == tKeyword && p.peek().kw == kwZone:
		p.advance()
		p.advance()
		st.setName([]byte("timezone"))
		return true
	case p.isKw(kwTransaction) && p.peek().kind == tKeyword && p.peek().kw == kwIsolation:
		p.advance()
		p.advance()
		if !p.acceptKw(kwLevel) {
			return false
		}
		st.setName([]byte("transaction_isolation"))
		return true
	case p.isKw(kwSession) && p.peek().kind == tKeyword && p.peek().kw == kwAuthorization:
		p.advance()
		p.advance()
		st.setName([]byte("session_authorization"))
		return true
	}
	name, ok := p.varName(buf[:0])
	if !ok {
		return false
	}
	st.setName(name)
	return true
}

func (p *fastParser) discardStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdDiscard, ClassBoth
	p.advance()
	switch {
	case p.acceptKw(kwAll):
		st.Discard = DiscardAll
	case p.acceptKw(kwPlans):
		st.Discard = DiscardPlans
	case p.acceptKw(kwSequences):
		st.Discard = DiscardSequences
	case p.acceptKw(kwTemp), p.acceptKw(kwTemporary):
		st.Discard = DiscardTemp
	default:
		return false
	}
	return true
}

func (p *fastParser) deallocateStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdDeallocate, ClassPrimary
	p.advance()
	if p.isKw(kwPrepare) && (isColID(*p.peek()) || (p.peek().kind == tKeyword && p.peek().kw == kwAll)) {
		p.advance()
	}
	if p.acceptKw(kwAll) {
		st.Flags |= FlagDeallocateAll
		return true
	}
	if !isColID(p.tok) {
		return false
	}
	var buf [maxIdentLen + 1]byte
	st.setName(p.ident(buf[:0], p.tok))
	p.advance()
	return true
}

func (p *fastParser) executeStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdExecute, ClassPrimary
	p.advance()
	if !isColID(p.tok) {
		return false
	}
	var buf [maxIdentLen + 1]byte
	st.setName(p.ident(buf[:0], p.tok))
	p.advance()
	if p.acceptSelf('(') {
		if !p.exprList(')') {
			return false
		}
	}
	return true
}

// --- SELECT ----------------------------------------------------------------

func (p *fastParser) selectStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdSelect, ClassEither
	st.Flags |= FlagReadSyntax
	locking, ok := p.selectBody()
	if !ok {
		return false
	}
	if locking {
		st.Flags |= FlagLocking
		st.Flags &^= FlagReadSyntax
		st.Class = ClassPrimary
	}
	if p.deepLocking {
		st.Class = ClassPrimary
	}
	return true
}

// subSelect parses "SELECT ...)" after an opening parenthesis, for a
// subquery in an expression or in FROM.
func (p *fastParser) subSelect() bool {
	if !p.isKw(kwSelect) || p.depth >= maxDepth {
		return false
	}
	p.depth++
	p.nest++
	locking, ok := p.selectBody()
	p.nest--
	p.depth--
	if !ok || !p.acceptSelf(')') {
		return false
	}
	if locking {
		p.deepLocking = true
	}
	return true
}

// selectBody parses a simple SELECT with optional ORDER BY, LIMIT, OFFSET
// and a trailing locking clause. It reports whether there was a locking
// clause.
func (p *fastParser) selectBody() (locking bool, ok bool) {
	p.advance() // SELECT
	if p.isKw(kwAll) {
		p.advance()
	} else if p.isKw(kwDistinct) {
		if t := p.peek(); t.kind == tKeyword && t.kw == kwOn {
			return false, false
		}
		p.advance()
	}
	if !p.targetList() {
		return false, false
	}
	if p.acceptKw(kwFrom) {
		if !p.fromList() {
			return false, false
		}
	}
	if p.acceptKw(kwWhere) {
		if !p.expr(precNone) {
			return false, false
		}
	}
	if p.isKw(kwGroup) {
		p.advance()
		if !p.acceptKw(kwBy) || !p.groupList() {
			return false, false
		}
	}
	if p.acceptKw(kwHaving) {
		if !p.expr(precNone) {
			return false, false
		}
	}
	if p.isKw(kwOrder) {
		p.advance()
		if !p.acceptKw(kwBy) || !p.sortList() {
			return false, false
		}
	}
	var sawLimit, sawOffset bool
	for {
		switch {
		case !sawLimit && p.isKw(kwLimit):
			p.advance()
			sawLimit = true
			if !p.acceptKw(kwAll) && !p.expr(precNone) {
				return false, false
			}
		case !sawOffset && p.isKw(kwOffset):
			p.advance()
			sawOffset = true
			if !p.expr(precNone) {
				return false, false
			}
			if p.isKw(kwRow) || p.isKw(kwRows) {
				return false, false
			}
		default:
			goto lockingClause
		}
	}
lockingClause:
	for p.isKw(kwFor) {
		p.advance()
		switch {
		case p.acceptKw(kwUpdate), p.acceptKw(kwShare):
		case p.isKw(kwNo):
			p.advance()
			if !p.acceptKw(kwKey) || !p.acceptKw(kwUpdate) {
				return false, false
			}
		case p.isKw(kwKey):
			p.advance()
			if !p.acceptKw(kwShare) {
				return false, false
			}
		default:
			return false, false // FOR READ ONLY and the like
		}
		locking = true
		if p.acceptKw(kwOf) {
			for {
				if !p.qualifiedName(NameRelation) {
					return false, false
				}
				if !p.acceptSelf(',') {
					break
				}
			}
		}
		if !p.acceptKw(kwNowait) && p.isKw(kwSkip) {
			p.advance()
			if !p.acceptKw(kwLocked) {
				return false, false
			}
		}
	}
	return locking, true
}

// targetList parses SELECT's non-empty target list.
func (p *fastParser) targetList() bool {
	for {
		if p.isOpText("*") {
			p.advance()
		} else {
			if !p.expr(precNone) {
				return false
			}
			switch {
			case p.isKw(kwAs):
				p.advance()
				if !isColLabel(p.tok) {
					return false
				}
				p.advance()
			case p.tok.kind == tIdent || p.tok.kind == tQIdent:
				p.advance() // bare column label
			}
		}
		if !p.acceptSelf(',') {
			return true
		}
	}
}

// fromList parses FROM items: relations with optional alias, joined with
// commas or explicit JOINs.
func (p *fastParser) fromList() bool {
	for {
		if !p.tableRef() {
			return false
		}
		for {
			natural := p.acceptKw(kwNatural)
			switch {
			case !natural && p.isKw(kwCross):
				p.advance()
				if !p.acceptKw(kwJoin) || !p.tableRef() {
					return false
				}
				continue
			case p.isKw(kwJoin), p.isKw(kwInner):
				if p.acceptKw(kwInner) && !p.isKw(kwJoin) {
					return false
				}
			case p.isKw(kwLeft), p.isKw(kwRight), p.isKw(kwFull):
				p.advance()
				p.acceptKw(kwOuter)
				if !p.isKw(kwJoin) {
					return false
				}
			default:
				if natural {
					return false
				}
				goto next
			}
			p.advance() // JOIN
			if !p.tableRef() {
				return false
			}
			if natural {
				continue
			}
			switch {
			case p.acceptKw(kwOn):
				if !p.expr(precNone) {
					return false
				}
			case p.acceptKw(kwUsing):
				if !p.acceptSelf('(') {
					return false
				}
				for {
					if !isColID(p.tok) {
						return false
					}
					p.advance()
					if !p.acceptSelf(',') {
						break
					}
				}
				if !p.acceptSelf(')') || p.isKw(kwAs) {
					return false
				}
			default:
				return false
			}
		}
	next:
		if !p.acceptSelf(',') {
			return true
		}
	}
}

// tableRef parses relation [[AS] alias] or (SELECT ...) [[AS] alias].
func (p *fastParser) tableRef() bool {
	if p.isSelf('(') {
		p.advance()
		return p.subSelect() && p.optAlias(false)
	}
	if !p.qualifiedName(NameRelation) {
		return false
	}
	if p.isOpText("*") {
		return false
	}
	return p.optAlias(false)
}

// optAlias parses [AS] ColId; forUpdate excludes SET as a bare alias.
func (p *fastParser) optAlias(forUpdate bool) bool {
	if p.acceptKw(kwAs) {
		if !isColID(p.tok) {
			return false
		}
		p.advance()
	} else if isColID(p.tok) && !(forUpdate && p.isKw(kwSet)) {
		p.advance()
	} else {
		return true
	}
	return !p.isSelf('(') // column alias lists: not handled
}

func (p *fastParser) groupList() bool {
	for {
		if p.isSelf('(') || p.isKw(kwRollup) || p.isKw(kwCube) || p.isKw(kwGrouping) ||
			p.isKw(kwAll) || p.isKw(kwDistinct) {
			return false
		}
		if !p.expr(precNone) {
			return false
		}
		if !p.acceptSelf(',') {
			return true
		}
	}
}

func (p *fastParser) sortList() bool {
	for {
		if !p.expr(precNone) {
			return false
		}
		if !p.acceptKw(kwAsc) {
			p.acceptKw(kwDesc)
		}
		if p.isKw(kwNulls) {
			if t := p.peek(); t.kind != tKeyword || (t.kw != kwFirst && t.kw != kwLast) {
				return false
			}
			p.advance()
			p.advance()
		}
		if !p.acceptSelf(',') {
			return true
		}
	}
}

// --- INSERT / UPDATE / DELETE ------------------------------------------------

func (p *fastParser) insertStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdInsert, ClassPrimary
	p.advance()
	if !p.acceptKw(kwInto) || !p.qualifiedName(NameRelation) {
		return false
	}
	if p.acceptKw(kwAs) {
		if !isColID(p.tok) {
			return false
		}
		p.advance()
	}
	if p.acceptSelf('(') {
		for {
			if !isColID(p.tok) {
				return false
			}
			p.advance()
			if !p.acceptSelf(',') {
				break
			}
		}
		if !p.acceptSelf(')') {
			return false
		}
	}
	switch {
	case p.isKw(kwValues):
		p.advance()
		for {
			if !p.acceptSelf('(') || !p.exprList(')') {
				return false
			}
			if !p.acceptSelf(',') {
				break
			}
		}
	case p.isKw(kwDefault):
		p.advance()
		if !p.acceptKw(kwValues) {
			return false
		}
	case p.isKw(kwSelect):
		if _, ok := p.selectBody(); !ok {
			return false
		}
	default:
		return false
	}
	return p.optReturning()
}

func (p *fastParser) optReturning() bool {
	if p.acceptKw(kwReturning) {
		return p.targetList()
	}
	return true
}

func (p *fastParser) updateStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdUpdate, ClassPrimary
	p.advance()
	if p.isKw(kwOnly) || !p.qualifiedName(NameRelation) || p.isOpText("*") {
		return false
	}
	if !p.optAlias(true) || !p.acceptKw(kwSet) {
		return false
	}
	for {
		if !isColID(p.tok) {
			return false // (a, b) = ..., col[1], col.field
		}
		p.advance()
		if !p.isOpText("=") {
			return false
		}
		p.advance()
		if !p.expr(precNone) {
			return false
		}
		if !p.acceptSelf(',') {
			break
		}
	}
	if p.acceptKw(kwWhere) {
		if p.isKw(kwCurrent) {
			return false
		}
		if !p.expr(precNone) {
			return false
		}
	}
	return p.optReturning()
}

func (p *fastParser) deleteStmt() bool {
	st := p.st
	st.Cmd, st.Class = CmdDelete, ClassPrimary
	p.advance()
	if !p.acceptKw(kwFrom) || p.isKw(kwOnly) || !p.qualifiedName(NameRelation) || p.isOpText("*") {
		return false
	}
	if !p.optAlias(false) {
		return false
	}
	if p.acceptKw(kwWhere) {
		if p.isKw(kwCurrent) {
			return false
		}
		if !p.expr(precNone) {
			return false
		}
	}
	return p.optReturning()
}

// --- expressions -----------------------------------------------------------

// exprList parses expr (',' expr)* followed by the closing character.
func (p *fastParser) exprList(closing byte) bool {
	for {
		if !p.expr(precNone) {
			return false
		}
		if p.acceptSelf(closing) {
			return true
		}
		if !p.acceptSelf(',') {
			return false
		}
	}
}

// binOp describes the operator at the current token in infix position.
type binOp struct {
	prec     int
	nonassoc bool
	postfix  bool
	kind     uint8 // opPlain, opIs, opIn, opTypecast, opIsnull
}

const (
	opPlain uint8 = iota
	opIs
	opIn
	opTypecast
	opNotLike // NOT LIKE / NOT ILIKE / NOT IN / NOT BETWEEN
	opBetween // [NOT] BETWEEN [SYMMETRIC] b_expr AND a_expr
	opUnknown // something PostgreSQL would continue with: give up
	opEnd     // not an operator: the expression ends here
)

func (p *fastParser) infixOp() binOp {
	t := p.tok
	switch t.kind {
	case tOp:
		s := p.src[t.start:t.end]
		if len(s) == 1 {
			switch s[0] {
			case '+', '-':
				return binOp{prec: precAdd}
			case '*', '/', '%':
				return binOp{prec: precMul}
			case '^':
				return binOp{prec: precExp}
			case '<', '>', '=':
				return binOp{prec: precCmp, nonassoc: true}
			}
			return binOp{prec: precOp}
		}
		switch string(s) {
		case "<=", ">=", "<>", "!=":
			return binOp{prec: precCmp, nonassoc: true}
		}
		return binOp{prec: precOp}
	case tTypecast:
		return binOp{prec: precTypecast, postfix: true, kind: opTypecast}
	case tKeyword:
		switch t.kw {
		case kwAnd:
			return binOp{prec: precAnd}
		case kwOr:
			return binOp{prec: precOr}
		case kwLike, kwIlike:
			return binOp{prec: precLike, nonassoc: true}
		case kwIn:
			return binOp{prec: precLike, nonassoc: true, kind: opIn}
		case kwNot:
			if n := p.peek(); n.kind == tKeyword {
				switch n.kw {
				case kwLike, kwIlike, kwIn, kwBetween:
					return binOp{prec: precLike, nonassoc: true, kind: opNotLike}
				}
			}
			return binOp{kind: opUnknown}
		case kwIs:
			return binOp{prec: precIs, nonassoc: true, kind: opIs}
		case kwIsnull, kwNotnull:
			return binOp{prec: precIs, postfix: true}
		case kwBetween:
			return binOp{prec: precLike, nonassoc: true, kind: opBetween}
		case kwSimilar, kwEscape, kwAt, kwCollate, kwOverlaps, kwOperator:
			return binOp{kind: opUnknown}
		}
	case tSelf:
		if t.ch == '[' || t.ch == '.' || t.ch == ':' {
			return binOp{kind: opUnknown}
		}
	case tColonEq, tEqGreater, tDotDot, tUnsure:
		return binOp{kind: opUnknown}
	}
	return binOp{kind: opEnd}
}

// expr parses an expression whose operators all have precedence above
// minPrec (precedence climbing with gram.y's levels and associativity;
// chaining non-associative operators of one level is a syntax error there,
// so it falls back here).
func (p *fastParser) expr(minPrec int) bool {
	if p.depth >= maxDepth {
		return false
	}
	p.depth++
	ok := p.exprDepth(minPrec)
	p.depth--
	return ok
}

func (p *fastParser) exprDepth(minPrec int) bool {
	if !p.unary() {
		return false
	}
	lastNonassoc := 0 // precedence of the last non-associative binary op applied
	for {
		op := p.infixOp()
		if op.kind == opUnknown {
			return false
		}
		if op.kind == opEnd || op.prec <= minPrec {
			return true
		}
		if op.prec == lastNonassoc {
			return false // a = b = c
		}
		lastNonassoc = 0
		switch {
		case op.kind == opTypecast:
			p.advance()
			if !p.typeName() {
				return false
			}
			continue
		case op.postfix: // ISNULL, NOTNULL
			p.advance()
			continue
		case op.kind == opIs:
			p.advance()
			p.acceptKw(kwNot)
			switch {
			case p.acceptKw(kwNull), p.acceptKw(kwTrue), p.acceptKw(kwFalse), p.acceptKw(kwUnknown):
				continue // postfix forms of IS do not chain-conflict
			case p.acceptKw(kwDistinct):
				if !p.acceptKw(kwFrom) || !p.expr(op.prec) {
					return false
				}
			default:
				return false
			}
		case op.kind == opIn, op.kind == opNotLike, op.kind == opBetween:
			if op.kind == opNotLike {
				p.advance() // NOT
				op.kind = opPlain
				switch {
				case p.isKw(kwIn):
					op.kind = opIn
				case p.isKw(kwBetween):
					op.kind = opBetween
				}
			}
			p.advance()
			switch {
			case op.kind == opIn:
				if !p.acceptSelf('(') || p.isSelf(')') || !p.parenExprOrSubquery() {
					return false
				}
			case op.kind == opBetween:
				if p.isKw(kwSymmetric) || p.isKw(kwAsymmetric) {
					p.advance()
				}
				saved := p.bexprNest
				p.bexprNest = p.nest
				ok := p.expr(precLike) // a b_expr: no AND, comparison, IS, NOT
				p.bexprNest = saved
				if !ok || !p.acceptKw(kwAnd) || !p.expr(precLike) {
					return false
				}
			case !p.expr(op.prec):
				return false
			}
		default:
			p.advance()
			if p.isKw(kwAny) || p.isKw(kwAll) || p.isKw(kwSome) {
				// a op ANY (array): a rule of precedence Op.
				p.advance()
				if !p.acceptSelf('(') {
					return false
				}
				if p.startsSubquery() {
					if !p.subSelect() {
						return false
					}
				} else {
					p.nest++
					ok := p.expr(precNone) && p.acceptSelf(')')
					p.nest--
					if !ok {
						return false
					}
				}
				continue
			}
			if !p.expr(op.prec) {
				return false
			}
		}
		// In gram.y a non-associative operator conflicts with a following
		// operator of its level only when its right operand is an a_expr
		// that operator could extend: not after IN (...).
		if op.nonassoc && op.kind != opIn {
			lastNonassoc = op.prec
		}
	}
}

// startsSubquery reports whether the token after '(' begins a query.
func (p *fastParser) startsSubquery() bool {
	return p.isKw(kwSelect) || p.isKw(kwWith) || p.isKw(kwValues) || p.isKw(kwTable)
}

// parenExprOrSubquery parses, after an opening parenthesis, either a
// subquery or an expression list and the closing parenthesis.
func (p *fastParser) parenExprOrSubquery() bool {
	if p.startsSubquery() {
		return p.subSelect()
	}
	p.nest++
	ok := p.exprList(')')
	p.nest--
	return ok
}

// unary parses prefix operators and one operand.
func (p *fastParser) unary() bool {
	t := p.tok
	switch t.kind {
	case tKeyword:
		if t.kw == kwNot {
			if p.bexprNest == p.nest {
				return false // NOT is not allowed in a b_expr
			}
			if n := p.peek(); n.kind == tKeyword {
				switch n.kw {
				case kwLike, kwIlike, kwIn, kwBetween, kwSimilar:
					return false // NOT_LA in prefix position
				}
			}
			p.advance()
			return p.expr(precNot - 1)
		}
	case tOp:
		s := p.src[t.start:t.end]
		if len(s) == 1 {
			switch s[0] {
			case '+', '-':
				p.advance()
				return p.expr(precUminus)
			case '*', '/', '%', '^', '<', '>', '=':
				return false
			}
		} else {
			switch string(s) {
			case "<=", ">=", "<>", "!=":
				return false
			}
		}
		p.advance() // prefix qual_Op
		return p.expr(precOp)
	}
	return p.operand()
}

// operand parses a constant, parameter, column reference, function call or
// parenthesised expression list.
func (p *fastParser) operand() bool {
	t := p.tok
	switch t.kind {
	case tInt, tNumber, tString, tBitString:
		p.advance()
		return true
	case tParam:
		p.advance()
		return !p.isSelf('[') && !p.isSelf('.')
	case tSelf:
		if t.ch != '(' {
			return false
		}
		p.advance()
		if p.isSelf(')') || !p.parenExprOrSubquery() {
			return false
		}
		return !p.isSelf('.') && !p.isSelf('[')
	case tKeyword:
		switch t.kw {
		case kwDefault:
			if p.bexprNest == p.nest {
				return false // DEFAULT is an a_expr only
			}
			p.advance()
			return true
		case kwCase:
			return p.caseExpr()
		case kwCoalesce, kwGreatest, kwLeast, kwNullif:
			p.advance()
			if !p.acceptSelf('(') || p.isSelf(')') {
				return false
			}
			p.nest++
			var ok bool
			if t.kw == kwNullif { // exactly two arguments
				ok = p.expr(precNone) && p.acceptSelf(',') && p.expr(precNone) && p.acceptSelf(')')
			} else {
				ok = p.exprList(')')
			}
			p.nest--
			return ok && !p.isSelf('.') && !p.isSelf('[')
		case kwCast:
			p.advance()
			if !p.acceptSelf('(') {
				return false
			}
			p.nest++
			ok := p.expr(precNone) && p.acceptKw(kwAs) && p.typeName() && p.acceptSelf(')')
			p.nest--
			return ok && !p.isSelf('.') && !p.isSelf('[')
		case kwExists:
			p.advance()
			if !p.acceptSelf('(') || !p.subSelect() {
				return false
			}
			return !p.isSelf('.') && !p.isSelf('[')
		case kwTrue, kwFalse, kwNull, kwCurrentUser, kwSessionUser, kwUser,
			kwCurrentRole, kwCurrentCatalog, kwCurrentDate:
			p.advance()
			return true
		case kwCurrentTimestamp, kwCurrentTime, kwLocaltime, kwLocaltimestamp:
			p.advance()
			if p.acceptSelf('(') {
				if p.tok.kind != tInt {
					return false
				}
				p.advance()
				return p.acceptSelf(')')
			}
			return true
		}
		if t.cat != catUnreserved {
			return false
		}
	case tIdent, tQIdent:
	default:
		return false
	}
	// ColId: column reference or function call.
	var parts [3]token
	n := 0
	parts[n] = p.tok
	n++
	p.advance()
	for p.isSelf('.') {
		p.advance()
		if p.isOpText("*") {
			p.advance()
			return !p.isSelf('(') && !p.isSelf('.') && !p.isSelf('[')
		}
		if !isColLabel(p.tok) || n == 3 {
			return false
		}
		parts[n] = p.tok
		n++
		p.advance()
	}
	if p.tok.kind == tString {
		return false // typed literal: type 'string'
	}
	if !p.isSelf('(') {
		return !p.isSelf('[') // column reference
	}
	p.advance()
	var nbuf [maxIdentLen + 1]byte
	if string(p.ident(nbuf[:0], parts[n-1])) == "pg_terminate_backend" {
		return false // the caller needs the pid: leave it to the real parser
	}
	p.record(NameFunction, parts[:n])
	switch {
	case p.isOpText("*"):
		p.advance()
		if !p.acceptSelf(')') {
			return false
		}
	case p.acceptSelf(')'):
	default:
		if p.isKw(kwDistinct) || p.isKw(kwAll) {
			p.advance() // aggregate quantifier
		}
		if p.isKw(kwVariadic) || !p.exprList(')') {
			return false
		}
	}
	// Window and aggregate decorations, and field selection, are not handled.
	switch {
	case p.isKw(kwOver), p.isKw(kwFilter), p.isKw(kwWithin), p.isSelf('['), p.isSelf('.'):
		return false
	}
	return true
}

// caseExpr parses CASE [arg] WHEN expr THEN expr ... [ELSE expr] END.
func (p *fastParser) caseExpr() bool {
	p.advance()
	p.nest++
	ok := p.caseBody()
	p.nest--
	return ok && !p.isSelf('.') && !p.isSelf('[')
}

func (p *fastParser) caseBody() bool {
	if !p.isKw(kwWhen) && !p.expr(precNone) {
		return false
	}
	n := 0
	for p.acceptKw(kwWhen) {
		if !p.expr(precNone) || !p.acceptKw(kwThen) || !p.expr(precNone) {
			return false
		}
		n++
	}
	if n == 0 {
		return false
	}
	if p.acceptKw(kwElse) && !p.expr(precNone) {
		return false
	}
	return p.acceptKw(kwEnd)
}

// typeName parses the type of a :: cast: a (qualified) type name with
// integer modifiers and array bounds, or one of the SQL-standard
// multi-word types.
func (p *fastParser) typeName() bool {
	t := p.tok
	mods := 0 // maximum number of integer modifiers
	switch {
	case t.kind == tKeyword && t.kw == kwDouble:
		p.advance()
		if !p.acceptKw(kwPrecision) {
			return false // "double" as a type name: leave it to the parser
		}
	case t.kind == tIdent || t.kind == tQIdent || (t.kind == tKeyword && t.cat == catUnreserved):
		p.advance()
		for p.isSelf('.') {
			p.advance()
			if !isColLabel(p.tok) {
				return false
			}
			p.advance()
		}
		mods = 8
	case t.kind == tKeyword:
		p.advance()
		switch t.kw {
		case kwInt, kwInteger, kwSmallint, kwBigint, kwReal, kwBoolean:
		case kwNumeric, kwDecimal, kwDec:
			mods = 2
		case kwFloat, kwVarchar:
			mods = 1
		case kwCharacter, kwChar:
			p.acceptKw(kwVarying)
			mods = 1
		case kwInterval:
			if p.tok.kind == tKeyword {
				switch p.tok.kw {
				case kwYear, kwMonth, kwDay, kwHour, kwMinute, kwSecond:
					return false // interval fields
				}
			}
			mods = 1
		case kwTimestamp, kwTime:
			if p.acceptSelf('(') {
				if p.tok.kind != tInt {
					return false
				}
				p.advance()
				if !p.acceptSelf(')') {
					return false
				}
			}
			if p.isKw(kwWith) || p.isKw(kwWithout) {
				p.advance()
				if !p.acceptKw(kwTime) || !p.acceptKw(kwZone) {
					return false
				}
			}
		default:
			return false
		}
	default:
		return false
	}
	if mods > 0 && p.acceptSelf('(') {
		for i := 0; ; i++ {
			if i == mods || p.tok.kind != tInt {
				return false
			}
			p.advance()
			if p.acceptSelf(')') {
				break
			}
			if !p.acceptSelf(',') {
				return false
			}
		}
	}
	for p.acceptSelf('[') {
		if p.tok.kind == tInt {
			p.advance()
		}
		if !p.acceptSelf(']') {
			return false
		}
	}
	return !p.isKw(kwArray)
}
