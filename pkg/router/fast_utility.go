package router

// Fast-path parsing of transaction control, SET, RESET, SHOW, DISCARD,
// DEALLOCATE and EXECUTE.

import "bytes"

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
