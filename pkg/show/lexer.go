package show

// lexer reads the few tokens of Pgpool's commands: words, a quoted or
// unquoted value, '=' and the end (optional semicolons and whitespace).
type lexer struct {
	s []byte
	i int
}

func (l *lexer) skip() {
	for l.i < len(l.s) {
		switch l.s[l.i] {
		case ' ', '\t', '\n', '\r', '\f':
			l.i++
		default:
			return
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// word reads an unquoted identifier or keyword.
func (l *lexer) word() []byte {
	l.skip()
	start := l.i
	for l.i < len(l.s) && isWordByte(l.s[l.i]) {
		l.i++
	}
	return l.s[start:l.i]
}

// name reads a parameter name: an identifier (lower-cased, as the parser
// folds it) or a double-quoted name kept as written.
func (l *lexer) name() (string, bool) {
	l.skip()
	if l.i < len(l.s) && l.s[l.i] == '"' {
		v, ok := l.quoted('"')
		return v, ok && v != ""
	}
	w := l.word()
	return string(lower(w)), len(w) > 0
}

// value reads a SET value: a quoted string, a number or a word.
func (l *lexer) value() (v string, quoted, ok bool) {
	l.skip()
	if l.i < len(l.s) && l.s[l.i] == '\'' {
		v, ok := l.quoted('\'')
		return v, true, ok
	}
	start := l.i
	for l.i < len(l.s) && (isWordByte(l.s[l.i]) || l.s[l.i] == '.' || l.s[l.i] == '-') {
		l.i++
	}
	return string(l.s[start:l.i]), false, l.i > start
}

// quoted reads a string in q quotes with doubled quotes as escapes.
func (l *lexer) quoted(q byte) (string, bool) {
	l.i++
	var out []byte
	for l.i < len(l.s) {
		c := l.s[l.i]
		l.i++
		if c == q {
			if l.i < len(l.s) && l.s[l.i] == q {
				out = append(out, q)
				l.i++
				continue
			}
			return string(out), true
		}
		out = append(out, c)
	}
	return "", false
}

func (l *lexer) punct(c byte) bool {
	l.skip()
	if l.i < len(l.s) && l.s[l.i] == c {
		l.i++
		return true
	}
	return false
}

// end reports whether only semicolons and whitespace are left.
func (l *lexer) end() bool {
	for {
		l.skip()
		if l.i == len(l.s) {
			return true
		}
		if l.s[l.i] != ';' {
			return false
		}
		l.i++
	}
}
