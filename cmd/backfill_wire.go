package cmd

import (
	"context"
	"os"

	"golang.org/x/term"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	"ledger/xero"
)

// magentoClients is the Magento canonical client of a tenant, built the
// way the sync worker needs it: the tenant's sealed api key, a fresh token
// per request.
func magentoClients(db *store.DB, allowPrivate bool) func(ctx context.Context, t *domain.Tenant) (*magento.Client, error) {
	return func(_ context.Context, t *domain.Tenant) (*magento.Client, error) {
		key, err := db.APIKey(t.ID)
		if err != nil {
			return nil, err
		}
		return magento.NewClient(t.MagentoURL, t.ID, key, magento.ClientOptions{AllowPrivate: allowPrivate})
	}
}

// xeroClients adapts the vault to the worker's per-binding factory.
func xeroClients(v *XeroVault) func(ctx context.Context, b *domain.Binding) (*xero.Client, error) {
	return func(_ context.Context, b *domain.Binding) (*xero.Client, error) { return v.Client(b.ID) }
}

// allowPrivate is --magento-allow-private of the server when the command
// runs inside it, else the command's own.
func (d *deps) allowPrivate() bool {
	if d.app != nil {
		return d.app.Config.MagentoAllowPrivate
	}
	return d.cfg.MagentoAllowPrivate
}

// dailyBudget is --xero-daily-budget, the server's inside it.
func (d *deps) dailyBudget() int {
	if d.app != nil {
		return d.app.Config.XeroDailyBudget
	}
	return d.cfg.XeroDailyBudget
}

// notifier is a service that can be woken for bindings with new queued
// runs: the sync worker's service.
type notifier interface{ Notify(bindingIDs ...uint64) }

// workerNotify wakes the in-process sync worker, if this command runs
// inside `ledger serve`; otherwise the server's slow timer finds the runs.
func (d *deps) workerNotify() func(ids ...uint64) {
	if d.app == nil {
		return nil
	}
	return func(ids ...uint64) {
		d.app.mu.Lock()
		svcs := append([]Service(nil), d.app.services...)
		d.app.mu.Unlock()
		for _, s := range svcs {
			if n, ok := s.(notifier); ok {
				n.Notify(ids...)
			}
		}
	}
}

// isTerminal reports whether w is a terminal (the progress bar's test).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
