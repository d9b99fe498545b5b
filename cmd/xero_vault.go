package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"ledger/alert"
	"ledger/domain"
	"ledger/metrics"
	"ledger/store"
	"ledger/xero"
)

// tokenRecord is the JSON sealed at domain.SecretBindingTokens(id).
type tokenRecord struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry"`
	AuthEventID  string    `json:"auth_event_id,omitempty"`
	SavedAt      time.Time `json:"saved_at"`
}

// sealedTokens is xero.TokenStore on one binding's sealed secret.
type sealedTokens struct {
	db  *store.DB
	id  uint64
	now func() time.Time
}

func (s sealedTokens) record() (*tokenRecord, error) {
	raw, err := s.db.Secret(domain.SecretBindingTokens(s.id))
	if domain.IsKind(err, domain.ENotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec tokenRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, domain.Wrap(domain.EInternal, err, "the stored Xero tokens of binding %d are damaged; reconnect Xero", s.id)
	}
	return &rec, nil
}

// Load returns the binding's tokens, or nil when it has none.
func (s sealedTokens) Load(context.Context) (*xero.Token, error) {
	rec, err := s.record()
	if rec == nil || err != nil {
		return nil, err
	}
	return &xero.Token{AccessToken: rec.AccessToken, RefreshToken: rec.RefreshToken, Expiry: rec.Expiry, AuthEventID: rec.AuthEventID}, nil
}

// Save seals t; it returns only once the write is committed, so a rotated
// refresh token is durable before its access token is used.
func (s sealedTokens) Save(_ context.Context, t *xero.Token) error {
	if t == nil {
		return errors.New("no token to save")
	}
	raw, err := json.Marshal(tokenRecord{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken,
		Expiry: t.Expiry.UTC(), AuthEventID: t.AuthEventID, SavedAt: s.now().UTC()})
	if err != nil {
		return err
	}
	return s.db.PutSecret(domain.SecretBindingTokens(s.id), raw)
}

// XeroVault holds every Xero credential of the process: one *xero.TokenSource
// per binding (so concurrent callers share one refresh), one rate limiter
// per Xero organisation, and the binding status transitions that token
// failures cause. The worker, the reference jobs, the dashboard and the CLI
// receive the same vault.
type XeroVault struct {
	db     *store.DB
	cfg    xero.Config
	log    *slog.Logger
	now    func() time.Time
	budget int

	// LimiterClock paces the per-organisation limiters (nil: real time);
	// tests share the fake Xero's clock.
	LimiterClock xero.Clock

	mu       sync.Mutex
	metrics  *metrics.Metrics // set by Instrument (ops_xero.go)
	alerts   *alert.Alerter
	sources  map[uint64]*xero.TokenSource
	limiters map[string]*xero.Limiter
	app      *xero.AppLimiter // Xero's app-wide 10 000 calls a minute, shared by every organisation
}

// NewXeroVault builds the vault over db. cfg.Now, when set, is also the
// vault's clock.
func NewXeroVault(db *store.DB, cfg xero.Config, dailyBudget int, log *slog.Logger) *XeroVault {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &XeroVault{db: db, cfg: cfg, log: log, now: now, budget: dailyBudget,
		sources: map[uint64]*xero.TokenSource{}, limiters: map[string]*xero.Limiter{}}
}

// Configured reports whether a Xero app's client credentials are set.
func (v *XeroVault) Configured() bool { return v.cfg.ClientID != "" && v.cfg.ClientSecret != "" }

// Config is the Xero configuration (endpoints and app credentials).
func (v *XeroVault) Config() xero.Config { return v.cfg }

func (v *XeroVault) tokens(id uint64) sealedTokens { return sealedTokens{db: v.db, id: id, now: v.now} }

// source returns the binding's one token source.
func (v *XeroVault) source(id uint64) *xero.TokenSource {
	v.mu.Lock()
	defer v.mu.Unlock()
	ts := v.sources[id]
	if ts == nil {
		// The key names the database too: the refresh single-flight is
		// process-wide, and two databases may both have a binding 1.
		ts = xero.NewTokenSource(v.cfg, v.tokens(id), fmt.Sprintf("%s#%d", v.db.Path(), id))
		v.sources[id] = ts
	}
	return ts
}

