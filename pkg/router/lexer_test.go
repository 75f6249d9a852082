package router

import "testing"

func TestLexerTokens(t *testing.T) {
	cases := []struct {
		src  string
		want []tokKind
	}{
		{"SELECT a", []tokKind{tKeyword, tIdent}},
		{`"select" "a""b"`, []tokKind{tQIdent, tQIdent}},
		{`''`, []tokKind{tString}},
		{"'it''s'", []tokKind{tString}},
		{`E'it\'s'`, []tokKind{tString}},
		{`e'\\'`, []tokKind{tString}},
		{`E'\x41'`, []tokKind{tUnsure}},
		{"'a'\n'b'", []tokKind{tString}},
		{"'a' 'b'", []tokKind{tString, tString}},
		{"'a'\n-- c\n'b'", []tokKind{tString, tString}},
		{"$$a;b$$", []tokKind{tString}},
		{"$tag$ $$ $tag$", []tokKind{tString}},
		{"$tag$ $TAG$", []tokKind{tUnsure}},
		{"$1 $23", []tokKind{tParam, tParam}},
		{"$1a", []tokKind{tUnsure, tIdent}},
		{"foo$bar$", []tokKind{tIdent}},
		{"/* a /* b */ c */ x", []tokKind{tIdent}},
		{"/* a /* b */ x", []tokKind{tUnsure}},
		{"-- all comment", nil},
		{"1 1.5 .5 1e10 1.5E-3", []tokKind{tInt, tNumber, tNumber, tNumber, tNumber}},
		{"1abc", []tokKind{tUnsure, tIdent}},
		{"0x1F", []tokKind{tUnsure, tIdent}},
		{"1..2", []tokKind{tUnsure, tDotDot, tInt}},
		{"a=-1", []tokKind{tIdent, tOp, tOp, tInt}},
		{"a@-1", []tokKind{tIdent, tOp, tInt}},
		{"a+-- c\n1", []tokKind{tIdent, tOp, tInt}},
		{"a::int", []tokKind{tIdent, tTypecast, tKeyword}},
		{"f(x => 1, y := 2)", []tokKind{tIdent, tSelf, tIdent, tEqGreater, tInt, tSelf, tIdent, tColonEq, tInt, tSelf}},
		{"B'01' X'ff'", []tokKind{tBitString, tBitString}},
		{"B''''", []tokKind{tBitString, tString}},
		{"U&'x'", []tokKind{tUnsure}},
		{"N'x'", []tokKind{tUnsure}},
		{"\\d", []tokKind{tUnsure, tIdent}},
		{`""`, []tokKind{tUnsure}},
		{"'unterminated", []tokKind{tUnsure}},
	}
	for _, tc := range cases {
		var lx lexer
		lx.reset([]byte(tc.src))
		var got []tokKind
		for {
			var tok token
			lx.next(&tok)
			if tok.kind == tEOF {
				break
			}
			got = append(got, tok.kind)
			if len(got) > 20 {
				break
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: tokens %v, want %v", tc.src, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: tokens %v, want %v", tc.src, got, tc.want)
				break
			}
		}
	}
}

func TestLexerKeywordsAreCaseInsensitive(t *testing.T) {
	for _, s := range []string{"select", "SELECT", "SeLeCt"} {
		var lx lexer
		lx.reset([]byte(s))
		var tok token
		if lx.next(&tok); tok.kind != tKeyword || tok.kw != kwSelect || tok.cat != catReserved {
			t.Errorf("%q: %+v", s, tok)
		}
	}
	var lx lexer
	lx.reset([]byte(`"SELECT"`))
	var tok token
	if lx.next(&tok); tok.kind != tQIdent {
		t.Errorf("quoted keyword is an identifier: %+v", tok)
	}
}
