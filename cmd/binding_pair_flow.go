package cmd

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"ledger/dashboard"
	"ledger/domain"
	"ledger/magento"
	"ledger/store"
)

// pairTimeout bounds one whole pairing: the pair call and the first ping.
const pairTimeout = 40 * time.Second

// pairer pairs Magento stores (protocol §2.7, §11 items 1–4). It is the one
// pairing flow: `ledger binding pair` and the dashboard's connect form both
// call Pair.
//
// Persist after success: the pair call goes first, and the tenant, its api
// key and its binding are written in one transaction only when Magento
// accepted them. A refused or failed call therefore leaves nothing behind
// (a re-pair keeps the old key, which Magento kept too). The one gap — Magento
// accepted but the write failed — is reported as an error asking for a new
// code; Magento then holds a tenant ledger does not know, whose webhooks are
// refused with 401 until the merchant pairs again.
type pairer struct {
	db           *store.DB
	publicURL    string
	allowPrivate bool
	http         *http.Client // nil: magento.NewHTTPClient(allowPrivate)
	now          func() time.Time
	log          *slog.Logger
}

// pairOutcome is what a successful pairing created or reused.
type pairOutcome struct {
	TenantID      string               `json:"tenant_id"`
	BindingID     uint64               `json:"binding_id"`
	MagentoStatus domain.MagentoStatus `json:"-"`
	Repaired      bool                 `json:"-"`
	Warnings      []string             `json:"-"`
}

// pairMu serialises pairings in this process, so two pairings of one store
// cannot both create a tenant.
var pairMu sync.Mutex

// Pair pairs the store at magentoURL with the code the merchant copied,
// owned by owner. Every error is one user-safe sentence.
func (p *pairer) Pair(ctx context.Context, magentoURL, code string, owner *domain.User) (pairOutcome, error) {
	ctx, cancel := context.WithTimeout(ctx, pairTimeout)
	defer cancel()
	code = magento.NormaliseCode(code)
	if code == "" {
		return pairOutcome{}, domain.Errorf(domain.EInvalid, "The pairing code is empty — copy it from Stores → Configuration → Byte8 → Xero in the Magento admin.")
	}
	if owner == nil {
		return pairOutcome{}, domain.Errorf(domain.EInvalid, "A pairing needs the dashboard user who owns the store.")
	}
	base, warnings, err := magento.CheckBaseURL(magentoURL, p.allowPrivate)
	if err != nil {
		return pairOutcome{}, err
	}
	pairMu.Lock()
	defer pairMu.Unlock()

	existing, err := p.db.TenantByMagentoURL(base)
	if err != nil && !domain.IsKind(err, domain.ENotFound) {
		return pairOutcome{}, err
	}
	if existing != nil && owner.Role != domain.RoleAdmin && existing.OwnerID != owner.ID {
		return pairOutcome{}, domain.Errorf(domain.EConflict, "This Magento store is already paired by another account; ask your ledger admin to re-pair it.")
	}
	out := pairOutcome{Warnings: warnings, Repaired: existing != nil}
	out.TenantID = magento.NewTenantID()
	if existing != nil {
		out.TenantID = existing.ID // one api key per tenant: re-pairing rotates it
	}
	apiKey := magento.NewAPIKey()
	err = magento.Pair(ctx, magento.PairRequest{
		MagentoURL: base, Code: code, TenantID: out.TenantID, APIKey: apiKey,
		LedgerBaseURL: p.publicURL, HTTP: p.http, AllowPrivate: p.allowPrivate,
	})
	if err != nil {
		return pairOutcome{}, pairError(err)
	}
	if existing != nil {
		out.BindingID, err = p.repair(existing, apiKey)
	} else {
		out.BindingID, err = p.create(out.TenantID, base, apiKey, owner)
	}
	if err != nil {
		p.log.Error("pairing: Magento accepted the pairing but ledger could not store it", "tenant", out.TenantID, "err", err)
		return pairOutcome{}, domain.Wrap(domain.KindOf(err), err,
			"Magento accepted the pairing but ledger could not save it; generate a new pairing code and pair again.")
	}
	out.MagentoStatus = p.probe(ctx, out.TenantID, base, apiKey)
	p.log.Info("paired a Magento store", "tenant", out.TenantID, "binding", out.BindingID,
		"repaired", out.Repaired, "magento_status", string(out.MagentoStatus))
	return out, nil
}

