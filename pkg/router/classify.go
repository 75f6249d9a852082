package router

import "bytes"

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
