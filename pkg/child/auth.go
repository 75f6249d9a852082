package child

import (
	"crypto/tls"
	"errors"
	"io"
	"io/fs"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/passcrypt"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
)

// Client authentication and TLS of a session (issue #5), as Pgpool-II's
// pool_auth.c and pool_hba.c do it, with the 2025 fixes of its cached
// connection re-authentication (CVE-2025-46801).
//
// The session calls these hooks in order: startAuth at the start (which
// also accepts PostgreSQL 17's direct TLS), negotiateTLS for each
// SSLRequest, authenticateClient once the startup packet is read, then
// either backendPassword while a new slot connects to its nodes or
// reauthenticate when a cached slot is reused.
//
// Who checks the client's password:
//
//	enable_pool_hba = on: the matching pool_hba.conf line, before any
//	backend is touched: trust; reject; md5 and scram-sha-256 against
//	pool_passwd; password (against pool_passwd when it has the user, else
//	the backend checks it); cert (client certificate, CN = user). Backends
//	then get the password from pool_passwd or the client's clear text.
//
//	enable_pool_hba = off: the backend's method is passed through, as
//	Pgpool does: trust → nothing asked; clear text → the client is asked in
//	clear text (checked against pool_passwd when it has the user) and the
//	password forwarded; md5 → md5 with a fresh salt against pool_passwd's
//	secret, or, without an entry and with allow_clear_text_frontend_auth,
//	clear text from the client; SCRAM → SCRAM with the client against
//	pool_passwd (which must hold the password: TEXT, AES or plain), or clear
//	text with allow_clear_text_frontend_auth; SCRAM client to the backend.
//
// A cached slot is handed only to a client that authenticated now, with
// the method its main backend used: the same exchange against
// pool_passwd, or a comparison with the clear-text password the backend
// accepted when the slot was opened. When neither is possible the slot is
// reopened and the backend checks the client itself.

// authState is the session's authentication state. The per-child part
// lives as long as the child (the session value is reused) and is rebuilt
// when the configuration changes (start, reload); the rest is reset by
// startAuth for each session.
type authState struct {
	// per child
	cfg        *config.Config // what the rest was built from
	hba        *auth.HBA      // enable_pool_hba: nil when off or not loadable
	hbaErr     error          // why hba is nil although enable_pool_hba is on
	serverTLS  *auth.ServerTLS
	backendTLS *tls.Config
	passwd     *auth.Passwords
	slots      []slotCred // by pool slot index

	// per session
	deadline time.Time
	tls      *relay.TLSTransport // the client's TLS, nil: plain text
	rule     *config.HBARule     // the matching pool_hba.conf line
	verified bool                // the client proved who it is (or is trusted)
	password string              // the client's password in clear text...
	hasPass  bool                // ...when it gave one
	secret   *auth.Secret        // the user's pool_passwd entry, nil: none
	looked   bool                // secret was looked up
}

// slotCred is what a pool slot's main backend accepted when the slot was
// opened: the clear-text password that came from the client, if any. It
// is written by the backendPassword call of the slot's first connection,
// so it always belongs to the slot's current main connection (a slot
// whose main node asked for a password was filled after that call).
type slotCred struct {
	user     string
	password string
	has      bool
}

// startAuth prepares the session's authentication and accepts a direct
// TLS connection: a client with sslnegotiation=direct (PostgreSQL 17)
// starts with a TLS ClientHello instead of an SSLRequest; its first byte
// is 0x16 (a TLS handshake record), which no startup packet length can
// start with (it would announce over 369 MB).
func (s *session) startAuth(deadline time.Time) bool {
	a := &s.auth
	a.deadline, a.tls, a.rule, a.verified = deadline, nil, nil, false
	a.password, a.hasPass, a.secret, a.looked = "", false, nil, false
	s.refreshAuth()
	for s.client.Buffered() == 0 {
		err := s.client.Fill()
		if err == nil {
			continue
		}
		if !errors.Is(err, relay.ErrWouldBlock) {
			s.log.Debug().Err(err).Msg("client went away before its startup packet")
			return false
		}
		if err := relay.Wait(s.client.FD, unix.POLLIN, deadline); err != nil {
			if errors.Is(err, relay.ErrTimeout) {
				s.fatal(relay.ErrAuthTimeout())
			}
			return false
		}
	}
	if s.client.PeekBytes()[0] != 0x16 {
		return true
	}
	if !s.tlsAvailable() {
		s.log.Info().Msg("direct TLS connection refused: ssl is off or has no usable certificate")
		return false
	}
	if !s.handshake(deadline) {
		return false
	}
	if s.auth.tls.ConnectionState().NegotiatedProtocol != auth.ALPN {
		s.fatal(auth.ErrDirectTLSNoALPN())
		return false
	}
	return true
}

