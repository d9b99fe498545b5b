package cmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"ledger/alert"
	"ledger/domain"
	"ledger/metrics"
	"ledger/store"
)

// Service is a background part of `ledger serve` (the sync worker, the
// cron, …). The App starts services in the order they were added and stops
// them in reverse; Healthy reports why a running service is unwell.
type Service interface {
	Name() string
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Healthy() error
}

// App is the running ledger process: configuration, logger, the open
// database and the background services. Serve and the admin socket use it.
type App struct {
	Config Config
	Log    *slog.Logger
	DB     *store.DB
	// Xero is the process's one token vault (cmd/xero_vault.go).
	Xero *XeroVault
	// Metrics and Alerts are the operations side (cmd/ops.go); both are
	// nil-safe.
	Metrics *metrics.Metrics
	Alerts  *alert.Alerter

	health   *reasonCache // /healthz's degraded reasons (ops_health.go)
	getenv   func(string) (string, bool)
	mu       sync.Mutex
	services []Service
	started  []Service
	closed   bool
}

// NewApp prepares an App; Open opens its database.
func NewApp(cfg Config, log *slog.Logger, getenv func(string) (string, bool)) *App {
	return &App{Config: cfg, Log: log, getenv: getenv}
}

// Open creates the data directory (0700) and the master key when needed and
// opens the database read-write.
func (a *App) Open() error {
	if err := a.openOps(); err != nil { // metrics and alerts (ops.go)
		return err
	}
	db, err := openDatabase(&a.Config, a.getenv, false, a.Log)
	if err != nil {
		_ = a.Alerts.Close(context.Background())
		return err
	}
	a.DB = db
	a.Add(&opsService{app: a, tick: time.After}) // first started, last stopped (ops.go)
	a.Xero = NewXeroVault(db, a.Config.xeroConfig(), a.Config.XeroDailyBudget, a.Log)
	a.Xero.Instrument(a.Metrics, a.Alerts)
	a.Add(newXeroJobs(a.Xero, a.Log)) // reference refresh and keep-alive cron (xero_jobs.go)
	a.addPinger()                     // Magento ping loop (pinger.go)
	a.addSyncWorker()                 // the sync worker (sync_worker.go)
	return nil
}

// Add registers a service to start with Start. It is where later wiring
// plugs the sync worker and the cron in.
func (a *App) Add(s Service) { a.services = append(a.services, s) }

// Start starts the services in order; on a failure it stops those already
// started and returns the error.
func (a *App) Start(ctx context.Context) error {
	for _, s := range a.services {
		if err := s.Start(ctx); err != nil {
			_ = a.stopServices(ctx)
			return domain.Wrap(domain.EInternal, err, "could not start %s; see the log", s.Name())
		}
		a.mu.Lock()
		a.started = append(a.started, s)
		a.mu.Unlock()
		a.Log.Debug("service started", "service", s.Name())
	}
	return nil
}

// Healthy is nil when the database is open and every service runs.
func (a *App) Healthy() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.DB == nil || a.closed {
		return errors.New("database: not open")
	}
	if len(a.started) != len(a.services) {
		return errors.New("services: not all started")
	}
	for _, s := range a.started {
		if err := s.Healthy(); err != nil {
			return fmt.Errorf("%s: %w", s.Name(), err)
		}
	}
	return nil
}

func (a *App) stopServices(ctx context.Context) error {
	a.mu.Lock()
	started := a.started
	a.started = nil
	a.mu.Unlock()
	var errs []error
	for i := len(started) - 1; i >= 0; i-- {
		if err := started[i].Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", started[i].Name(), err))
		}
	}
	return errors.Join(errs...)
}

// Close stops the services in reverse order, then closes the database.
func (a *App) Close(ctx context.Context) error {
	err := a.stopServices(ctx)
	a.mu.Lock()
	db := a.DB
	already := a.closed
	a.closed = true
	a.mu.Unlock()
	if db != nil && !already {
		err = errors.Join(err, db.Close())
	}
	return err
}
