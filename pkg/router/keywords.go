package router

// Keyword lookup: an open-addressing table keyed by the FNV-1a hash of the
// lower-cased identifier, which the lexer computes while scanning it; a
// lookup is one or two probes and a byte comparison, several times faster
// than a map lookup.

// maxKeywordLen is the length of the longest keyword ("current_timestamp").
const maxKeywordLen = 17

const kwHashBits = 11 // 2048 slots for 491 keywords

type kwSlot struct {
	name string // lower case; "" for an empty slot
	kw   keyword
}

var kwHashTable = func() (t [1 << kwHashBits]kwSlot) {
	for name, kw := range keywordTable {
		h := uint32(2166136261)
		for i := 0; i < len(name); i++ {
			h = (h ^ uint32(name[i])) * 16777619
		}
		for i := h & (1<<kwHashBits - 1); ; i = (i + 1) & (1<<kwHashBits - 1) {
			if t[i].name == "" {
				t[i] = kwSlot{name, kw}
				break
			}
		}
	}
	return t
}()

// lookupKeyword finds the keyword spelled by ident (any case) whose
// lower-case FNV-1a hash is h.
func lookupKeyword(ident []byte, h uint32) (keyword, bool) {
	for i := h & (1<<kwHashBits - 1); ; i = (i + 1) & (1<<kwHashBits - 1) {
		s := &kwHashTable[i]
		if s.name == "" {
			return keyword{}, false
		}
		if len(s.name) == len(ident) && equalFoldLower(ident, s.name) {
			return s.kw, true
		}
	}
}

// equalFoldLower compares b, folding ASCII upper case, with lower-case s.
func equalFoldLower(b []byte, s string) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