func (s *session) tlsAvailable() bool {
	return s.c.cfg.Ssl && s.auth.serverTLS != nil && s.port != 0
}

// negotiateTLS answers an SSLRequest: 'S' and a TLS handshake when ssl is
// on and the certificate loaded, else 'N' (the client goes on in plain
// text or gives up). Unix-socket clients get 'N', as from PostgreSQL.
func (s *session) negotiateTLS(deadline time.Time) bool {
	if s.auth.tls != nil {
		s.fatal(auth.ErrSSLAgain())
		return false
	}
	if !s.tlsAvailable() {
		s.client.Write([]byte{'N'})
		return relay.FlushWait(s.client, deadline) == nil
	}
	s.client.Write([]byte{'S'})
	if err := relay.FlushWait(s.client, deadline); err != nil {
		return false
	}
	if s.client.Buffered() > 0 {
		s.fatal(auth.ErrUnencryptedAfterSSL())
		return false
	}
	return s.handshake(deadline)
}

func (s *session) handshake(deadline time.Time) bool {
	t, err := relay.ServerTLS(s.client, s.auth.serverTLS.Config, deadline)
	if err != nil {
		// Nothing can be said to the client: it expects TLS records.
		s.log.Info().Err(err).Msg("could not accept SSL connection")
		return false
	}
	s.auth.tls = t
	st := t.ConnectionState()
	s.log.Debug().Str("tls", tls.VersionName(st.Version)).Str("cipher", tls.CipherSuiteName(st.CipherSuite)).Msg("TLS connection established")
	return true
}

// authenticateClient authenticates the client by pool_hba.conf when
// enable_pool_hba is on (Pgpool's ClientAuthentication); otherwise the
// backends' methods decide (backendPassword, reauthenticate).
func (s *session) authenticateClient(deadline time.Time) bool {
	cfg := s.c.cfg
	if !cfg.EnablePoolHba {
		return true
	}
	a := &s.auth
	if a.hba == nil {
		s.log.Error().Err(a.hbaErr).Msg("enable_pool_hba is on but pool_hba.conf could not be loaded; refusing the client")
		s.fatal(&relay.PgError{Severity: relay.SevFatal, Code: "28000", Message: "client authentication failed",
			Detail: "pool_hba.conf could not be loaded", Hint: "see pgpool log for details"})
		return false
	}
	c := auth.Client{SSL: a.tls != nil, User: s.st.User, Database: s.st.Database}
	if s.port == 0 {
		c.Local = true
	} else if ip, err := netip.ParseAddr(s.host); err == nil {
		c.Addr = ip
	}
	a.rule = a.hba.Match(c)
	host := s.host
	if c.Local {
		host = "[local]"
	}
	if a.rule == nil {
		s.log.Info().Str("sqlstate", "28000").Msg("no pool_hba.conf entry for the client")
		s.fatal(auth.ErrNoHBAEntry(host, s.st.User, s.st.Database, c.SSL))
		return false
	}
	lg := s.log.With().Str("hba", a.rule.File+":"+itoa(a.rule.Line)).Str("method", a.rule.Method.String()).Logger()
	var err error
	switch a.rule.Method {
	case config.AuthTrust:
		a.verified = true
	case config.AuthReject:
		err = auth.ErrHBAReject(host, s.st.User, s.st.Database, c.SSL)
	case config.AuthMD5:
		err = s.frontendMD5(deadline)
	case config.AuthSCRAM:
		err = s.frontendSCRAM(deadline)
	case config.AuthPassword:
		err = s.frontendClearText(deadline)
	case config.AuthCert:
		var st *tls.ConnectionState
		if a.tls != nil {
			cs := a.tls.ConnectionState()
			st = &cs
		}
		if err = auth.CheckCert(st, s.st.User); err == nil {
			a.verified = true
		}
	default:
		err = auth.ErrHBAMethodUnsupported(a.rule.Method.String())
	}
	if err != nil {
		return s.authFailed(lg, err)
	}
	lg.Debug().Bool("verified", a.verified).Msg("client authenticated by pool_hba.conf")
	return true
}

