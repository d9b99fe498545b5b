package dashboard

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"

	"ledger/domain"
)

// Session lifetimes: a login lasts at most 12 h, and ends after 2 h without
// a request.
const (
	sessionAbsolute = 12 * time.Hour
	sessionIdle     = 2 * time.Hour
	sessionCookie   = "ledger_session"
	// SecretSessionKeys is where the cookie hash and block keys are sealed.
	SecretSessionKeys = "dashboard/session_keys"
)

// session is the content of the signed and encrypted cookie. UserID 0 is an
// anonymous visitor who only holds a CSRF token (for the login form).
type session struct {
	UserID  uint64 `json:"u,omitempty"`
	Created int64  `json:"c"`
	Seen    int64  `json:"s"`
	CSRF    string `json:"x"`
}

type sessionKeys struct {
	Hash  []byte `json:"hash"`
	Block []byte `json:"block"`
}

type sessions struct {
	codec  *securecookie.SecureCookie
	secure bool
	now    func() time.Time
}

// newSessions loads the cookie keys from the keyring, creating them on first
// start. When the store cannot keep them, it uses keys for this process only
// (logins then end at restart) and says so in the log.
func newSessions(st Store, log *slog.Logger, secure bool, now func() time.Time) (*sessions, error) {
	keys, err := loadSessionKeys(st)
	if err != nil {
		log.Warn("dashboard: session keys are not kept in the keyring; logins end when ledger restarts", "err", err)
		keys = sessionKeys{Hash: securecookie.GenerateRandomKey(64), Block: securecookie.GenerateRandomKey(32)}
	}
	codec := securecookie.New(keys.Hash, keys.Block)
	codec.MaxAge(int((sessionAbsolute + time.Hour).Seconds()))
	codec.SetSerializer(securecookie.JSONEncoder{})
	return &sessions{codec: codec, secure: secure, now: now}, nil
}

func loadSessionKeys(st Store) (sessionKeys, error) {
	var keys sessionKeys
	raw, err := st.Secret(SecretSessionKeys)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &keys); err != nil || len(keys.Hash) != 64 || len(keys.Block) != 32 {
			return keys, domain.Errorf(domain.EInternal, "The stored session keys are damaged.")
		}
		return keys, nil
	case domain.IsKind(err, domain.ENotFound):
		keys = sessionKeys{Hash: securecookie.GenerateRandomKey(64), Block: securecookie.GenerateRandomKey(32)}
		raw, _ = json.Marshal(keys)
		return keys, st.PutSecret(SecretSessionKeys, raw)
	default:
		return keys, err
	}
}

// read returns the request's valid session, or nil: a missing, forged,
// expired or idle cookie is no session.
func (m *sessions) read(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	var s session
	if err := m.codec.Decode(sessionCookie, c.Value, &s); err != nil {
		return nil
	}
	now := m.now()
	if now.Sub(time.Unix(s.Created, 0)) > sessionAbsolute || now.Sub(time.Unix(s.Seen, 0)) > sessionIdle {
		return nil
	}
	return &s
}

// start returns a fresh session for userID (0: anonymous) with a new CSRF token.
func (m *sessions) start(userID uint64) *session {
	now := m.now().Unix()
	return &session{UserID: userID, Created: now, Seen: now, CSRF: randomToken()}
}

// write sets the session cookie, marking the session seen now.
func (m *sessions) write(w http.ResponseWriter, s *session) error {
	s.Seen = m.now().Unix()
	v, err := m.codec.Encode(sessionCookie, s)
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
