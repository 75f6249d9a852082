package child

import (
	"errors"
	"time"

	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// Client authentication and TLS of a session (issue #5). The session calls
// these hooks in order: negotiateTLS for each SSLRequest, then
// authenticateClient once the startup packet is read (pool_hba.conf), then
// either backendPassword while a new slot connects to nodes, or
// reauthenticate when a cached slot is reused.

// negotiateTLS answers an SSLRequest. TODO(#5): TLS; until then 'N' and
// the client goes on in plain text (or gives up if it requires TLS).
func (s *session) negotiateTLS(deadline time.Time) bool {
	s.client.Write([]byte{'N'})
	return relay.FlushWait(s.client, deadline) == nil
}

// authenticateClient authenticates the client against pool_hba.conf when
// enable_pool_hba is on. TODO(#5).
func (s *session) authenticateClient(deadline time.Time) bool {
	return true
}

// backendPassword supplies a password when a node asks for one.
// TODO(#5): pool_passwd and the client's password.
func (s *session) backendPassword() (string, error) {
	return "", errors.New("the node asks for a password; password authentication through pgpool-go arrives with pool_passwd support")
}

// reauthenticate checks a client taking a cached slot. A slot is handed
// only to a client that authenticated for the user it was opened for.
// TODO(#5): re-authenticate with the method the backend used.
func (s *session) reauthenticate(deadline time.Time) bool {
	return s.slot.AuthUser == s.st.User
}