// pairError keeps magento.Pair's sentences and names the unreachable case.
func pairError(err error) error {
	if domain.IsKind(err, domain.EUnavailable) {
		return domain.Wrap(domain.EUnavailable, err, "Magento could not be reached or answered with an error; check the URL and that the store is up, then try again.")
	}
	return err
}

func (p *pairer) create(tenantID, base, apiKey string, owner *domain.User) (uint64, error) {
	t := &domain.Tenant{ID: tenantID, MagentoURL: base, MagentoStatus: domain.MagentoPending, OwnerID: owner.ID}
	b := &domain.Binding{Provider: domain.ProviderXero, Status: domain.BindingPendingOAuth}
	if err := p.db.CreatePairing(t, apiKey, b); err != nil {
		return 0, err
	}
	return b.ID, nil
}

// repair rotates an existing tenant's key and revives its Xero binding: a
// binding revoked by a disconnect needs Xero connected again, and keeps its
// cross-references so documents are not posted twice.
func (p *pairer) repair(t *domain.Tenant, apiKey string) (uint64, error) {
	if err := p.db.RepairTenant(t.ID, apiKey); err != nil {
		return 0, err
	}
	bs, err := p.db.BindingsByTenant(t.ID)
	if err != nil {
		return 0, err
	}
	for _, b := range bs {
		if b.Provider != domain.ProviderXero {
			continue
		}
		if b.Status == domain.BindingRevoked {
			if _, err := p.db.UpdateBinding(b.ID, func(b *domain.Binding) error {
				b.Status = domain.BindingPendingOAuth
				return nil
			}); err != nil {
				return 0, err
			}
		}
		return b.ID, nil
	}
	b := &domain.Binding{TenantID: t.ID, Provider: domain.ProviderXero, Status: domain.BindingPendingOAuth}
	if err := p.db.CreateBinding(b); err != nil {
		return 0, err
	}
	return b.ID, nil
}

// probe pings the freshly paired store with an inbound token and records
// the outcome: 200 → active, 401 → token_revoked, anything else → pending.
func (p *pairer) probe(ctx context.Context, tenantID, base, apiKey string) domain.MagentoStatus {
	status := pingStatus(ctx, base, tenantID, apiKey, p.http, p.allowPrivate, p.now)
	if err := setMagentoStatus(p.db, tenantID, status, p.now()); err != nil {
		p.log.Warn("pairing: could not record the Magento status", "tenant", tenantID, "err", err)
	}
	return status
}

// pingStatus pings one store once and maps the answer to a status.
func pingStatus(ctx context.Context, base, tenantID, apiKey string, hc *http.Client, allowPrivate bool, now func() time.Time) domain.MagentoStatus {
	c, err := magento.NewClient(base, tenantID, apiKey, magento.ClientOptions{HTTP: hc, AllowPrivate: allowPrivate, Now: now, Retries: -1})
	if err != nil {
		return domain.MagentoPending
	}
	switch err := c.Ping(ctx); {
	case err == nil:
		return domain.MagentoActive
	case errors.Is(err, magento.ErrTokenRevoked):
		return domain.MagentoTokenRevoked
	}
	return domain.MagentoPending
}

// setMagentoStatus stores a ping's outcome and when it was made.
func setMagentoStatus(db *store.DB, tenantID string, status domain.MagentoStatus, at time.Time) error {
	_, err := db.UpdateTenant(tenantID, func(t *domain.Tenant) error {
		t.MagentoStatus = status
		at := at.UTC()
		t.LastPingAt = &at
		return nil
	})
	return err
}

// dashboardPair adapts a pairer to dashboard.Config.Pair.
func dashboardPair(p *pairer) func(ctx context.Context, in dashboard.PairInput) (dashboard.PairResult, error) {
	return func(ctx context.Context, in dashboard.PairInput) (dashboard.PairResult, error) {
		out, err := p.Pair(ctx, in.MagentoURL, in.Code, in.Owner)
		if err != nil {
			return dashboard.PairResult{}, err
		}
		return dashboard.PairResult{TenantID: out.TenantID, BindingID: out.BindingID, Warnings: out.Warnings}, nil
	}
}
