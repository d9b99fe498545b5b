package xero_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"ledger/xero"
	"ledger/xero/xerotest"
)

// memStore is a TokenStore counting saves.
type memStore struct {
	mu    sync.Mutex
	tok   *xero.Token
	saves int
}

func (m *memStore) Load(context.Context) (*xero.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, nil
	}
	t := *m.tok
	return &t, nil
}

func (m *memStore) Save(_ context.Context, t *xero.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *t
	m.tok, m.saves = &c, m.saves+1
	return nil
}

const redirect = "https://ledger.example/oauth/xero/callback"

// consent runs the authorize redirect and returns the code and state.
func consent(t *testing.T, cfg xero.Config, state, verifier string) url.Values {
	t.Helper()
	hc := *cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(cfg.AuthCodeURL(state, verifier))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

// connect consents on the fake and exchanges the code for tokens.
func connect(t *testing.T, cfg xero.Config) *xero.Token {
	t.Helper()
	v := xero.NewVerifier()
	q := consent(t, cfg, "st", v)
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// setup starts a fake Xero and connects to its first organisation.
func setup(t *testing.T, opts xerotest.Options) (*xerotest.Server, *xero.Client, *memStore, *xero.TokenSource) {
	t.Helper()
	srv := xerotest.New(t, opts)
	cfg := srv.Config(redirect)
	store := &memStore{tok: connect(t, cfg)}
	ts := xero.NewTokenSource(cfg, store, t.Name())
	lim := xero.NewLimiter(xero.LimiterConfig{Clock: srv.Clock(), DailyBudget: opts.DailyLimit})
	return srv, xero.NewClient(cfg, ts, srv.Organisations()[0], lim, srv.Client()), store, ts
}