// authFailed ends the session after a failed authentication: the client
// gets the error when it is its fault, nothing when it went away. It
// touches nothing shared: the child and its pool go on serving.
func (s *session) authFailed(lg zerolog.Logger, err error) bool {
	var pe *relay.PgError
	switch {
	case errors.As(err, &pe):
		lg.Info().Str("sqlstate", pe.Code).Str("detail", pe.Detail).Msg(pe.Message)
		s.fatal(pe)
	case errors.Is(err, relay.ErrTimeout):
		s.fatal(relay.ErrAuthTimeout())
	case relay.IsDisconnect(err):
		lg.Debug().Msg("client went away during authentication")
	default:
		lg.Warn().Err(err).Msg("authentication failed")
		s.fatal(relay.ErrInternal("authentication failed: " + err.Error()))
	}
	return false
}

// lookupSecret returns the user's pool_passwd entry (looked up once per
// session).
func (s *session) lookupSecret() *auth.Secret {
	a := &s.auth
	if !a.looked {
		a.looked = true
		sec, err := a.passwd.Lookup(s.st.User)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Pgpool creates an empty pool_passwd at start; a missing
			// one is the same as an empty one.
			s.log.Debug().Err(err).Msg("no pool_passwd file")
		case err != nil:
			s.log.Warn().Err(err).Msg("cannot read pool_passwd; going on as if the user had no entry")
		}
		a.secret = sec
	}
	return a.secret
}

// frontendMD5 is the md5 method: md5 with a fresh salt against the
// pool_passwd entry. For an entry that is a SCRAM secret it runs SCRAM
// instead, as PostgreSQL does for an md5 line and a SCRAM password.
func (s *session) frontendMD5(deadline time.Time) error {
	sec := s.lookupSecret()
	if sec == nil {
		return auth.ErrNoPasswdEntry("md5", s.st.User)
	}
	if sec.Kind == config.PasswdSCRAM {
		return s.frontendSCRAM(deadline)
	}
	md5, err := sec.MD5()
	if err != nil {
		return secretError("md5", s.st.User, sec, err)
	}
	if err := auth.ChallengeMD5(s.clientConn(deadline), md5); err != nil {
		return err
	}
	s.auth.verified = true
	return nil
}

// frontendSCRAM is the scram-sha-256 method against the pool_passwd
// entry, with channel binding over TLS.
func (s *session) frontendSCRAM(deadline time.Time) error {
	sec := s.lookupSecret()
	if sec == nil {
		return auth.ErrNoPasswdEntry("SCRAM", s.st.User)
	}
	secret, err := sec.SCRAM()
	if err != nil {
		return secretError("SCRAM", s.st.User, sec, err)
	}
	if err := auth.ServeSCRAM(s.clientConn(deadline), s.st.User, secret, s.channelBinding()); err != nil {
		return err
	}
	s.auth.verified = true
	return nil
}

// frontendClearText asks for the password in clear text and checks it
// against pool_passwd when the user has an entry; without one the backend
// checks it (Pgpool's authenticate_frontend_clear_text).
func (s *session) frontendClearText(deadline time.Time) error {
	pw, err := auth.AskPassword(s.clientConn(deadline))
	if err != nil {
		return err
	}
	s.auth.password, s.auth.hasPass = pw, true
	if sec := s.lookupSecret(); sec != nil {
		ok, err := sec.Check(pw)
		if err != nil {
			return secretError("clear text", s.st.User, sec, err)
		}
		if !ok {
			return auth.ErrClearTextFailed()
		}
		s.auth.verified = true
	}
	return nil
}

// secretError explains why a pool_passwd entry cannot serve method.
func secretError(method, user string, sec *auth.Secret, err error) error {
	if errors.Is(err, auth.ErrNoClearText) {
		return auth.ErrPasswdKind(method, user, sec.Kind.String())
	}
	if sec.Kind == config.PasswdAES {
		return auth.ErrDecrypt(method)
	}
	return err
}

func (s *session) channelBinding() []byte {
	if s.auth.tls == nil || s.auth.serverTLS == nil {
		return nil
	}
	return s.auth.serverTLS.EndPoint
}

