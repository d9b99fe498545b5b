package cmd

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"ledger/domain"
)

// Schedules of the Xero jobs. The reference sweep runs often but refreshes
// each binding once a day, at its own offset (refreshOffset); the
// keep-alive check runs hourly and refreshes tokens idle for a day.
const (
	referenceSweepSpec = "@every 10m"
	keepAliveSpec      = "@hourly"
	keepAliveIdle      = 24 * time.Hour
)

// xeroJobs is the cron service of the Xero connection: the daily reference
// refresh of every active binding and the keep-alive of idle tokens.
type xeroJobs struct {
	v    *XeroVault
	log  *slog.Logger
	cron *cron.Cron

	mu  sync.Mutex
	err error // last sweep failure that was not Xero's (e.g. the database)
}

func newXeroJobs(v *XeroVault, log *slog.Logger) *xeroJobs {
	return &xeroJobs{v: v, log: log}
}

func (j *xeroJobs) Name() string { return "xero-jobs" }

func (j *xeroJobs) Start(ctx context.Context) error {
	j.cron = cron.New(cron.WithLocation(time.UTC), cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	bg := context.WithoutCancel(ctx)
	if _, err := j.cron.AddFunc(referenceSweepSpec, func() { j.record(j.v.SweepReferences(bg, j.v.now())) }); err != nil {
		return err
	}
	if _, err := j.cron.AddFunc(keepAliveSpec, func() {
		j.record(j.v.SweepKeepAlive(bg))
		j.record(j.v.SweepOAuthStates(j.v.now()))
	}); err != nil {
		return err
	}
	j.cron.Start()
	return nil
}

func (j *xeroJobs) Stop(ctx context.Context) error {
	if j.cron == nil {
		return nil
	}
	select {
	case <-j.cron.Stop().Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (j *xeroJobs) Healthy() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

func (j *xeroJobs) record(err error) {
	j.mu.Lock()
	j.err = err
	j.mu.Unlock()
	if err != nil {
		j.log.Error("xero jobs: sweep failed", "err", err.Error())
	}
}

// SweepReferences refreshes every active binding whose cache is older than
// its daily slot. Xero failures are logged per binding; only a database
// failure is returned.
func (v *XeroVault) SweepReferences(ctx context.Context, now time.Time) error {
	bs, err := v.db.ListBindings()
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Status != domain.BindingActive {
			continue
		}
		due, err := v.referenceDue(b.ID, now)
		if err != nil {
			return err
		}
		if !due {
			continue
		}
		if err := v.RefreshReference(ctx, b.ID); err != nil {
			v.log.Warn("xero: daily reference refresh failed", "binding", b.ID, "err", err.Error())
		}
	}
	return nil
}

// SweepKeepAlive refreshes the tokens of every active binding that has not
// refreshed them for keepAliveIdle.
func (v *XeroVault) SweepKeepAlive(ctx context.Context) error {
	bs, err := v.db.ListBindings()
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Status != domain.BindingActive {
			continue
		}
		did, err := v.KeepAlive(ctx, b.ID, keepAliveIdle)
		switch {
		case err != nil:
			v.log.Warn("xero: keep-alive refresh failed", "binding", b.ID, "err", err.Error())
		case did:
			v.log.Info("xero: keep-alive refresh", "binding", b.ID)
		}
	}
	return nil
}

// SweepOAuthStates deletes connect links and consents that expired unused
// (a merchant who never came back from Xero), so they do not pile up.
func (v *XeroVault) SweepOAuthStates(now time.Time) error {
	n, err := v.db.PurgeOAuthStates(now)
	if n > 0 {
		v.log.Info("xero: expired connect links removed", "count", n)
	}
	return err
}
