package cmd

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"ledger/alert"
	"ledger/domain"
	"ledger/magento"
	"ledger/metrics"
)

// sweepEvery is how often the ops service looks for bindings and tenants
// that need a human (an alert's cool-down keeps repeats to one an hour).
const sweepEvery = time.Minute

// openOps builds the App's metrics and alerter from the configuration. It
// runs before the database opens so a bad alert setting fails fast.
func (a *App) openOps() error {
	a.Metrics = metrics.New()
	al, err := alert.New(a.Config.alertConfig(a))
	if err != nil {
		return err
	}
	a.Alerts = al
	return nil
}

// alertConfig is the alert.Config of the --alert-* flags.
func (c *Config) alertConfig(a *App) alert.Config {
	return alert.Config{
		WebhookURL:       c.AlertWebhookURL,
		SMTPAddr:         c.AlertSMTPAddr,
		SMTPUser:         c.AlertSMTPUser,
		SMTPPassword:     c.AlertSMTPPassword,
		From:             c.AlertEmailFrom,
		To:               splitList(c.AlertEmailTo),
		FailureThreshold: c.AlertFailuresPerHour,
		Logger:           a.Log,
	}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func bindingLabel(id uint64) string { return strconv.FormatUint(id, 10) }

// opsService is the `ledger serve` service of metrics and alerts: it feeds
// the queue-depth gauge from the store at scrape time, sweeps the store for
// bindings and tenants that need a human (a status set by any path, the
// Magento pinger included) and closes the alerter last on shutdown.
type opsService struct {
	app *App
	// tick is the sweep timer (time.After in production).
	tick func(time.Duration) <-chan time.Time

	cancel context.CancelFunc
	done   chan struct{}
}

func (s *opsService) Name() string   { return "ops" }
func (s *opsService) Healthy() error { return nil }

func (s *opsService) Start(ctx context.Context) error {
	s.app.Metrics.SetQueueDepth(s.app.queueDepth)
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		for {
			s.app.sweepAlerts()
			select {
			case <-ctx.Done():
				return
			case <-s.tick(sweepEvery):
			}
		}
	}()
	return nil
}

// Stop ends the sweep and delivers what alerts are queued until ctx ends.
func (s *opsService) Stop(ctx context.Context) error {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	s.app.Metrics.SetQueueDepth(nil)
	return s.app.Alerts.Close(ctx)
}

// queueDepth is ledger_queue_depth: queued and running runs per binding.
func (a *App) queueDepth() map[string]int {
	bs, err := a.DB.ListBindings()
	if err != nil {
		return nil
	}
	out := make(map[string]int, len(bs))
	for _, b := range bs {
		if b.Status == domain.BindingRevoked {
			continue
		}
		st, err := a.DB.RunStats(b.ID)
		if err != nil {
			return nil
		}
		out[bindingLabel(b.ID)] = st.Pending
	}
	return out
}

// sweepAlerts alerts for every binding that needs re-authorisation and
// every binding of a tenant whose Magento token was revoked.
func (a *App) sweepAlerts() {
	if !a.Alerts.Enabled() {
		return
	}
	bs, err := a.DB.ListBindings()
	if err != nil {
		a.Log.Warn("alerts: cannot list bindings", "err", err)
		return
	}
	tenants := map[string]*domain.Tenant{}
	if ts, err := a.DB.ListTenants(); err == nil {
		for _, t := range ts {
			tenants[t.ID] = t
		}
	}
	for _, b := range bs {
		if b.Status == domain.BindingNeedsReauth {
			a.Alerts.NeedsReauth(bindingLabel(b.ID), b.TenantID, b.XeroOrgName)
		}
		if t := tenants[b.TenantID]; t != nil && !t.Revoked() && t.MagentoStatus == domain.MagentoTokenRevoked && b.Status != domain.BindingRevoked {
			a.Alerts.MagentoTokenRevoked(bindingLabel(b.ID), b.TenantID)
		}
	}
}

// syncFinished is the worker's Finished hook: metrics for every terminal
// run, alerts for failed and dead-lettered ones.
func (a *App) syncFinished(run *domain.SyncRun) {
	a.Metrics.SyncTransition(string(run.Status))
	a.Metrics.SyncRun(run.Event, attemptDuration(run))
	id := bindingLabel(run.BindingID)
	switch run.Status {
	case domain.RunFailed:
		a.Alerts.RecordFailure(id, run.TenantID)
	case domain.RunDeadLettered:
		a.Alerts.RecordFailure(id, run.TenantID)
		a.Alerts.DeadLettered(id, run.TenantID, strconv.FormatUint(run.ID, 10))
	}
}

// attemptDuration is how long the run's last attempt took: from its last
// fetch from Magento (the start of an attempt) to its finish.
func attemptDuration(run *domain.SyncRun) time.Duration {
	if run.FinishedAt == nil {
		return 0
	}
	start := run.CreatedAt
	for i := len(run.Timeline) - 1; i >= 0; i-- {
		if st := run.Timeline[i]; st.Step == domain.StepFetched && !st.At.After(*run.FinishedAt) {
			start = st.At
			break
		}
	}
	if d := run.FinishedAt.Sub(start); d > 0 {
		return d
	}
	return 0
}

// observeSync is the worker's ObserveXero hook: the vault learns of refused
// Xero consents; a Magento 401 alerts at once (the worker has just marked
// the tenant token_revoked).
func (a *App) observeSync(bindingID uint64, err error) {
	a.Xero.Observe(bindingID, err)
	if errors.Is(err, magento.ErrTokenRevoked) && a.Alerts.Enabled() {
		if b, berr := a.DB.Binding(bindingID); berr == nil {
			a.Alerts.MagentoTokenRevoked(bindingLabel(bindingID), b.TenantID)
		}
	}
}
