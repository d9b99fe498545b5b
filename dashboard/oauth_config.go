package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strconv"
	"time"

	"ledger/domain"
	"ledger/store"
	"ledger/xero"
)

// XeroOAuth is what the Xero connect flow needs from the wiring in cmd.
type XeroOAuth struct {
	// Config is the Xero app and its endpoints; RedirectURL must be
	// <public-url>/oauth/xero/callback. Without client credentials the
	// connect page says how to set them.
	Config xero.Config
	// SaveTokens seals a binding's freshly exchanged tokens (the token
	// vault that every Xero caller of the process shares).
	SaveTokens func(ctx context.Context, bindingID uint64, t *xero.Token) error
	// Connected runs once a binding is pinned and active; the wiring
	// builds its reference cache. A failure is shown, not fatal.
	Connected func(ctx context.Context, bindingID uint64) error
}

func (x *XeroOAuth) configured() bool {
	return x != nil && x.Config.ClientID != "" && x.Config.ClientSecret != ""
}

// ConnectTTL is how long a connect link (and the OAuth state it leads to)
// and an organisation picker stay valid.
const ConnectTTL = 10 * time.Minute

// SecretXeroPending is where a consent that chose several organisations
// waits, sealed, for the organisation picker (one per binding).
func SecretXeroPending(bindingID uint64) string {
	return "binding/" + strconv.FormatUint(bindingID, 10) + "/xero_pending"
}

// oauthRandom is 256 bits of randomness, URL-safe.
func oauthRandom() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", domain.Wrap(domain.EInternal, err, "ledger could not make a random value; try again")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewConnectLink stores a single-use connect link for the binding, valid
// for ConnectTTL, and returns its URL: <publicURL>/oauth/xero/start?state=….
// Opening it in any browser starts the Xero consent; the link carries no
// Xero parameters, so the running server's Xero configuration applies.
// A link state has no PKCE verifier, which is how it differs from the state
// sent to Xero: neither can stand in for the other.
func NewConnectLink(db *store.DB, publicURL string, bindingID uint64, now time.Time) (string, error) {
	if _, err := db.Binding(bindingID); err != nil {
		return "", err
	}
	state, err := oauthRandom()
	if err != nil {
		return "", err
	}
	if err := db.PutOAuthState(state, store.OAuthState{BindingID: bindingID, ExpiresAt: now.Add(ConnectTTL)}); err != nil {
		return "", err
	}
	return publicURL + "/oauth/xero/start?state=" + url.QueryEscape(state), nil
}

// beginXero stores a fresh state with its PKCE verifier, bound to the
// binding, and returns Xero's authorize URL for it.
func (s *Server) beginXero(bindingID, userID uint64) (string, error) {
	if s.cfg.DB == nil {
		return "", domain.Errorf(domain.EUnavailable, "ledger has no database open; start it with `ledger serve`.")
	}
	state, err := oauthRandom()
	if err != nil {
		return "", err
	}
	verifier := xero.NewVerifier()
	err = s.cfg.DB.PutOAuthState(state, store.OAuthState{BindingID: bindingID, Verifier: verifier, UserID: userID,
		ExpiresAt: s.cfg.Now().Add(ConnectTTL)})
	if err != nil {
		return "", err
	}
	return s.cfg.Xero.Config.AuthCodeURL(state, verifier), nil
}

// Sentences of the connect flow's refusals.
const (
	msgNoXeroApp = "ledger has no Xero app credentials yet — set --xero-client-id and --xero-client-secret " +
		"(or LEDGER_XERO_CLIENT_ID and LEDGER_XERO_CLIENT_SECRET_FILE) and restart ledger."
	msgDeclined     = "You declined access in Xero — nothing was connected. Start again when ready."
	msgStateGone    = "This connect link has expired or was already used — start again from the connection’s page in the dashboard."
	msgOtherBrowser = "This Xero sign-in was started by another ledger login — sign in to ledger as the user who clicked Connect, then start again from the connection’s page in the dashboard."
	msgNoOrg        = "No Xero organisation was chosen — start again from the connection’s page in the dashboard and pick the organisation to connect."
	msgConnections  = "Xero did not list the organisations you chose — start again from the connection’s page in the dashboard."
)

// msgExchange is the refusal of a failed code exchange.
func (s *Server) msgExchange(detail string) string {
	return "Xero did not accept the sign-in (" + detail + ") — try again; if it keeps failing check the client id/secret and the redirect URI " +
		s.cfg.PublicURL + "/oauth/xero/callback in your Xero app."
}
