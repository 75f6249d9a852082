package auth

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
)

// ssl_ciphers is an OpenSSL cipher list ("HIGH:MEDIUM:+3DES:!aNULL",
// Pgpool's default). Go's TLS differs from OpenSSL in three ways that
// shape this mapping:
//
//   - TLS 1.3 suites are not configurable in Go (all three are always on);
//     ssl_ciphers, as in OpenSSL (where TLS 1.3 has ssl_tls13_ciphers),
//     only chooses TLS 1.2 suites.
//   - Go implements ECDHE key exchange with AES-GCM, AES-CBC and
//     ChaCha20-Poly1305; there are no DHE, PSK, CAMELLIA, ARIA, SEED or NULL
//     suites, and the RSA key exchange (no forward secrecy), 3DES, RC4 and
//     CBC-SHA256 suites Go has are ones it classifies insecure
//     (tls.InsecureCipherSuites): pgpoold never enables those. So MEDIUM,
//     LOW, kRSA, 3DES, DHE and the like select nothing, and aNULL/eNULL
//     exclude nothing.
//   - Go picks the suite by its own preference (hardware AES support), not
//     by the list's order, and ignores ssl_prefer_server_ciphers.
//
// Within that, the syntax is OpenSSL's: elements separated by ':' (or
// ',', ' ', ';'); "A+B" is the intersection of A and B; a '!' prefix
// removes for good, '-' removes, '+' moves to the end, no prefix appends;
// @STRENGTH sorts by key size; @SECLEVEL is ignored; full OpenSSL names
// ("ECDHE-RSA-AES128-GCM-SHA256") select one suite. Unknown words are
// ignored, as OpenSSL ignores them; a list that selects no TLS 1.2 suite
// at all is an error, as in OpenSSL ("no cipher match").

type cipherInfo struct {
	id   uint16
	name string // OpenSSL's name
	tags []string
	bits int
}

// cipherTable is every TLS 1.2 suite pgpoold may enable, with the OpenSSL
// keywords that select it.
var cipherTable = []cipherInfo{
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", []string{"kECDHE", "aECDSA", "AES256", "AESGCM", "SHA384", "AEAD"}, 256},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", []string{"kECDHE", "aRSA", "AES256", "AESGCM", "SHA384", "AEAD"}, 256},
	{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", []string{"kECDHE", "aECDSA", "CHACHA20", "SHA256", "AEAD"}, 256},
	{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", []string{"kECDHE", "aRSA", "CHACHA20", "SHA256", "AEAD"}, 256},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", []string{"kECDHE", "aECDSA", "AES128", "AESGCM", "SHA256", "AEAD"}, 128},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", []string{"kECDHE", "aRSA", "AES128", "AESGCM", "SHA256", "AEAD"}, 128},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "ECDHE-ECDSA-AES256-SHA", []string{"kECDHE", "aECDSA", "AES256", "SHA1", "TLSv1"}, 256},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA", []string{"kECDHE", "aRSA", "AES256", "SHA1", "TLSv1"}, 256},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ECDHE-ECDSA-AES128-SHA", []string{"kECDHE", "aECDSA", "AES128", "SHA1", "TLSv1"}, 128},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "ECDHE-RSA-AES128-SHA", []string{"kECDHE", "aRSA", "AES128", "SHA1", "TLSv1"}, 128},
}

// cipherAliases maps OpenSSL keywords to the tags above; a keyword that
// maps to nil is known but selects no suite Go has.
var cipherAliases = map[string][]string{
	"ALL": {"*"}, "DEFAULT": {"*"}, "HIGH": {"*"}, "TLSv1.2": {"*"},
	"COMPLEMENTOFDEFAULT": nil, "COMPLEMENTOFALL": nil,
	"kECDHE": {"kECDHE"}, "kEECDH": {"kECDHE"}, "ECDHE": {"kECDHE"}, "EECDH": {"kECDHE"}, "ECDH": {"kECDHE"},
	"kRSA": nil, "RSA": nil, "aRSA": {"aRSA"},
	"aECDSA": {"aECDSA"}, "ECDSA": {"aECDSA"},
	"AES": {"AES128", "AES256"}, "AES128": {"AES128"}, "AES256": {"AES256"}, "AESGCM": {"AESGCM"},
	"CHACHA20": {"CHACHA20"}, "SHA1": {"SHA1"}, "SHA": {"SHA1"}, "SHA256": {"SHA256"}, "SHA384": {"SHA384"},
	"AEAD": {"AEAD"}, "TLSv1": {"TLSv1"}, "SSLv3": {"TLSv1"}, "TLSv1.0": {"TLSv1"},
	// Known to OpenSSL, nothing in Go (or only suites Go calls insecure).
	"MEDIUM": nil, "LOW": nil, "EXPORT": nil, "EXP": nil, "eNULL": nil, "NULL": nil, "aNULL": nil,
	"3DES": nil, "DES": nil, "RC4": nil, "RC2": nil, "IDEA": nil, "SEED": nil,
	"MD5": nil, "CAMELLIA": nil, "CAMELLIA128": nil, "CAMELLIA256": nil, "ARIA": nil, "ARIA128": nil, "ARIA256": nil,
	"DHE": nil, "EDH": nil, "kDHE": nil, "kEDH": nil, "DH": nil, "kDH": nil, "ADH": nil, "AECDH": nil,
	"PSK": nil, "kPSK": nil, "aPSK": nil, "SRP": nil, "kSRP": nil, "aDSS": nil, "DSS": nil,
	"AESCCM": nil, "AESCCM8": nil, "kGOST": nil, "GOST94": nil, "GOST89MAC": nil, "SUITEB128": nil, "SUITEB192": nil,
	"SUITEB128ONLY": nil, "SUITEB128C2": nil, "kECDHEPSK": nil, "kDHEPSK": nil, "kRSAPSK": nil,
	// OpenSSL names of suites Go has but calls insecure.
	"AES128-SHA": nil, "AES256-SHA": nil, "AES128-GCM-SHA256": nil, "AES256-GCM-SHA384": nil,
	"AES128-SHA256": nil, "AES256-SHA256": nil, "DES-CBC3-SHA": nil, "ECDHE-RSA-DES-CBC3-SHA": nil,
	"ECDHE-RSA-AES128-SHA256": nil, "ECDHE-ECDSA-AES128-SHA256": nil, "RC4-SHA": nil,
	"ECDHE-RSA-RC4-SHA": nil, "ECDHE-ECDSA-RC4-SHA": nil,
}

