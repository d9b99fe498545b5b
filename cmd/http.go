package cmd

import (
	"context"
	"time"

	"ledger/dashboard"
	"ledger/reconcile"
)

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
	return cfg
}

// reconcile is the dashboard's reconciliation: reconcile.Run with the
// worker's factories, as `ledger reconcile` runs it.
func (a *App) reconcile(ctx context.Context, bindingID uint64, since time.Time) (*reconcile.Report, error) {
	return reconcile.Run(ctx, reconcile.Deps{DB: a.DB, Xero: xeroClients(a.Xero),
		Magento: magentoClients(a.DB, a.Config.MagentoAllowPrivate)}, bindingID, since)
}
