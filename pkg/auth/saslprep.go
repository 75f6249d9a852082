package auth

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// SASLprep prepares a password for SCRAM as PostgreSQL's pg_saslprep does
// (src/common/saslprep.c, RFC 4013 over RFC 3454): an ASCII password is
// used as it is; otherwise non-ASCII spaces become U+0020, the characters
// "commonly mapped to nothing" are dropped, the result is NFKC-normalised,
// and it is checked for prohibited characters and the bidi rule. When the
// password is not valid UTF-8 or fails a check, PostgreSQL (server and
// libpq alike) uses the raw bytes, and so does this function: both ends
// must derive the same key.
//
// One approximation: RFC 3454 prohibits code points unassigned in Unicode
// 3.2 (table A.1); Go's tables are of a later Unicode, so a code point
// assigned after 3.2 passes here where PostgreSQL falls back to the raw
// bytes. The two results differ only when NFKC also changes such a
// password, which takes a rare password indeed.
func SASLprep(p string) string {
	ascii := true
	for i := 0; i < len(p); i++ {
		if p[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii || !utf8.ValidString(p) {
		return p
	}
	mapped := make([]rune, 0, len(p))
	for _, r := range p {
		switch {
		case inRanges(r, nonASCIISpace):
			mapped = append(mapped, ' ')
		case inRanges(r, mappedToNothing):
		default:
			mapped = append(mapped, r)
		}
	}
	out := norm.NFKC.String(string(mapped))
	if out == "" {
		return p
	}
	var randAL, l bool
	for _, r := range out {
		if prohibited(r) {
			return p
		}
		switch c := bidiClass(r); c {
		case bidi.R, bidi.AL:
			randAL = true
		case bidi.L:
			l = true
		}
	}
	if randAL {
		// RFC 3454 §6: no LCat at all, and RandALCat first and last.
		first, _ := utf8.DecodeRuneInString(out)
		last, _ := utf8.DecodeLastRuneInString(out)
		if l || !isRandAL(first) || !isRandAL(last) {
			return p
		}
	}
	return out
}

func bidiClass(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

func isRandAL(r rune) bool {
	c := bidiClass(r)
	return c == bidi.R || c == bidi.AL
}

type runeRange struct{ lo, hi rune }

func inRanges(r rune, t []runeRange) bool {
	for _, x := range t {
		if r >= x.lo && r <= x.hi {
			return true
		}
	}
	return false
}

// RFC 3454 C.1.2: non-ASCII space characters.
var nonASCIISpace = []runeRange{
	{0x00A0, 0x00A0}, {0x1680, 0x1680}, {0x2000, 0x200B}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
}

// RFC 3454 B.1: commonly mapped to nothing.
var mappedToNothing = []runeRange{
	{0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x1806, 0x1806}, {0x180B, 0x180D},
	{0x200B, 0x200D}, {0x2060, 0x2060}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF},
}

// RFC 3454 C.1.2 and C.2.1 to C.9, the characters SASLprep prohibits.
var prohibitedRanges = []runeRange{
	// C.1.2 non-ASCII space (already mapped; listed as the RFC does)
	{0x00A0, 0x00A0}, {0x1680, 0x1680}, {0x2000, 0x200B}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
	// C.2.1 ASCII control
	{0x0000, 0x001F}, {0x007F, 0x007F},
	// C.2.2 non-ASCII control
	{0x0080, 0x009F}, {0x06DD, 0x06DD}, {0x070F, 0x070F}, {0x180E, 0x180E}, {0x200C, 0x200D},
	{0x2028, 0x2029}, {0x2060, 0x2063}, {0x206A, 0x206F}, {0xFEFF, 0xFEFF}, {0xFFF9, 0xFFFC},
	{0x1D173, 0x1D17A},
	// C.3 private use
	{0xE000, 0xF8FF}, {0xF0000, 0xFFFFD}, {0x100000, 0x10FFFD},
	// C.4 non-character code points (the per-plane xFFFE-xFFFF are below)
	{0xFDD0, 0xFDEF},
	// C.5 surrogate codes
	{0xD800, 0xDFFF},
	// C.6 inappropriate for plain text
	{0xFFF9, 0xFFFD},
	// C.7 inappropriate for canonical representation
	{0x2FF0, 0x2FFB},
	// C.8 change display properties or deprecated
	{0x0340, 0x0341}, {0x200E, 0x200F}, {0x202A, 0x202E}, {0x206A, 0x206F},
	// C.9 tagging characters
	{0xE0001, 0xE0001}, {0xE0020, 0xE007F},
}

func prohibited(r rune) bool {
	if r&0xFFFE == 0xFFFE { // C.4: U+xxFFFE and U+xxFFFF of every plane
		return true
	}
	if inRanges(r, prohibitedRanges) {
		return true
	}
	// A.1 unassigned code points (see the approximation above).
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}