// Source is the binding's access-token source for xero.Client. A refusal
// that needs a new consent marks the binding needs_reauth.
func (v *XeroVault) Source(id uint64) xero.AccessTokenSource { return bindingSource{v: v, id: id} }

type bindingSource struct {
	v  *XeroVault
	id uint64
}

func (s bindingSource) AccessToken(ctx context.Context) (string, error) {
	tok, err := s.v.source(s.id).AccessToken(ctx)
	if err != nil {
		s.v.Observe(s.id, err)
	}
	return tok, err
}

// Renew lets the client replace a token Xero refused before its time.
func (s bindingSource) Renew(ctx context.Context, rejected string) (string, error) {
	tok, err := s.v.source(s.id).Renew(ctx, rejected)
	if err != nil {
		s.v.Observe(s.id, err)
	}
	return tok, err
}

var _ xero.TokenRenewer = bindingSource{}

// SaveTokens seals a freshly exchanged token set for the binding.
func (v *XeroVault) SaveTokens(_ context.Context, id uint64, t *xero.Token) error {
	return v.tokens(id).Save(context.Background(), t)
}

// Client is an Accounting API client for the binding's pinned organisation,
// paced by that organisation's limiter.
func (v *XeroVault) Client(id uint64) (*xero.Client, error) {
	b, err := v.db.Binding(id)
	if err != nil {
		return nil, err
	}
	if b.XeroTenantID == "" {
		return nil, domain.Errorf(domain.EConflict, "binding %d is not connected to Xero yet; connect it first", id)
	}
	v.mu.Lock()
	lim := v.limiters[b.XeroTenantID]
	if lim == nil {
		if v.app == nil {
			v.app = xero.NewAppLimiter(0, v.LimiterClock)
		}
		lim = xero.NewLimiter(xero.LimiterConfig{DailyBudget: v.budget, Clock: v.LimiterClock, App: v.app, OnWait: v.metrics.LimiterWait})
		v.limiters[b.XeroTenantID] = lim
	}
	hc := v.apiHTTPClient(id, b.TenantID, lim)
	v.mu.Unlock()
	return xero.NewClient(v.cfg, v.Source(id), b.XeroTenantID, lim, hc), nil
}

// errUnchanged aborts an UpdateBinding that has nothing to write.
var errUnchanged = errors.New("unchanged")

// Observe marks an active binding needs_reauth when err says only a new
// consent can fix it. Syncing then pauses: runs wait, they do not fail.
func (v *XeroVault) Observe(id uint64, err error) {
	if !errors.Is(err, xero.ErrReauthRequired) {
		return
	}
	b, uerr := v.db.UpdateBinding(id, func(b *domain.Binding) error {
		if b.Status != domain.BindingActive {
			return errUnchanged
		}
		b.Status = domain.BindingNeedsReauth
		return nil
	})
	switch {
	case uerr == nil:
		v.log.Warn("xero: binding needs to be reconnected", "binding", id, "err", err.Error())
		v.mu.Lock()
		al := v.alerts
		v.mu.Unlock()
		if b != nil {
			al.NeedsReauth(bindingLabel(id), b.TenantID, b.XeroOrgName)
		}
	case !errors.Is(uerr, errUnchanged):
		v.log.Error("xero: could not mark binding needs_reauth", "binding", id, "err", uerr.Error())
	}
}

// KeepAlive refreshes the binding's tokens when they were last saved more
// than idle ago, so a quiet store never reaches the refresh token's 60-day
// expiry. It reports whether a refresh was made.
func (v *XeroVault) KeepAlive(ctx context.Context, id uint64, idle time.Duration) (bool, error) {
	rec, err := v.tokens(id).record()
	if err != nil || rec == nil || v.now().Sub(rec.SavedAt) < idle {
		return false, err
	}
	if err := v.source(id).KeepAlive(ctx); err != nil {
		v.Observe(id, err)
		return false, err
	}
	return true, nil
}
