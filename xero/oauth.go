package xero

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Config is a Xero app's identity plus every Xero endpoint ledger uses. No
// Xero host is written anywhere else: cmd fills the URLs from flags.
type Config struct {
	ClientID       string
	ClientSecret   string
	AuthorizeURL   string
	TokenURL       string
	RevokeURL      string
	ConnectionsURL string
	APIURL         string // Accounting API base, e.g. …/api.xro/2.0
	Scopes         []string
	RedirectURL    string

	// HTTPClient is used for identity calls; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock used to compute token expiry; nil means time.Now.
	Now func() time.Time
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Config) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return http.DefaultClient
}

// OAuth2 returns the x/oauth2 view of the config (client credentials in the
// Basic header, as Xero accepts).
func (c Config) OAuth2() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.AuthorizeURL,
			TokenURL:  c.TokenURL,
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		RedirectURL: c.RedirectURL,
		Scopes:      c.Scopes,
	}
}

// NewVerifier returns a fresh PKCE code verifier.
func NewVerifier() string { return oauth2.GenerateVerifier() }

// AuthCodeURL is the consent URL for state, with a PKCE S256 challenge
// derived from verifier (keep the verifier server-side for Exchange).
func (c Config) AuthCodeURL(state, verifier string) string {
	return c.OAuth2().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
}

// Token is one connection's OAuth tokens. AuthEventID is the access token's
// authentication_event_id claim, which filters GET /connections to the
// organisations chosen in this consent.
type Token struct {
	AccessToken  string
	RefreshToken string
	Expiry       time.Time
	AuthEventID  string
}

// String never prints the secrets.
func (t Token) String() string {
	return fmt.Sprintf("xero.Token{expiry=%s auth_event=%s}", t.Expiry.UTC().Format(time.RFC3339), t.AuthEventID)
}

// Exchange trades an authorization code (plus the PKCE verifier) for tokens.
func (c Config) Exchange(ctx context.Context, code, verifier string) (*Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.httpClient())
	ot, err := c.OAuth2().Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, oauthError("exchange", err)
	}
	return c.fromOAuth2(ot), nil
}

// refresh trades a refresh token for a rotated pair.
func (c Config) refresh(ctx context.Context, refreshToken string) (*Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.httpClient())
	src := c.OAuth2().TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Unix(1, 0)})
	ot, err := src.Token()
	if err != nil {
		return nil, oauthError("refresh", err)
	}
	return c.fromOAuth2(ot), nil
}

func (c Config) fromOAuth2(ot *oauth2.Token) *Token {
	t := &Token{AccessToken: ot.AccessToken, RefreshToken: ot.RefreshToken, Expiry: ot.Expiry}
	if ot.ExpiresIn > 0 {
		t.Expiry = c.now().Add(time.Duration(ot.ExpiresIn) * time.Second)
	}
	t.AuthEventID = AuthEventID(ot.AccessToken)
	return t
}

// oauthError types an identity-server failure; invalid_grant means the
// merchant must reconnect.
func oauthError(op string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode == "invalid_grant" {
			return &AuthError{Op: op, Code: re.ErrorCode, Message: "Xero no longer accepts this connection's authorisation.", reauth: true}
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		if status >= 500 {
			return &UnavailableError{Op: op, StatusCode: status, Sent: true}
		}
		return &AuthError{Op: op, Code: re.ErrorCode, Message: "Xero refused the OAuth request (" + re.ErrorCode + ")."}
	}
	return &UnavailableError{Op: op, Sent: true, Err: err}
}

// AuthEventID reads the authentication_event_id claim from a JWT access
// token's payload without verifying it (the token came straight from Xero
// over TLS; the claim only narrows GET /connections).
func AuthEventID(accessToken string) string {
	parts := strings.Split(accessToken, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		AuthEventID string `json:"authentication_event_id"`
	}
	if json.Unmarshal(b, &claims) != nil {
		return ""
	}
	return claims.AuthEventID
}

// Connection is one organisation the app may access.
type Connection struct {
	ID             string `json:"id"`
	TenantID       string `json:"tenantId"`
	TenantType     string `json:"tenantType"`
	TenantName     string `json:"tenantName"`
	AuthEventID    string `json:"authEventId"`
	CreatedDateUtc Time   `json:"createdDateUtc"`
}

// Connections lists the organisations chosen in the consent that issued
// accessToken (filtered by its authentication_event_id claim when present).
func (c Config) Connections(ctx context.Context, accessToken string) ([]Connection, error) {
	u := c.ConnectionsURL
	authEventID := AuthEventID(accessToken)
	if authEventID != "" {
		u += "?authEventId=" + url.QueryEscape(authEventID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	var out []Connection
	if err := c.identityDo(req, accessToken, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteConnection disconnects one organisation (by connection id).
func (c Config) DeleteConnection(ctx context.Context, accessToken, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, strings.TrimRight(c.ConnectionsURL, "/")+"/"+url.PathEscape(id), nil)
	if err != nil {
		return err
	}
	return c.identityDo(req, accessToken, nil)
}

// Revoke revokes a refresh token and every access token issued from it.
func (c Config) Revoke(ctx context.Context, refreshToken string) error {
	form := url.Values{"token": {refreshToken}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.RevokeURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	return c.identityDo(req, "", nil)
}

func (c Config) identityDo(req *http.Request, accessToken string, out any) error {
	req.Header.Set("Accept", "application/json")
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return &UnavailableError{Op: req.Method + " " + req.URL.Path, Sent: true, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return responseError(req, resp, readBody(resp))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(readBody(resp), out); err != nil {
		return &DecodeError{Op: req.Method + " " + req.URL.Path, Err: err}
	}
	return nil
}