// backendPassword supplies the password when a node asks for one (kind:
// backend.AuthCleartext, AuthMD5 or AuthSASL). For the first connection
// of a new slot, and when pool_hba.conf did not already authenticate the
// client, it first authenticates the client the way the node asks
// (Pgpool's pool_do_auth); later connections (the load-balance node, a
// reconnect) use what the session already has and never talk to the
// client. An error for the client is a *backend.ServerError carrying the
// ErrorResponse, which the caller forwards as it is.
func (s *session) backendPassword(kind int) (string, error) {
	a := &s.auth
	first := s.slot != nil && s.slot.Main < 0
	if first && !s.c.cfg.EnablePoolHba && !a.verified && !a.hasPass {
		if err := s.passThrough(kind); err != nil {
			return "", s.clientError(err)
		}
	}
	pw, err := s.passwordFor(kind)
	if err != nil {
		return "", s.clientError(err)
	}
	if first && a.hasPass && s.slot.Index < len(a.slots) {
		a.slots[s.slot.Index] = slotCred{user: s.st.User, password: a.password, has: true}
	} else if first && s.slot.Index < len(a.slots) {
		a.slots[s.slot.Index] = slotCred{}
	}
	return pw, nil
}

// passThrough authenticates the client with the method the node asked
// for (enable_pool_hba off).
func (s *session) passThrough(kind int) error {
	d := s.auth.deadline
	sec := s.lookupSecret()
	allowClear := s.c.cfg.AllowClearTextFrontendAuth
	switch kind {
	case backend.AuthCleartext:
		return s.frontendClearText(d)
	case backend.AuthMD5:
		if sec != nil && sec.Kind != config.PasswdSCRAM {
			return s.frontendMD5(d)
		}
		if allowClear {
			return s.clearTextInstead("md5")
		}
		if sec != nil {
			return auth.ErrPasswdKind("md5", s.st.User, sec.Kind.String())
		}
		return auth.ErrNoPasswdEntry("md5", s.st.User)
	case backend.AuthSASL:
		if sec != nil {
			if _, err := sec.Password(); err == nil {
				return s.frontendSCRAM(d)
			} else if !errors.Is(err, auth.ErrNoClearText) {
				return secretError("SCRAM", s.st.User, sec, err)
			}
		}
		// An md5 or SCRAM entry cannot authenticate us to the node:
		// only the client's clear text can (checked against the entry).
		if allowClear {
			return s.clearTextInstead("SCRAM")
		}
		if sec != nil {
			return auth.ErrPasswdKind("SCRAM", s.st.User, sec.Kind.String())
		}
		return auth.ErrNoPasswdEntry("SCRAM", s.st.User)
	}
	return auth.ErrAuthNotSupported(kind)
}

// clearTextInstead asks the client in clear text although the node uses
// method (allow_clear_text_frontend_auth).
func (s *session) clearTextInstead(method string) error {
	s.log.Info().Str("method", method).Msg("using clear text authentication with frontend (allow_clear_text_frontend_auth); backend will still use " + method)
	return s.frontendClearText(s.auth.deadline)
}

// passwordFor is what the node gets: the client's clear text when it gave
// one, else pool_passwd's password (or md5 secret for md5).
func (s *session) passwordFor(kind int) (string, error) {
	a := &s.auth
	if a.hasPass {
		return a.password, nil
	}
	method := map[int]string{backend.AuthCleartext: "clear text", backend.AuthMD5: "md5", backend.AuthSASL: "SCRAM"}[kind]
	if method == "" {
		return "", auth.ErrAuthNotSupported(kind)
	}
	sec := s.lookupSecret()
	if sec == nil {
		return "", auth.ErrNoBackendPassword(method, s.st.User)
	}
	var pw string
	var err error
	if kind == backend.AuthMD5 {
		pw, err = sec.MD5()
	} else {
		pw, err = sec.Password()
	}
	if err != nil {
		if errors.Is(err, auth.ErrNoClearText) {
			return "", auth.ErrNoBackendPassword(method, s.st.User)
		}
		return "", secretError(method, s.st.User, sec, err)
	}
	return pw, nil
}

// clientError turns an authentication failure into what backend.Connect
// returns, so that the slot's connectFailed sends the client exactly our
// ErrorResponse (or nothing when the client went away).
func (s *session) clientError(err error) error {
	var pe *relay.PgError
	switch {
	case errors.As(err, &pe):
		s.log.Info().Str("sqlstate", pe.Code).Str("detail", pe.Detail).Msg(pe.Message)
	case errors.Is(err, relay.ErrTimeout):
		pe = relay.ErrAuthTimeout()
	case relay.IsDisconnect(err):
		s.log.Debug().Msg("client went away during authentication")
		return &backend.ServerError{Sev: relay.SevFatal, Code: "08006", Message: "client went away during authentication"}
	default:
		s.log.Warn().Err(err).Msg("authentication failed")
		pe = relay.ErrInternal("authentication failed: " + err.Error())
	}
	return &backend.ServerError{Frame: relay.AppendError(nil, pe), Sev: pe.Severity, Code: pe.Code, Message: pe.Message}
}

