package router

// The lexer follows PostgreSQL's scan.l (version 17, the grammar pg_query_go
// embeds) closely enough to find token boundaries exactly: strings of every
// kind, dollar quoting, nested comments, quoted identifiers, numbers and
// operators. It never decides what PostgreSQL would reject; anything it
// cannot tokenise with certainty becomes a tUnsure token, and the classifier
// then hands the statement to the real parser.
//
// Settings assumed, as pg_query does: standard_conforming_strings = on,
// UTF-8 encoding (so only ASCII letters are case-folded).

type tokKind uint8

const (
	tEOF       tokKind = iota
	tIdent             // unquoted identifier that is not a keyword
	tKeyword           // unquoted identifier that is a keyword (kw, cat set)
	tQIdent            // "quoted identifier"
	tString            // '...', E'...', $$...$$ (incl. continuations): SCONST
	tBitString         // B'...', X'...': BCONST, XCONST
	tInt               // decimal integer constant
	tNumber            // other numeric constant
	tParam             // $n
	tOp                // operator: op chars, including single + - * / % ^ < > =
	tSelf              // one of ( ) , . ; [ ] :
	tTypecast          // ::
	tColonEq           // :=
	tEqGreater         // =>
	tDotDot            // ..
	tUnsure            // anything the fast path must not interpret
)

type kwCategory uint8

const (
	catNone kwCategory = iota
	catUnreserved
	catColName
	catTypeFuncName
	catReserved
)

type keywordID uint16

type keyword struct {
	id  keywordID
	cat kwCategory
}

// token is one lexical token. start and end are byte offsets into the
// input; for strings and quoted identifiers they include the quotes.
type token struct {
	kind tokKind
	cat  kwCategory
	kw   keywordID
	ch   byte // tSelf character, or the first byte of a tOp
	// la: the grammar sees this keyword as a lookahead token (NOT_LA,
	// NULLS_LA, WITH_LA, WITHOUT_LA, FORMAT_LA), never as a name.
	la    bool
	start int32
	end   int32
}

// maxIdentLen is NAMEDATALEN-1: PostgreSQL truncates longer identifiers,
// which the fast path does not reproduce (it gives up instead).
const maxIdentLen = 63

type lexer struct {
	src []byte
	pos int
}

func (lx *lexer) reset(src []byte) {
	lx.src = src
	lx.pos = 0
}

// Character classes, one table lookup per byte on the hot path.
const (
	ccSpace      uint8 = 1 << iota // [ \t\n\r\f\v]
	ccIdentStart                   // [A-Za-z_\200-\377]
	ccDigit                        // [0-9]
	ccDollar                       // $ (continues identifiers)
	ccOp                           // operator characters
)

var charClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\r\f\v") {
		t[c] = ccSpace
	}
	for c := 0; c < 256; c++ {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 {
			t[c] = ccIdentStart
		}
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = ccDigit
	}
	t['$'] = ccDollar
	for _, c := range []byte("~!@#^&|`?+-*/%<>=") {
		t[c] = ccOp
	}
	return t
}()

func isSpace(c byte) bool      { return charClass[c]&ccSpace != 0 }
func isIdentStart(c byte) bool { return charClass[c]&ccIdentStart != 0 }
func isIdentCont(c byte) bool  { return charClass[c]&(ccIdentStart|ccDigit|ccDollar) != 0 }
func isDigit(c byte) bool      { return charClass[c]&ccDigit != 0 }
func isOpChar(c byte) bool     { return charClass[c]&ccOp != 0 }

// skipSpace skips whitespace and comments. It reports false when a block
// comment is not terminated.
func (lx *lexer) skipSpace() bool {
	src := lx.src
	for lx.pos < len(src) {
		c := src[lx.pos]
		switch {
		case isSpace(c):
			lx.pos++
		case c == '-' && lx.pos+1 < len(src) && src[lx.pos+1] == '-':
			lx.pos += 2
			for lx.pos < len(src) && src[lx.pos] != '\n' && src[lx.pos] != '\r' {
				lx.pos++
			}
		case c == '/' && lx.pos+1 < len(src) && src[lx.pos+1] == '*':
			if !lx.skipBlockComment() {
				return false
			}
		default:
			return true
		}
	}
	return true
}

