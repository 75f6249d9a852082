package pcp

// ReloadConfig (Z) makes pgpool re-read its configuration files. The payload
// is the scope byte; the reply is CommandComplete of type z.
type ReloadConfig struct {
	Scope Scope
}

func (*ReloadConfig) Type() byte { return 'Z' }

func (src *ReloadConfig) Encode(dst []byte) ([]byte, error) {
	return appendScopeRequest(dst, 'Z', src.Scope)
}

func (dst *ReloadConfig) Decode(src []byte) (err error) {
	dst.Scope, err = decodeScope('Z', src)
	return err
}