// reauthenticate checks a client taking a cached slot, with the method the
// slot's main backend used (Pgpool's pool_do_reauth, as fixed for
// CVE-2025-46801: the client is always asked, and its answer checked
// against pool_passwd or the password the backend accepted, never against
// itself). A client that fails gets FATAL; the slot stays cached for the
// next client.
func (s *session) reauthenticate(deadline time.Time) bool {
	a := &s.auth
	slot := s.slot
	if slot.AuthUser != s.st.User {
		s.fatal(auth.ErrPasswordFailed(s.st.User)) // cannot happen: the pool key has the user
		return false
	}
	main := slot.Conns[slot.Main]
	lg := s.log.With().Int("authkind", main.AuthKind).Logger()
	if a.verified || main.AuthKind == backend.AuthOK {
		// pool_hba.conf authenticated the client, or the backend trusts
		// the user (with pool_hba.conf off: trust passed through).
		return true
	}
	var cred slotCred
	if slot.Index < len(a.slots) && a.slots[slot.Index].user == s.st.User {
		cred = a.slots[slot.Index]
	}
	hba := s.c.cfg.EnablePoolHba
	sec := s.lookupSecret()
	var err error
	switch {
	case !hba && main.AuthKind == backend.AuthCleartext,
		!hba && !a.hasPass && s.c.cfg.AllowClearTextFrontendAuth && !usableSecret(sec, main.AuthKind):
		// The client is asked in clear text, as when the slot was opened.
		if !a.hasPass {
			if err = s.frontendClearText(deadline); err != nil {
				break
			}
		}
		if !a.verified {
			err = checkCred(cred, a.password)
		}
	case !hba && main.AuthKind == backend.AuthMD5 && usableSecret(sec, backend.AuthMD5):
		err = s.frontendMD5(deadline)
	case !hba && main.AuthKind == backend.AuthSASL && usableSecret(sec, backend.AuthSASL):
		err = s.frontendSCRAM(deadline)
	case hba && a.hasPass:
		// pool_hba.conf's password line with no pool_passwd entry: the
		// client's clear text must be the one the backend accepted.
		err = checkCred(cred, a.password)
	default:
		err = errReopen
	}
	if errors.Is(err, errReopen) {
		lg.Debug().Msg("the cached connection cannot check this client; reopening it so that the backend does")
		return s.refill(deadline)
	}
	if err != nil {
		return s.authFailed(lg, err)
	}
	return true
}

// errReopen: the slot's credentials cannot check the client.
var errReopen = errors.New("reopen the slot")

// checkCred compares the client's clear text with what the backend
// accepted when the slot was opened.
func checkCred(cred slotCred, password string) error {
	if !cred.has {
		return errReopen
	}
	if !constantTimeEqual(cred.password, password) {
		return auth.ErrClearTextFailed()
	}
	return nil
}

func constantTimeEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return v == 0
}

// usableSecret says whether pool_passwd's entry lets us run the node's
// method with the client ourselves.
func usableSecret(sec *auth.Secret, kind int) bool {
	if sec == nil {
		return false
	}
	switch kind {
	case backend.AuthMD5:
		_, err := sec.MD5()
		return err == nil || sec.Kind == config.PasswdSCRAM
	case backend.AuthSASL:
		_, err := sec.SCRAM()
		return err == nil
	}
	return false
}

// refill drops the cached slot's connections and opens new ones, so that
// the backend authenticates the client.
func (s *session) refill(deadline time.Time) bool {
	key := s.slot.Key
	key.Startup = append([]byte(nil), key.Startup...)
	s.c.pool.Discard(s.slot)
	s.slot.Key, s.slot.InUse = key, true
	return s.fill(deadline)
}

// backendTLSConfig is the TLS setup for nodes; nil: plain text (ssl off).
func (s *session) backendTLSConfig() *tls.Config {
	if !s.c.cfg.Ssl {
		return nil
	}
	return s.auth.backendTLS
}

