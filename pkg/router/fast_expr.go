package router

// Fast-path parsing of expressions and type names, with gram.y's
// operator precedence and associativity.

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
		case kwFloat:
			// The grammar itself rejects float(p) outside 1..53.
			if p.isSelf('(') {
				n := p.peek()
				if n.kind != tInt || n.end-n.start > 2 {
					return false
				}
				v := 0
				for _, c := range p.src[n.start:n.end] {
					v = v*10 + int(c-'0')
				}
				if v < 1 || v > 53 {
					return false
				}
			}
			mods = 1
		case kwVarchar:
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