// skipBlockComment skips a (nested) /* */ comment starting at lx.pos.
func (lx *lexer) skipBlockComment() bool {
	src := lx.src
	depth := 0
	for lx.pos < len(src) {
		if src[lx.pos] == '/' && lx.pos+1 < len(src) && src[lx.pos+1] == '*' {
			depth++
			lx.pos += 2
			continue
		}
		if src[lx.pos] == '*' && lx.pos+1 < len(src) && src[lx.pos+1] == '/' {
			depth--
			lx.pos += 2
			if depth == 0 {
				return true
			}
			continue
		}
		lx.pos++
	}
	return false
}

// next scans the next token into tok, skipping whitespace and comments.
// (Filling the caller's token in place, rather than returning a small
// struct of mixed-width fields, avoids store-forwarding stalls that made
// returning it cost more than scanning it.)
func (lx *lexer) next(tok *token) {
	tok.cat, tok.kw, tok.ch, tok.la = catNone, kwInvalid, 0, false
	if !lx.skipSpace() {
		tok.kind, tok.start, tok.end = tUnsure, int32(lx.pos), int32(len(lx.src))
		return
	}
	src := lx.src
	start := lx.pos
	tok.start = int32(start)
	if start >= len(src) {
		tok.kind, tok.end = tEOF, int32(start)
		return
	}
	c := src[start]
	switch {
	case isIdentStart(c):
		lx.scanWordOrPrefixedString(start, tok)
	case c == '\'':
		lx.pos++
		tok.kind = lx.scanQuoted(quoteStandard)
	case c == '"':
		tok.kind = lx.scanQuotedIdent()
	case isDigit(c) || (c == '.' && start+1 < len(src) && isDigit(src[start+1])):
		tok.kind = lx.scanNumber()
	case c == '$':
		tok.kind = lx.scanDollar()
	case c == ':':
		lx.pos++
		tok.kind, tok.ch = tSelf, ':'
		if lx.pos < len(src) {
			switch src[lx.pos] {
			case ':':
				lx.pos++
				tok.kind = tTypecast
			case '=':
				lx.pos++
				tok.kind = tColonEq
			}
		}
	case c == '.':
		lx.pos++
		tok.kind, tok.ch = tSelf, '.'
		if lx.pos < len(src) && src[lx.pos] == '.' {
			lx.pos++
			tok.kind = tDotDot
		}
	case c == '(' || c == ')' || c == ',' || c == ';' || c == '[' || c == ']':
		lx.pos++
		tok.kind, tok.ch = tSelf, c
	case isOpChar(c):
		tok.kind = lx.scanOperator()
		tok.ch = c
	default:
		// Backslash, braces, control characters...: PostgreSQL returns
		// them as single-character tokens that no grammar rule accepts.
		lx.pos++
		tok.kind = tUnsure
	}
	tok.end = int32(lx.pos)
}

