package pcp

import "fmt"

// SetParameter (A) sets a session parameter of the PCP connection; Pgpool
// knows only client_min_messages. The reply is CommandComplete of type a.
type SetParameter struct {
	Name  string
	Value string
}

func (*SetParameter) Type() byte { return 'A' }

func (src *SetParameter) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, 'A')
	dst = appendCString(dst, src.Name)
	dst = appendCString(dst, src.Value)
	return finishRequest(dst, sp)
}

func (dst *SetParameter) Decode(src []byte) error {
	name, rest, err := cstring(src)
	if err != nil {
		return malformed('A', fmt.Errorf("parameter name: %w", err))
	}
	value, _, err := cstring(rest)
	if err != nil {
		return malformed('A', fmt.Errorf("parameter value: %w", err))
	}
	dst.Name, dst.Value = name, value
	return nil
}
