package cmd

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"ledger/domain"
	"ledger/xero"
)

// RefreshReference rebuilds the binding's reference cache from Xero: one
// call each for the organisation, accounts, tax rates, branding themes,
// tracking categories and currencies.
func (v *XeroVault) RefreshReference(ctx context.Context, id uint64) error {
	b, err := v.db.Binding(id)
	if err != nil {
		return err
	}
	switch b.Status {
	case domain.BindingPendingOAuth:
		return domain.Errorf(domain.EConflict, "binding %d is not connected to Xero yet; connect Xero first", id)
	case domain.BindingRevoked:
		return domain.Errorf(domain.EConflict, "binding %d is disconnected from Xero; connect Xero again first", id)
	case domain.BindingNeedsReauth:
		return domain.Errorf(domain.EConflict, "Xero asks you to sign in again before binding %d can be refreshed; reconnect Xero from the binding page", id)
	}
	c, err := v.Client(id)
	if err != nil {
		return err
	}
	rc, err := fetchReference(ctx, c)
	if err != nil {
		v.Observe(id, err)
		return xeroFailure(err, "refresh the reference data")
	}
	rc.FetchedAt = v.now().UTC()
	return v.db.PutReference(id, rc)
}

// fetchReference reads what the cache holds, one call per resource.
func fetchReference(ctx context.Context, c *xero.Client) (*domain.ReferenceCache, error) {
	org, err := c.Organisation(ctx)
	if err != nil {
		return nil, err
	}
	accounts, err := c.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	rates, err := c.TaxRates(ctx)
	if err != nil {
		return nil, err
	}
	themes, err := c.BrandingThemes(ctx)
	if err != nil {
		return nil, err
	}
	tracking, err := c.TrackingCategories(ctx)
	if err != nil {
		return nil, err
	}
	currencies, err := c.Currencies(ctx)
	if err != nil {
		return nil, err
	}
	return referenceCache(org, accounts, rates, themes, tracking, currencies), nil
}

// referenceCache maps Xero's objects to the cache. Accounts keep what a
// setting may name: revenue-capable accounts, BANK accounts and accounts
// that take payments.
func referenceCache(org xero.Organisation, accounts []xero.Account, rates []xero.TaxRate, themes []xero.BrandingTheme,
	tracking []xero.TrackingCategory, currencies []xero.Currency) *domain.ReferenceCache {
	rc := &domain.ReferenceCache{
		Organisation: domain.Organisation{Name: org.Name, BaseCurrency: org.BaseCurrency, CountryCode: org.CountryCode,
			Timezone: org.Timezone, ShortCode: org.ShortCode},
		Accounts: []domain.Account{}, TaxRates: []domain.TaxRate{}, BrandingThemes: []domain.BrandingTheme{},
		TrackingCategories: []domain.TrackingCategory{}, Currencies: []string{},
	}
	for _, a := range accounts {
		typ := strings.ToUpper(a.Type)
		if !slices.Contains(domain.RevenueAccountTypes, typ) && typ != "BANK" && !a.EnablePaymentsToAccount {
			continue
		}
		rc.Accounts = append(rc.Accounts, domain.Account{AccountID: a.AccountID, Code: a.Code, Name: a.Name, Type: typ,
			Class: a.Class, Status: a.Status, PaymentsEnabled: typ == "BANK" || a.EnablePaymentsToAccount, CurrencyCode: a.CurrencyCode})
	}
	for _, r := range rates {
		rate := ""
		if r.EffectiveRate != nil {
			rate = r.EffectiveRate.StringFixed(4)
		}
		rc.TaxRates = append(rc.TaxRates, domain.TaxRate{TaxType: r.TaxType, Name: r.Name, EffectiveRate: rate, Status: r.Status})
	}
	for _, t := range themes {
		rc.BrandingThemes = append(rc.BrandingThemes, domain.BrandingTheme{ID: t.BrandingThemeID, Name: t.Name})
	}
	for _, t := range tracking {
		tc := domain.TrackingCategory{ID: t.TrackingCategoryID, Name: t.Name, Options: []string{}}
		for _, o := range t.Options {
			tc.Options = append(tc.Options, o.Name)
		}
		rc.TrackingCategories = append(rc.TrackingCategories, tc)
	}
	for _, c := range currencies {
		rc.Currencies = append(rc.Currencies, c.Code)
	}
	if !slices.Contains(rc.Currencies, org.BaseCurrency) && org.BaseCurrency != "" {
		rc.Currencies = append(rc.Currencies, org.BaseCurrency)
	}
	return rc
}

// xeroFailure turns a Xero error into one user-safe sentence about doing.
func xeroFailure(err error, doing string) error {
	var rl *xero.RateLimitError
	switch {
	case errors.Is(err, xero.ErrReauthRequired):
		return domain.Wrap(domain.EConflict, err, "Xero no longer accepts this connection, so ledger could not %s; reconnect Xero from the binding page", doing)
	case errors.As(err, &rl):
		return domain.Wrap(domain.EUnavailable, err, "Xero's rate limit was reached, so ledger could not %s; try again in a few minutes", doing)
	case domain.KindOf(err) != domain.EInternal:
		return err
	}
	return domain.Wrap(domain.EUnavailable, err, "Xero could not be reached to %s; try again later", doing)
}

// refreshOffset spreads the daily reference refresh over the day: each
// binding has its own time of day, hash(id) mod 24 h.
func refreshOffset(id uint64) time.Duration {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strconv.FormatUint(id, 10)))
	return time.Duration(h.Sum64()%uint64(24*time.Hour/time.Minute)) * time.Minute
}

// lastSlot is the latest moment at or before now that is offset past a UTC
// midnight: when the binding's daily refresh was last due.
func lastSlot(now time.Time, offset time.Duration) time.Time {
	now = now.UTC()
	slot := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).Add(offset)
	if slot.After(now) {
		slot = slot.Add(-24 * time.Hour)
	}
	return slot
}

// referenceDue reports whether the binding's cache is older than its last
// daily slot (or absent).
func (v *XeroVault) referenceDue(id uint64, now time.Time) (bool, error) {
	rc, err := v.db.Reference(id)
	if domain.IsKind(err, domain.ENotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return rc.FetchedAt.Before(lastSlot(now, refreshOffset(id))), nil
}
