package pcp

import "strconv"

// maxErrorField is how much of each field Pgpool sends (elog.c
// send_message_to_frontend truncates every value to 255 bytes).
const maxErrorField = 255

// Encode appends e as an E packet (or N when notice is true): the fields
// S, C, M, D and H when present, F, L, then a terminating NUL (§1.6).
func (src *Error) Encode(dst []byte, notice bool) []byte {
	typ := byte('E')
	if notice {
		typ = 'N'
	}
	dst, sp := beginPacket(dst, typ)
	code := src.Code
	if code == "" {
		code = DefaultCode
	}
	dst = appendErrorField(dst, 'S', src.Severity)
	dst = appendErrorField(dst, 'C', code)
	dst = appendErrorField(dst, 'M', src.Message)
	if src.Detail != "" {
		dst = appendErrorField(dst, 'D', src.Detail)
	}
	if src.Hint != "" {
		dst = appendErrorField(dst, 'H', src.Hint)
	}
	file := src.File
	if file == "" {
		file = "pcp"
	}
	dst = appendErrorField(dst, 'F', file)
	dst = appendErrorField(dst, 'L', strconv.Itoa(src.Line))
	dst = append(dst, 0)
	return finishPacket(dst, sp)
}

func appendErrorField(dst []byte, tag byte, v string) []byte {
	if len(v) > maxErrorField {
		v = v[:maxErrorField]
	}
	dst = append(dst, tag)
	return appendCString(dst, v)
}

// Decode reads the payload of an E or N packet. Unknown field tags are kept
// out of the result, as libpcp ignores them.
func (dst *Error) Decode(src []byte) error {
	*dst = Error{}
	for {
		if len(src) == 0 {
			return malformed('E', errUnterminated)
		}
		tag := src[0]
		if tag == 0 {
			break
		}
		v, rest, err := cstring(src[1:])
		if err != nil {
			return malformed('E', err)
		}
		src = rest
		switch tag {
		case 'S':
			dst.Severity = v
		case 'C':
			dst.Code = v
		case 'M':
			dst.Message = v
		case 'D':
			dst.Detail = v
		case 'H':
			dst.Hint = v
		case 'F':
			dst.File = v
		case 'L':
			dst.Line, _ = strconv.Atoi(v)
		}
	}
	return nil
}