// scanWordOrPrefixedString scans an identifier or keyword, or a string
// constant with an E, B, X, N or U& prefix.
func (lx *lexer) scanWordOrPrefixedString(start int, tok *token) {
	src := lx.src
	c := src[start]
	if start+1 < len(src) {
		n := src[start+1]
		switch c {
		case 'e', 'E':
			if n == '\'' {
				lx.pos = start + 2
				tok.kind = lx.scanQuoted(quoteEscape)
				return
			}
		case 'b', 'B', 'x', 'X':
			if n == '\'' {
				lx.pos = start + 2
				tok.kind = lx.scanQuoted(quoteBit)
				if tok.kind == tString {
					tok.kind = tBitString
				}
				return
			}
		case 'n', 'N':
			if n == '\'' {
				// National character literal: the lexer emits NATIONAL
				// CHARACTER tokens; not worth modelling.
				lx.pos = start + 2
				lx.scanQuoted(quoteStandard)
				tok.kind = tUnsure
				return
			}
		case 'u', 'U':
			if n == '&' {
				lx.pos = start + 2
				tok.kind = tUnsure // Unicode escapes, UESCAPE: fall back.
				if lx.pos < len(src) && src[lx.pos] == '\'' {
					lx.pos++
					lx.scanQuoted(quoteStandard)
				} else if lx.pos < len(src) && src[lx.pos] == '"' {
					lx.scanQuotedIdent()
				}
				return
			}
		}
	}
	// Scan the identifier, folding case and hashing for the keyword
	// lookup as we go.
	h := uint32(2166136261)
	p := start
	for p < len(src) && isIdentCont(src[p]) {
		b := src[p]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		h = (h ^ uint32(b)) * 16777619
		p++
	}
	lx.pos = p
	n := p - start
	if n > maxIdentLen {
		tok.kind = tUnsure
		return
	}
	tok.kind = tIdent
	if n <= maxKeywordLen {
		if kw, ok := lookupKeyword(src[start:p], h); ok {
			tok.kind, tok.kw, tok.cat = tKeyword, kw.id, kw.cat
		}
	}
}

// String literal flavours.
const (
	quoteStandard = iota // '...': '' is a quote
	quoteEscape          // E'...': backslash escapes too
	quoteBit             // B'...', X'...': no escapes at all
)

// scanQuoted scans the body of a single-quoted string whose opening quote
// has been consumed, including PostgreSQL's continuation across newlines
// ('a'\n'b' is one constant).
func (lx *lexer) scanQuoted(mode int) tokKind {
	src := lx.src
	kind := tString
	for {
		for {
			if lx.pos >= len(src) {
				return tUnsure // unterminated quoted string
			}
			c := src[lx.pos]
			if mode == quoteEscape && c == '\\' {
				if lx.pos+1 >= len(src) {
					return tUnsure
				}
				switch e := src[lx.pos+1]; {
				case e >= '0' && e <= '7', e == 'x', e == 'u', e == 'U':
					// Octal, hex and Unicode escapes can produce bytes
					// PostgreSQL rejects as invalid UTF-8.
					kind = tUnsure
				}
				lx.pos += 2
				continue
			}
			if c == '\'' {
				if mode != quoteBit && lx.pos+1 < len(src) && src[lx.pos+1] == '\'' {
					lx.pos += 2
					continue
				}
				lx.pos++
				break
			}
			lx.pos++
		}
		if !lx.quoteContinues() {
			return kind
		}
	}
}

// quoteContinues reports whether the closing quote at lx.pos-1 is followed
// by white space containing a newline and another quote, in which case
// PostgreSQL concatenates the two literals ('a'\n'b'); if so it consumes
// up to and including that quote. Comments are not allowed in between
// (PostgreSQL 17 rejects them there).
func (lx *lexer) quoteContinues() bool {
	src := lx.src
	p := lx.pos
	newline := false
	for p < len(src) && isSpace(src[p]) {
		if src[p] == '\n' || src[p] == '\r' {
			newline = true
		}
		p++
	}
	if newline && p < len(src) && src[p] == '\'' {
		lx.pos = p + 1
		return true
	}
	return false
}

// scanQuotedIdent scans "identifier" with "" escapes.
func (lx *lexer) scanQuotedIdent() tokKind {
	src := lx.src
	start := lx.pos
	lx.pos++
	for lx.pos < len(src) {
		if src[lx.pos] == '"' {
			if lx.pos+1 < len(src) && src[lx.pos+1] == '"' {
				lx.pos += 2
				continue
			}
			lx.pos++
			body := lx.pos - start - 2
			if body == 0 || body > maxIdentLen {
				return tUnsure // zero-length or truncated identifier
			}
			return tQIdent
		}
		lx.pos++
	}
	return tUnsure
}

