package xerotest

import (
	"context"
	"net/http"
	"net/url"
	"sync"

	"ledger/xero"
)

// Consent runs Xero's consent on the fake for cfg (which must point at it,
// as Config does) and exchanges the code: the token a binding holds once
// its merchant has connected.
func (s *Server) Consent(t TB, cfg xero.Config) *xero.Token {
	t.Helper()
	hc := *cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	v := xero.NewVerifier()
	resp, err := hc.Get(cfg.AuthCodeURL("st", v))
	if err != nil {
		t.Fatalf("xerotest: consent: %v", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("xerotest: consent redirect: %v", err)
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("xerotest: consent redirected to %q without a code", loc.Redacted())
	}
	tok, err := cfg.Exchange(context.Background(), code, v)
	if err != nil {
		t.Fatalf("xerotest: exchange the consent code: %v", err)
	}
	return tok
}

// Tokens is an in-memory xero.TokenStore holding one binding's token.
type Tokens struct {
	mu  sync.Mutex
	tok xero.Token
}

// NewTokens holds tok (copied).
func NewTokens(tok *xero.Token) *Tokens { return &Tokens{tok: *tok} }

// Load returns a copy of the token held.
func (m *Tokens) Load(context.Context) (*xero.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tok
	return &t, nil
}

// Save keeps a copy of t.
func (m *Tokens) Save(_ context.Context, t *xero.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tok = *t
	return nil
}

var _ xero.TokenStore = (*Tokens)(nil)
