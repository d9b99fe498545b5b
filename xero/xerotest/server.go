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
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"ledger/internal/loopback"
	"ledger/xero"
)

// Clock is a settable clock shared by the fake and the code under test. Its
// After advances the clock and fires at once, so waits take no real time.
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	wall bool          // follow the wall clock (NewWallClock)
	off  time.Duration // what Advance added to the wall clock
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// NewWallClock is a clock that follows the wall clock (plus whatever
// Advance adds), for a fake that runs in real time (`ledger demo`).
func NewWallClock() *Clock { return &Clock{wall: true} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wall {
		return time.Now().Add(c.off)
	}
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wall {
		c.off += d
		return
	}
	c.now = c.now.Add(d)
}

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

	// Addr is the loopback address NewServer listens on ("" picks a free
	// port). New ignores it.
	Addr string
	// Validate checks every Accounting request against Xero's OpenAPI
	// description (SpecPath). New always validates; NewServer only when
	// set, and fails when the description cannot be loaded.
	Validate bool
}

// Server is the fake. Its URLs go into xero.Config.
type Server struct {
	*httptest.Server
	opts Options
	// fatalf reports misuse of the seeding API (t.Fatalf under New, a
	// panic under NewServer).
	fatalf   func(format string, args ...any)
	validate bool
	clock    *Clock
	key      []byte // JWT signing key

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

// NewServer starts a fake Xero outside a test (e.g. for `ledger demo`),
// seeded with one GBP organisation "Demo Ltd" unless opts.NoOrganisation;
// Close stops it. A request that violates the OpenAPI description (when
// opts.Validate) is answered 400 and kept for Violations. Tests use New.
func NewServer(opts Options) (*Server, error) {
	if opts.Validate {
		if _, err := loadSpec(); err != nil {
			return nil, err
		}
	}
	s := newServer(opts)
	s.fatalf = func(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
	srv, err := loopback.Start(s.handler(), opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("xerotest: %w", err)
	}
	s.Server = srv
	return s, nil
}

func newServer(opts Options) *Server {
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
		opts: opts, clock: opts.Clock, key: []byte(newID()), validate: opts.Validate,
		orgs: map[string]*org{}, codes: map[string]*authCode{}, refresh: map[string]*refreshToken{},
		idem: map[string]*replay{}, calls: map[string]int{}, revoked: map[string]bool{},
	}
	if !opts.NoOrganisation {
		s.AddOrganisation("Demo Ltd", "GBP")
	}
	return s
}

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /identity/connect/authorize", s.authorize)
	mux.HandleFunc("POST /connect/token", s.token)
	mux.HandleFunc("POST /connect/revocation", s.revoke)
	mux.HandleFunc("GET /connections", s.listConnections)
	mux.HandleFunc("DELETE /connections/{id}", s.deleteConnection)
	mux.Handle("/api.xro/2.0/", http.StripPrefix("/api.xro/2.0", http.HandlerFunc(s.accounting)))
	return mux
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
