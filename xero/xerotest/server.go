// Package xerotest is a strict fake Xero for tests: OAuth identity
// (authorize, token with PKCE and refresh rotation, revocation,
// connections) and the Accounting endpoints ledger calls, with Xero's
// validation, totals, rate limits, idempotency and switchable faults. Every
// Accounting request is validated against Xero's OpenAPI description; a
// violation fails the test at Cleanup.
package xerotest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ledger/xero"
)

// Clock is a settable clock shared by the fake and the code under test. Its
// After advances the clock and fires at once, so waits take no real time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// After advances the clock by d and returns a fired channel.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.Advance(d)
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// Options configure a fake.
type Options struct {
	ClientID, ClientSecret string // defaults "client-id" / "client-secret"
	Clock                  *Clock // default: starts 2026-04-29 09:00 UTC
	// ConsentOrgs are the tenant ids the user picks at consent (default:
	// the first organisation). Deny makes consent answer access_denied.
	ConsentOrgs []string
	Deny        bool
	// RefreshGrace is how long a rotated refresh token still works (30 min).
	RefreshGrace time.Duration
	// Limits per organisation and app (Xero's when zero).
	PerMinute, DailyLimit, Concurrent, AppPerMinute int
	// NoOrganisation skips seeding the default organisation.
	NoOrganisation bool
}

// Server is the fake. Its URLs go into xero.Config.
type Server struct {
	*httptest.Server
	t     testing.TB
	opts  Options
	clock *Clock
	key   []byte // JWT signing key

	mu         sync.Mutex
	orgs       map[string]*org
	orgOrder   []string
	codes      map[string]*authCode
	refresh    map[string]*refreshToken
	conns      []*conn
	idem       map[string]*replay
	calls      map[string]int
	violations []string
	fault      *Fault
	appWin     []time.Time
	revoked    map[string]bool // auth events whose tokens were revoked
}

// New starts a fake Xero, seeded with one GBP organisation "Demo Ltd"
// (unless opts.NoOrganisation), and closes it at Cleanup.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if _, err := loadSpec(); err != nil {
		t.Skipf("xerotest: cannot validate against Xero's OpenAPI: %v", err)
	}
	if opts.ClientID == "" {
		opts.ClientID = "client-id"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "client-secret"
	}
	if opts.Clock == nil {
		opts.Clock = NewClock(time.Date(2026, 4, 29, 9, 0, 0, 0, time.UTC))
	}
	if opts.RefreshGrace == 0 {
		opts.RefreshGrace = 30 * time.Minute
	}
	s := &Server{
		t: t, opts: opts, clock: opts.Clock, key: []byte(newID()),
		orgs: map[string]*org{}, codes: map[string]*authCode{}, refresh: map[string]*refreshToken{},
		idem: map[string]*replay{}, calls: map[string]int{}, revoked: map[string]bool{},
	}
	if !opts.NoOrganisation {
		s.AddOrganisation("Demo Ltd", "GBP")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /identity/connect/authorize", s.authorize)
	mux.HandleFunc("POST /connect/token", s.token)
	mux.HandleFunc("POST /connect/revocation", s.revoke)
	mux.HandleFunc("GET /connections", s.listConnections)
	mux.HandleFunc("DELETE /connections/{id}", s.deleteConnection)
	mux.Handle("/api.xro/2.0/", http.StripPrefix("/api.xro/2.0", http.HandlerFunc(s.accounting)))
	s.Server = httptest.NewServer(mux)
	t.Cleanup(func() {
		s.Server.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, v := range s.violations {
			t.Errorf("xerotest: request violates Xero's OpenAPI: %s", v)
		}
	})
	return s
}

// Config is a xero.Config pointing at the fake.
func (s *Server) Config(redirectURL string) xero.Config {
	return xero.Config{
		ClientID: s.opts.ClientID, ClientSecret: s.opts.ClientSecret,
		AuthorizeURL:   s.URL + "/identity/connect/authorize",
		TokenURL:       s.URL + "/connect/token",
		RevokeURL:      s.URL + "/connect/revocation",
		ConnectionsURL: s.URL + "/connections",
		APIURL:         s.URL + "/api.xro/2.0",
		Scopes:         strings.Fields("openid profile email offline_access accounting.contacts accounting.invoices accounting.payments accounting.settings.read"),
		RedirectURL:    redirectURL,
		HTTPClient:     s.Client(),
		Now:            s.clock.Now,
	}
}

// Clock is the fake's clock.
func (s *Server) Clock() *Clock { return s.clock }

// Calls returns how many requests each endpoint received ("GET /Invoices").
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Violations returns the OpenAPI violations seen so far and forgets them
// (so a test that provokes one on purpose can assert it and still pass).
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.violations
	s.violations = nil
	return v
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
