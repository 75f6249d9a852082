package pcp

// InvalidateQueryCache (G, 4.6+) asks pgpool to drop the query cache. It has
// no payload; the reply is CommandComplete of type g.
type InvalidateQueryCache struct{}

func (*InvalidateQueryCache) Type() byte { return 'G' }

func (src *InvalidateQueryCache) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, 'G')
	return finishRequest(dst, sp)
}

func (dst *InvalidateQueryCache) Decode(src []byte) error { return nil }
