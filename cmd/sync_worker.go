package cmd

import (
	"context"
	"time"

	"ledger/dashboard"
	syncw "ledger/sync"
)

// syncService is the sync worker as a service of `ledger serve`: it moves
// queued runs into Xero (through the App's token vault) and mirrors their
// outcome to Magento; webhooks wake it, /healthz reports it.
type syncService struct {
	w    *syncw.Worker
	app  *App
	idle bool // another sync worker service was registered: stand down
}

// addSyncWorker registers the worker (called from App.Open).
func (a *App) addSyncWorker() {
	a.Add(&syncService{app: a, w: syncw.New(syncw.Config{
		DB: a.DB, Log: a.Log, DailyBudget: a.Config.XeroDailyBudget,
		Xero:        xeroClients(a.Xero),
		Magento:     magentoClients(a.DB, a.Config.MagentoAllowPrivate),
		ObserveXero: a.observeSync,  // vault + Magento-revoked alert (ops.go)
		Finished:    a.syncFinished, // metrics and alerts (ops.go)
		DayUsed:     a.Xero.DayUsed, // pacing sees calls made outside the worker
	})})
}

func (s *syncService) Name() string { return "sync-worker" }

// Start runs the worker. If another service already syncs the same
// database (the demo registers its own), this one stays idle: two workers
// must never post the same runs.
func (s *syncService) Start(ctx context.Context) error {
	s.app.mu.Lock()
	for _, o := range s.app.services {
		if o != Service(s) && o.Name() == s.Name() {
			s.idle = true
		}
	}
	s.app.mu.Unlock()
	if !s.idle {
		s.w.Start(ctx)
	}
	return nil
}

func (s *syncService) Stop(ctx context.Context) error { return s.w.Stop(ctx) }

// Healthy is nil while the worker runs.
func (s *syncService) Healthy() error {
	if s.idle {
		return nil
	}
	return s.w.Healthy()
}

// Notify wakes the worker for bindings with new queued runs.
func (s *syncService) Notify(ids ...uint64) {
	if !s.idle {
		s.w.Notify(ids...)
	}
}

// Retry re-queues one run and wakes the worker.
func (s *syncService) Retry(ctx context.Context, runID uint64) error { return s.w.Retry(ctx, runID) }

// syncWorker is the App's running sync worker service, or nil.
func (a *App) syncWorker() *syncService {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.services {
		if w, ok := s.(*syncService); ok && !w.idle {
			return w
		}
	}
	return nil
}

// WireSync plugs the worker into the dashboard: an accepted webhook wakes
// it, and the sync page's Retry is `ledger sync retry`.
func (a *App) WireSync(c *dashboard.Config) {
	c.Enqueued = func(ids ...uint64) {
		if w := a.syncWorker(); w != nil {
			w.Notify(ids...)
		}
	}
	c.RetryRun = a.retryRun
}

// retryRun re-queues a run through the running worker, or in the database
// when none runs (the next `ledger serve` picks it up).
func (a *App) retryRun(ctx context.Context, runID uint64) error {
	if w := a.syncWorker(); w != nil {
		return w.Retry(ctx, runID)
	}
	_, err := syncw.Requeue(a.DB, runID, time.Now())
	return err
}
