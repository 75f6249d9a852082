package supervisor

import (
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

func (s *Supervisor) handleRequest(r shm.Request) {
	switch r.Kind {
	case shm.ReqStop:
		switch r.Param {
		case 's':
			s.beginStop(stopSmart)
		case 'f':
			s.beginStop(stopFast)
		default:
			s.beginStop(stopImmediate)
		}
		s.seg.Done(r.Seq, shm.ResultOK)
	case shm.ReqReload:
		s.reload()
		s.seg.Done(r.Seq, shm.ResultOK)
	default:
		s.log.Warn().Str("request", r.Kind.String()).Ints("nodes", r.Nodes).Msg("node requests are not handled yet; request dropped")
		s.seg.Done(r.Seq, shm.ResultRejected)
	}
}
