// Package dashboard is all of ledger's HTTP: the browser dashboard, the
// Magento-facing API (webhooks, health, disconnect, embed), the OAuth
// callback and the operations endpoints, behind one route table.
package dashboard

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/metrics"
	"ledger/store"
)

// Config is what the HTTP side needs from the wiring in cmd/.
type Config struct {
	DB        *store.DB
	Logger    *slog.Logger
	PublicURL string // how browsers and Magento reach ledger, no trailing slash
	Version   string
	// Healthy reports why ledger is not healthy (nil when it is): the
	// database is open and the worker runs.
	Healthy func() error
	// Degraded lists why a healthy ledger still needs attention (bindings
	// needing re-authorisation, revoked Magento tokens, budgets, dead
	// letters); /healthz reports them without failing (healthz.go).
	Degraded func() []string
	// Metrics is served at GET /metrics and counts webhooks; nil → 404.
	Metrics *metrics.Metrics

	// Store is what the dashboard reads and writes. Nil means DB, through
	// an adapter (see store.go); tests pass a fake.
	Store Store
	// Now is the clock (default time.Now); tests pin it.
	Now func() time.Time

	// Hooks into the other packages, wired in cmd/. A nil hook makes the
	// page say the action is unavailable instead of failing.

	// Pair performs the pairing call to Magento (protocol §12).
	Pair func(ctx context.Context, in PairInput) (PairResult, error)
	// RefreshReference rebuilds a binding's Xero reference cache now.
	RefreshReference func(ctx context.Context, bindingID uint64) error
	// DisconnectBinding has the effect of `ledger binding disconnect ID`.
	DisconnectBinding func(ctx context.Context, bindingID uint64) error
	// PaymentMethods lists the tenant's Magento payment methods (§7.2).
	PaymentMethods func(ctx context.Context, tenantID string) ([]magento.PaymentMethod, error)
	// RetryRun re-runs one sync run (`ledger sync retry RUN_ID`).
	RetryRun func(ctx context.Context, runID uint64) error
	// XeroDeepLink returns the go.xero.com URL of a Xero document of the
	// given xref kind (domain.XrefInvoice, …), or "" when there is none.
	XeroDeepLink func(kind, xeroID string) string
	// Reconcile runs the reconciliation page's report (reconcile.Run).
	Reconcile ReconcileFunc

	// Magento-facing API (magento_*.go).

	// Enqueued is told, after the commit, which bindings got new queued
	// runs from a webhook (the sync worker wakes up on it).
	Enqueued func(bindingIDs ...uint64)
	// BindingRevoked is told of each binding a Magento disconnect revoked,
	// so the Xero side can best-effort revoke its tokens.
	BindingRevoked func(ctx context.Context, bindingID uint64)

	// Xero is the Xero connect flow (oauth_*.go): the app, the token vault
	// and what runs after a connect. Nil shows the "set credentials" page.
	Xero *XeroOAuth
}

// PairInput is what the connect-magento form submits.
type PairInput struct {
	MagentoURL string
	Code       string
	Owner      *domain.User
}

// PairResult is what a successful pairing created.
type PairResult struct {
	TenantID  string
	BindingID uint64
	Warnings  []string
}

// Server serves every route of interfaces.md §4.
type Server struct {
	cfg      Config
	store    Store
	mux      *routeMux
	pages    map[string]*template.Template
	sessions *sessions
	throttle *throttle
	secure   bool // PublicURL is https: cookies get Secure
	magento  *magentoAPI
}

// New builds the server and its route table. It fails when an embedded
// template is missing or does not parse.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	s := &Server{cfg: cfg, mux: &routeMux{ServeMux: http.NewServeMux()}, store: cfg.Store}
	if s.store == nil {
		s.store = dbStore{cfg.DB}
	}
	s.secure = strings.HasPrefix(strings.ToLower(cfg.PublicURL), "https://")
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	if s.sessions, err = newSessions(s.store, cfg.Logger, s.secure, cfg.Now); err != nil {
		return nil, err
	}
	s.throttle = newThrottle(cfg.Now, 5, 15*time.Minute)
	s.routes()
	return s, nil
}

// Handler returns the root handler: every route behind the security headers
// and the form size limit.
func (s *Server) Handler() http.Handler { return securityHeaders(s.secure, s.limitForms(s.mux)) }
