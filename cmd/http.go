package cmd

import (
	"context"
	"net/url"
	"time"

	"ledger/dashboard"
	"ledger/domain"
	"ledger/magento"
	"ledger/reconcile"
)

// XeroWebURL is the base of Xero's web app, where the dashboard's "open in
// Xero" links point. It is not an API host: the rule that every Xero API
// host comes from the --xero-*-url flags (config.go) is about the hosts
// ledger calls, and a browser link to a document is not one, so it has no
// flag.
const XeroWebURL = "https://go.xero.com"

// DashboardConfig is the one place the HTTP side is wired: every route's
// hooks (pairing, Xero connect, worker wake-up, retry, …) are set here so
// that `serve` and `demo` serve exactly the same thing.
func (a *App) DashboardConfig() dashboard.Config {
	cfg := dashboard.Config{
		DB:        a.DB,
		Logger:    a.Log,
		PublicURL: a.Config.PublicURL,
		Version:   buildVersion().Version,
		Healthy:   a.Healthy,
		Degraded:  a.degraded, // ops_health.go
		Metrics:   a.Metrics,
	}
	a.MagentoHooks(&cfg)
	a.WireXero(&cfg)
	a.WireSync(&cfg) // worker wake-up and Retry (sync_worker.go)
	cfg.Reconcile = a.reconcile
	cfg.PaymentMethods = a.paymentMethods
	cfg.XeroDeepLink = xeroDeepLink
	return cfg
}

// reconcile is the dashboard's reconciliation: reconcile.Run with the
// worker's factories, as `ledger reconcile` runs it.
func (a *App) reconcile(ctx context.Context, bindingID uint64, since time.Time) (*reconcile.Report, error) {
	return reconcile.Run(ctx, reconcile.Deps{DB: a.DB, Xero: xeroClients(a.Xero),
		Magento: magentoClients(a.DB, a.Config.MagentoAllowPrivate)}, bindingID, since)
}

// paymentMethods lists a tenant's Magento payment methods for the settings
// page, through the same per-tenant client as the sync worker. An older
// module's 404 is magento.ErrNotSupported (an ENotFound the page turns
// into a free-text fallback).
func (a *App) paymentMethods(ctx context.Context, tenantID string) ([]magento.PaymentMethod, error) {
	t, err := a.DB.Tenant(tenantID)
	if err != nil {
		return nil, err
	}
	mc, err := magentoClients(a.DB, a.Config.MagentoAllowPrivate)(ctx, t)
	if err != nil {
		return nil, err
	}
	return mc.PaymentMethods(ctx)
}

// xeroDeepLink is the Xero web app's page of a synced document, or "" for
// a kind that has none.
func xeroDeepLink(kind, xeroID string) string {
	if xeroID == "" {
		return ""
	}
	id := url.QueryEscape(xeroID)
	switch kind {
	case domain.XrefInvoice:
		return XeroWebURL + "/AccountsReceivable/View.aspx?InvoiceID=" + id
	case domain.XrefCreditNote:
		return XeroWebURL + "/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=" + id
	case domain.XrefContact:
		return XeroWebURL + "/Contacts/View/" + url.PathEscape(xeroID)
	}
	return ""
}
