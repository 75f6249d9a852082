package pcp

// Terminate (X) ends the session; there is no reply.
type Terminate struct{}

func (*Terminate) Type() byte { return 'X' }

func (src *Terminate) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, 'X')
	return finishRequest(dst, sp)
}

func (dst *Terminate) Decode(src []byte) error { return nil }

// StopRecovery (F) is accepted and ignored, without a reply, as in Pgpool
// (a client that waits for one would hang).
type StopRecovery struct{}

func (*StopRecovery) Type() byte { return 'F' }

func (src *StopRecovery) Encode(dst []byte) ([]byte, error) {
	dst, sp := beginPacket(dst, 'F')
	return finishRequest(dst, sp)
}

func (dst *StopRecovery) Decode(src []byte) error { return nil }
