package cmd

import (
	"ledger/dashboard"
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
	}
	a.MagentoHooks(&cfg)
	a.WireXero(&cfg)
	a.WireSync(&cfg) // worker wake-up and Retry (sync_worker.go)
	return cfg
}