// refreshAuth (re)builds the per-child part of the state when the
// configuration changed: at the child's first session and after each
// reload. A pool_hba.conf or certificate that does not load keeps the one
// in use, as Pgpool keeps its SSL context and HBA lines.
func (s *session) refreshAuth() {
	a := &s.auth
	cfg := s.c.cfg
	if a.cfg == cfg {
		return
	}
	first := a.cfg == nil
	a.cfg = cfg
	if n := s.c.pool.Slots(); len(a.slots) != len(n) {
		a.slots = make([]slotCred, len(n))
	}
	if cfg.EnablePoolHba {
		path := s.c.env.HBA
		if path == "" {
			path = filepath.Join(cfg.Dir, "pool_hba.conf")
		}
		h, err := auth.LoadHBA(path)
		switch {
		case err == nil:
			a.hba, a.hbaErr = h, nil
		case a.hba != nil:
			s.c.log.Warn().Err(err).Msg("pool_hba.conf not reloaded; keeping the lines in use")
		default:
			a.hbaErr = err
			s.c.log.Error().Err(err).Msg("cannot load pool_hba.conf; clients are refused until it loads")
		}
		if a.hba != nil {
			for _, r := range a.hba.Rules {
				if r.Method == config.AuthPAM || r.Method == config.AuthLDAP {
					s.c.log.Warn().Str("hba", r.File+":"+itoa(r.Line)).Str("method", r.Method.String()).
						Msg("pool_hba.conf line uses a method pgpool-go does not support; clients that match it are refused")
				}
			}
		}
	} else {
		a.hba, a.hbaErr = nil, nil
	}
	path := cfg.PoolPasswd
	if path != "" && !filepath.IsAbs(path) {
		path = filepath.Join(cfg.Dir, path)
	}
	if a.passwd == nil || a.passwd.Path() != path || first {
		a.passwd = auth.NewPasswords(path, s.newDecrypter())
	}
	if cfg.Ssl {
		st, err := auth.NewServerTLS(cfg)
		switch {
		case err == nil:
			a.serverTLS = st
			for _, w := range st.Warnings {
				s.c.log.Warn().Msg(w)
			}
		case a.serverTLS != nil:
			s.c.log.Warn().Err(err).Msg("SSL configuration not reloaded; keeping the certificate in use")
		default:
			s.c.log.Error().Err(err).Msg("could not initialize SSL; clients asking for SSL are told it is not available")
		}
		bt, err := auth.BackendTLS(cfg)
		if err != nil {
			s.c.log.Warn().Err(err).Msg("TLS to backends not available; connecting in plain text")
		}
		a.backendTLS = bt
	} else {
		a.serverTLS, a.backendTLS = nil, nil
	}
}

// newDecrypter returns how AES entries of pool_passwd are decrypted: with
// the key of the key file the supervisor found (-k, $PGPOOLKEYFILE,
// ~/.pgpoolkey), read once per child as Pgpool reads it once at start.
// Without a key, AES entries are refused with Pgpool's "unable to decrypt
// password from pool_passwd".
func (s *session) newDecrypter() auth.Decrypter {
	path := s.c.env.KeyFile
	if path == "" {
		path = passcrypt.KeyFilePath("")
	}
	kf, err := passcrypt.ReadKeyFile(path)
	if err != nil {
		s.c.log.Debug().Err(err).Msg("no pgpool key: AES entries of pool_passwd cannot be used")
		return nil
	}
	if kf.Insecure {
		s.c.log.Warn().Msg(kf.InsecureWarning())
	}
	key := kf.Key
	return func(entry string) (string, error) { return passcrypt.DecryptAES(entry, key) }
}

// clientConn is the client side of an authentication exchange.
func (s *session) clientConn(deadline time.Time) auth.Conn {
	return clientAuthConn{c: s.client, deadline: deadline}
}

type clientAuthConn struct {
	c        *relay.Conn
	deadline time.Time
}

func (a clientAuthConn) Send(msg []byte) error {
	a.c.Write(msg)
	return relay.FlushWait(a.c, a.deadline)
}

// Receive reads one message, at most auth.MaxPasswordPacket long.
func (a clientAuthConn) Receive() ([]byte, error) {
	for {
		if _, length, ok := a.c.Header(); ok && (length < 4 || length-4 > auth.MaxPasswordPacket) {
			return nil, auth.ErrPasswordPacket("invalid message length " + itoa(length))
		}
		f, ok, err := a.c.Frame(auth.MaxPasswordPacket + 5)
		if err != nil {
			return nil, err
		}
		if ok {
			return f, nil
		}
		if err := a.c.Fill(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			if !errors.Is(err, relay.ErrWouldBlock) {
				return nil, err
			}
			if err := relay.Wait(a.c.FD, unix.POLLIN, a.deadline); err != nil {
				return nil, err
			}
		}
	}
}
