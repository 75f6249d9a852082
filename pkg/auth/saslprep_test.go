package auth_test

import (
	"testing"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
)

func TestSASLprep(t *testing.T) {
	cases := []struct{ in, want string }{
		// RFC 4013 §3 examples
		{"I\u00adX", "IX"},
		{"user", "user"},
		{"USER", "USER"},
		{"\u00aa", "a"},
		{"\u2168", "IX"},
		// ASCII, even with control characters, is used as it is (PostgreSQL).
		{"a\u0007b", "a\u0007b"},
		// non-ASCII space becomes a space; zero-width space too (C.1.2 first)
		{"a\u00a0b\u3000c", "a b c"},
		// a prohibited character makes the raw password count
		{"\u00e9\u0007", "\u00e9\u0007"},
		{"\u00e9\ue000", "\u00e9\ue000"},
		// bidi: RandALCat must start and end the string, no LCat
		{"\u0627\u0031", "\u0627\u0031"},
		{"\u0627\u0031\u0628", "\u0627\u0031\u0628"},
		{"\u0627a\u0628", "\u0627a\u0628"},
		// invalid UTF-8 is used raw
		{"\xff\xfe", "\xff\xfe"},
		// mapped to nothing entirely: raw (our choice; PostgreSQL refuses empty passwords anyway)
		{"\u00ad", "\u00ad"},
	}
	for _, c := range cases {
		if got := auth.SASLprep(c.in); got != c.want {
			t.Errorf("SASLprep(%+q) = %+q, want %+q", c.in, got, c.want)
		}
	}
}
