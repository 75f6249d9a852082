package config

import (
	"fmt"
	"strings"
)

// lineKind is what one line of pgpool.conf holds.
type lineKind uint8

const (
	lineEmpty   lineKind = iota // blank or comment only
	lineAssign                  // name [=] value
	lineInclude                 // include [=] 'file'
)

// lexedLine is one line after tokenizing.
type lexedLine struct {
	kind  lineKind
	name  string
	value string
}

// lexLine tokenizes one line the way Pgpool-II's flex lexer (pool_config.l)
// does: whitespace is skipped, '#' starts a comment outside quotes, a line is
// KEY [=] VALUE where VALUE is a single-quoted string, an unquoted word
// (letter, then letters, digits and "_-.:/"), an integer (decimal or 0x hex,
// unit letters may follow) or a real.
//
// Quoted strings: a backslash protects the next character but is kept (Pgpool
// strips the quotes and does not unescape), so '\” stays \' . A doubled ”
// inside a quoted string is accepted as one quote; Pgpool's lexer rejects it,
// accepting it cannot change the meaning of a file Pgpool accepts.
func lexLine(line string) (lexedLine, error) {
	s := lx{src: line}
	s.skipSpace()
	if s.eol() {
		return lexedLine{}, nil
	}
	key, ok := s.key()
	if !ok {
		return lexedLine{}, s.syntax()
	}
	s.skipSpace()
	if !s.eol() && s.peek() == '=' {
		s.pos++
		s.skipSpace()
	}
	if s.eol() {
		return lexedLine{}, fmt.Errorf("syntax error: missing value for %q", key)
	}
	val, err := s.value()
	if err != nil {
		return lexedLine{}, err
	}
	s.skipSpace()
	if !s.eol() {
		return lexedLine{}, s.syntax()
	}
	k := lineAssign
	if key == "include" {
		k = lineInclude
	}
	return lexedLine{kind: k, name: key, value: val}, nil
}

type lx struct {
	src string
	pos int
}

func (s *lx) peek() byte { return s.src[s.pos] }

// eol reports end of line, treating a comment as the end.
func (s *lx) eol() bool { return s.pos >= len(s.src) || s.src[s.pos] == '#' || s.src[s.pos] == '\n' }

func (s *lx) skipSpace() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\r', '\f', '\v':
			s.pos++
		default:
			return
		}
	}
}

func (s *lx) syntax() error {
	tok := s.src[s.pos:]
	if i := strings.IndexAny(tok, " \t\r\n"); i > 0 {
		tok = tok[:i]
	}
	return fmt.Errorf("syntax error near %q", tok)
}

// isLetter matches Pgpool's LETTER class [A-Za-z_\200-\377].
func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (s *lx) key() (string, bool) {
	start := s.pos
	if s.pos >= len(s.src) || !isLetter(s.src[s.pos]) {
		return "", false
	}
	for s.pos < len(s.src) && (isLetter(s.src[s.pos]) || isDigit(s.src[s.pos])) {
		s.pos++
	}
	return s.src[start:s.pos], true
}

func (s *lx) value() (string, error) {
	c := s.peek()
	switch {
	case c == '\'':
		return s.quoted()
	case isLetter(c):
		start := s.pos
		for s.pos < len(s.src) {
			c := s.src[s.pos]
			if isLetter(c) || isDigit(c) || c == '-' || c == '.' || c == ':' || c == '/' {
				s.pos++
				continue
			}
			break
		}
		return s.src[start:s.pos], nil
	case isDigit(c) || c == '-' || c == '+' || c == '.':
		return s.number()
	}
	return "", s.syntax()
}

func (s *lx) quoted() (string, error) {
	var b strings.Builder
	s.pos++ // opening quote
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '\n':
			return "", fmt.Errorf("syntax error: unterminated quoted string")
		case c == '\\' && s.pos+1 < len(s.src) && s.src[s.pos+1] != '\n':
			b.WriteByte(c)
			b.WriteByte(s.src[s.pos+1])
			s.pos += 2
		case c == '\'':
			if s.pos+1 < len(s.src) && s.src[s.pos+1] == '\'' {
				b.WriteByte('\'')
				s.pos += 2
				continue
			}
			s.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	return "", fmt.Errorf("syntax error: unterminated quoted string")
}

// number scans INTEGER ({SIGN}?({DIGIT}+|0x{HEXDIGIT}+) with unit letters)
// or REAL ({SIGN}?{DIGIT}*.{DIGIT}*{EXPONENT}?, unit letters allowed too).
func (s *lx) number() (string, error) {
	start := s.pos
	if c := s.peek(); c == '-' || c == '+' {
		s.pos++
	}
	digits := 0
	if s.pos+1 < len(s.src) && s.src[s.pos] == '0' && (s.src[s.pos+1] == 'x' || s.src[s.pos+1] == 'X') &&
		s.pos+2 < len(s.src) && isHex(s.src[s.pos+2]) {
		s.pos += 2
		for s.pos < len(s.src) && isHex(s.src[s.pos]) {
			s.pos++
			digits++
		}
	} else {
		for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
			s.pos++
			digits++
		}
		if s.pos < len(s.src) && s.src[s.pos] == '.' {
			s.pos++
			for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
				s.pos++
				digits++
			}
			if s.pos+1 < len(s.src) && (s.src[s.pos] == 'e' || s.src[s.pos] == 'E') {
				p := s.pos + 1
				if s.src[p] == '-' || s.src[p] == '+' {
					p++
				}
				if p < len(s.src) && isDigit(s.src[p]) {
					for p < len(s.src) && isDigit(s.src[p]) {
						p++
					}
					s.pos = p
				}
			}
		}
	}
	if digits == 0 {
		s.pos = start
		return "", s.syntax()
	}
	for s.pos < len(s.src) && (s.src[s.pos] >= 'a' && s.src[s.pos] <= 'z' || s.src[s.pos] >= 'A' && s.src[s.pos] <= 'Z') {
		s.pos++
	}
	return s.src[start:s.pos], nil
}