// scanNumber scans decimal integers and numerics. Hex/octal/binary
// literals, underscores and trailing junk (1abc, 1.2.3) are left to the
// real parser.
func (lx *lexer) scanNumber() tokKind {
	src := lx.src
	p := lx.pos
	kind := tInt
	for p < len(src) && isDigit(src[p]) {
		p++
	}
	if p < len(src) && src[p] == '.' {
		if p+1 < len(src) && src[p+1] == '.' {
			// "1..2": PostgreSQL backs up to the integer.
			lx.pos = p
			return tUnsure
		}
		kind = tNumber
		p++
		for p < len(src) && isDigit(src[p]) {
			p++
		}
	}
	if p < len(src) && (src[p] == 'e' || src[p] == 'E') {
		q := p + 1
		if q < len(src) && (src[q] == '+' || src[q] == '-') {
			q++
		}
		if q >= len(src) || !isDigit(src[q]) {
			lx.pos = q
			return tUnsure
		}
		for q < len(src) && isDigit(src[q]) {
			q++
		}
		p = q
		kind = tNumber
	}
	lx.pos = p
	if p < len(src) && (isIdentCont(src[p]) || src[p] == '.') {
		return tUnsure // trailing junk or 0x/0o/0b/1_000 forms
	}
	return kind
}

// scanDollar scans $n parameters and dollar-quoted strings.
func (lx *lexer) scanDollar() tokKind {
	src := lx.src
	start := lx.pos
	p := start + 1
	if p < len(src) && isDigit(src[p]) {
		for p < len(src) && isDigit(src[p]) {
			p++
		}
		lx.pos = p
		if p < len(src) && isIdentCont(src[p]) {
			return tUnsure // "$1abc", "$1_0"
		}
		return tParam
	}
	// Dollar-quote delimiter: $tag$ with tag [A-Za-z\200-\377_][...0-9]*.
	if p < len(src) && isIdentStart(src[p]) {
		p++
		for p < len(src) && (isIdentStart(src[p]) || isDigit(src[p])) {
			p++
		}
	}
	if p >= len(src) || src[p] != '$' {
		lx.pos = start + 1
		return tUnsure
	}
	delim := src[start : p+1]
	body := p + 1
	for q := body; q+len(delim) <= len(src); q++ {
		if src[q] == '$' && string(src[q:q+len(delim)]) == string(delim) {
			lx.pos = q + len(delim)
			return tString
		}
	}
	lx.pos = len(src)
	return tUnsure // unterminated dollar-quoted string
}

// scanOperator scans an operator the way scan.l does: the longest run of
// operator characters, cut before an embedded comment start, with trailing
// + and - given back unless an earlier character is one of ~ ! @ # ^ & | ` ?
// or %. (So "=-1" is "=" then "-" then "1".)
func (lx *lexer) scanOperator() tokKind {
	src := lx.src
	start := lx.pos
	end := start
	for end < len(src) && isOpChar(src[end]) {
		end++
	}
	n := end - start
	for i := start + 1; i+1 < end; i++ {
		if (src[i] == '-' && src[i+1] == '-') || (src[i] == '/' && src[i+1] == '*') {
			n = i - start
			break
		}
	}
	if n > 1 && (src[start+n-1] == '+' || src[start+n-1] == '-') {
		special := false
		for i := start; i < start+n-1; i++ {
			switch src[i] {
			case '~', '!', '@', '#', '^', '&', '|', '`', '?', '%':
				special = true
			}
		}
		if !special {
			for n > 1 && (src[start+n-1] == '+' || src[start+n-1] == '-') {
				n--
			}
		}
	}
	lx.pos = start + n
	if n == 2 && src[start] == '=' && src[start+1] == '>' {
		return tEqGreater
	}
	if n >= maxIdentLen+1 {
		return tUnsure // "operator too long"
	}
	return tOp
}
