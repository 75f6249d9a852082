package pcp

// LogRotate (V, 4.6+) makes the logging collector switch files. The payload
// is the scope byte; the reply is CommandComplete of type v.
type LogRotate struct {
	Scope Scope
}

func (*LogRotate) Type() byte { return 'V' }

func (src *LogRotate) Encode(dst []byte) ([]byte, error) {
	return appendScopeRequest(dst, 'V', src.Scope)
}

func (dst *LogRotate) Decode(src []byte) (err error) {
	dst.Scope, err = decodeScope('V', src)
	return err
}
