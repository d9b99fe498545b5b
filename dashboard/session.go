package dashboard

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"time"

	"ledger/domain"
)

// Session lifetimes: a login lasts at most 12 h, and ends after 2 h without
// a request. Logging out (or a new password) ends it at once: the cookie
// carries the user's session epoch, which logout bumps.
const (
	sessionAbsolute = 12 * time.Hour
	sessionIdle     = 2 * time.Hour
	sessionCookie   = "ledger_session"
)

// session is the content of the signed and encrypted cookie. UserID 0 is an
// anonymous visitor who only holds a CSRF token (for the login form).
type session struct {
	UserID  uint64 `json:"u,omitempty"`
	Epoch   uint64 `json:"e,omitempty"` // the user's session epoch at login
	Created int64  `json:"c"`
	Seen    int64  `json:"s"`
	CSRF    string `json:"x"`

	user *domain.User // loaded by read for a logged-in session
}

type sessions struct {
	codec  *cookieCodec
	store  Store
	secure bool
	now    func() time.Time
}

// newSessions builds the session manager over st's keyring (see
// cookieCodec). A nil logger discards, a nil clock is time.Now.
func newSessions(st Store, log *slog.Logger, secure bool, now func() time.Time) (*sessions, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &sessions{codec: newCookieCodec(st, log), store: st, secure: secure, now: now}, nil
}

// read returns the request's valid session, or nil: a missing, forged,
// expired or idle cookie is no session, nor is a logged-in one whose user is
// gone or has logged out since. A logged-in session comes with its user.
func (m *sessions) read(r *http.Request) *session { return m.readCookie(r, sessionCookie) }

// readCookie is read for the cookie called name (the embed has its own).
func (m *sessions) readCookie(r *http.Request, name string) *session {
	c, err := r.Cookie(name)
	if err != nil {
		return nil
	}
	var s session
	if err := m.codec.Decode(name, c.Value, &s); err != nil {
		return nil
	}
	now := m.now()
	if now.Sub(time.Unix(s.Created, 0)) > sessionAbsolute || now.Sub(time.Unix(s.Seen, 0)) > sessionIdle {
		return nil
	}
	if s.UserID != 0 {
		u, epoch, err := m.store.SessionUser(s.UserID)
		if err != nil || epoch != s.Epoch {
			return nil // deleted user, logged out, or the store is unavailable
		}
		s.user = u
	}
	return &s
}

// start returns a fresh session with a new CSRF token for userID 0, an
// anonymous visitor. Log a user in with login, which also records their
// session epoch.
func (m *sessions) start(userID uint64) *session {
	now := m.now().Unix()
	return &session{UserID: userID, Created: now, Seen: now, CSRF: randomToken()}
}

// login returns a fresh session for the user, at their current session
// epoch.
func (m *sessions) login(userID uint64) (*session, error) {
	u, epoch, err := m.store.SessionUser(userID)
	if err != nil {
		return nil, err
	}
	s := m.start(u.ID)
	s.Epoch, s.user = epoch, u
	return s, nil
}

// write sets the session cookie, marking the session seen now.
func (m *sessions) write(w http.ResponseWriter, s *session) error {
	v, err := m.encode(sessionCookie, s)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: v, Path: "/", HttpOnly: true,
		Secure: m.secure, SameSite: http.SameSiteLaxMode,
		MaxAge: int(sessionAbsolute.Seconds()),
	})
	return nil
}

// encode marks s seen now and seals it with the active key term.
func (m *sessions) encode(name string, s *session) (string, error) {
	s.Seen = m.now().Unix()
	return m.codec.Encode(name, s)
}

// clear removes the session cookie.
func (m *sessions) clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: m.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1,
	})
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
