package router

// Fast-path parsing of SELECT, INSERT, UPDATE and DELETE.

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
