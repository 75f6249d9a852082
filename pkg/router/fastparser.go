package router

import "unicode/utf8"

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

// classifyFast describes sql if it is one statement of the subset the fast
// parser knows (SELECT, INSERT, UPDATE, DELETE of common shapes,
// transaction control, SET, SHOW, ...) and reports whether it did.
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
