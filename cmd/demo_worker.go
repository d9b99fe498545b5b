package cmd

import (
	"context"
	"errors"

	"ledger/dashboard"
	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	syncw "ledger/sync"
	"ledger/xero"
)

// demoWorker is the sync worker as an App service, wired to the App's
// token vault and the tenants' Magento clients.
//
// TODO(sync wiring): when serve gets its own worker service, the demo
// should use that one instead of this copy.
type demoWorker struct {
	w *syncw.Worker
}

func newDemoWorker(a *App) *demoWorker {
	db, cfg := a.DB, a.Config
	return &demoWorker{w: syncw.New(syncw.Config{
		DB: db, Log: a.Log, DailyBudget: cfg.XeroDailyBudget,
		Xero: func(_ context.Context, b *domain.Binding) (*xero.Client, error) { return a.Xero.Client(b.ID) },
		Magento: func(_ context.Context, t *domain.Tenant) (*magento.Client, error) {
			return tenantClient(db, t, cfg.MagentoAllowPrivate)
		},
		ObserveXero: a.Xero.Observe,
	})}
}

// tenantClient is the canonical client of a tenant, with its sealed key.
func tenantClient(db *store.DB, t *domain.Tenant, allowPrivate bool) (*magento.Client, error) {
	key, err := db.APIKey(t.ID)
	if err != nil {
		return nil, err
	}
	return magento.NewClient(t.MagentoURL, t.ID, key, magento.ClientOptions{AllowPrivate: allowPrivate})
}

func (s *demoWorker) Name() string { return "sync-worker" }

func (s *demoWorker) Start(ctx context.Context) error { s.w.Start(ctx); return nil }

func (s *demoWorker) Stop(ctx context.Context) error { return s.w.Stop(ctx) }

func (s *demoWorker) Healthy() error {
	if !s.w.Running() {
		return errors.New("not running")
	}
	return nil
}

// wire plugs the worker into the dashboard: a webhook wakes it, and the
// Sync history's Retry re-queues a run now.
func (s *demoWorker) wire(c *dashboard.Config) {
	c.Enqueued = s.w.Notify
	if c.RetryRun == nil {
		c.RetryRun = s.w.Retry
	}
}