func (c *cipherInfo) has(tag string) bool { return tag == "*" || slices.Contains(c.tags, tag) }

// matchCipherWord returns the suites one word (no '+') selects; known
// reports whether OpenSSL knows the word.
func matchCipherWord(w string) (set []int, known bool) {
	for i := range cipherTable {
		if cipherTable[i].name == w {
			return []int{i}, true
		}
	}
	tags, ok := cipherAliases[w]
	if !ok {
		return nil, false
	}
	for i := range cipherTable {
		for _, t := range tags {
			if cipherTable[i].has(t) {
				set = append(set, i)
				break
			}
		}
	}
	return set, true
}

// CipherSuites maps an ssl_ciphers string to Go's TLS 1.2 cipher suites.
// Warnings name words that were ignored.
func CipherSuites(spec string) (suites []uint16, warnings []string, err error) {
	var list []int
	banned := map[int]bool{}
	fields := strings.FieldsFunc(spec, func(r rune) bool { return r == ':' || r == ',' || r == ' ' || r == ';' })
	for _, f := range fields {
		if f == "@STRENGTH" {
			slices.SortStableFunc(list, func(a, b int) int { return cipherTable[b].bits - cipherTable[a].bits })
			continue
		}
		if strings.HasPrefix(f, "@") { // @SECLEVEL=n and the like
			continue
		}
		op := byte(0)
		if f[0] == '!' || f[0] == '-' || f[0] == '+' {
			op, f = f[0], f[1:]
		}
		var sel []int
		first, known := true, true
		for _, w := range strings.Split(f, "+") {
			if w == "" {
				continue
			}
			s, ok := matchCipherWord(w)
			if !ok {
				known = false
				break
			}
			if first {
				sel, first = s, false
				continue
			}
			sel = slices.DeleteFunc(sel, func(i int) bool { return !slices.Contains(s, i) })
		}
		if !known {
			warnings = append(warnings, fmt.Sprintf("ssl_ciphers: %q is not a cipher or keyword pgpool-go knows; ignored", f))
			continue
		}
		switch op {
		case '!':
			for _, i := range sel {
				banned[i] = true
			}
			list = slices.DeleteFunc(list, func(i int) bool { return banned[i] })
		case '-':
			list = slices.DeleteFunc(list, func(i int) bool { return slices.Contains(sel, i) })
		case '+':
			var moved []int
			list = slices.DeleteFunc(list, func(i int) bool {
				if slices.Contains(sel, i) {
					moved = append(moved, i)
					return true
				}
				return false
			})
			list = append(list, moved...)
		default:
			for _, i := range sel {
				if !banned[i] && !slices.Contains(list, i) {
					list = append(list, i)
				}
			}
		}
	}
	if len(list) == 0 {
		return nil, warnings, fmt.Errorf("ssl_ciphers %q selects no TLS 1.2 cipher suite that pgpool-go supports (no cipher match)", spec)
	}
	for _, i := range list {
		suites = append(suites, cipherTable[i].id)
	}
	return suites, warnings, nil
}

// CurvePreferences maps ssl_ecdh_curve to Go's curve IDs. Pgpool (like
// PostgreSQL before 18) sets one curve, and OpenSSL then offers only that
// group, for TLS 1.3 key shares too; a colon-separated list is accepted as
// well.
func CurvePreferences(spec string) ([]tls.CurveID, error) {
	var out []tls.CurveID
	for _, name := range strings.Split(spec, ":") {
		switch strings.TrimSpace(name) {
		case "prime256v1", "secp256r1", "P-256":
			out = append(out, tls.CurveP256)
		case "secp384r1", "P-384":
			out = append(out, tls.CurveP384)
		case "secp521r1", "P-521":
			out = append(out, tls.CurveP521)
		case "X25519", "x25519":
			out = append(out, tls.X25519)
		case "X25519MLKEM768":
			out = append(out, tls.X25519MLKEM768)
		case "":
		default:
			return nil, fmt.Errorf("ECDH: unrecognized curve name: %s", name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ECDH: unrecognized curve name: %s", spec)
	}
	return out, nil
}
