package sync

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/store"
	"ledger/sync/synctest"
)

// rtFunc is an http.RoundTripper from a function.
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// xeroAnswers makes Accounting API requests answer status while fail
// returns true.
func xeroAnswers(status int, header http.Header, fail func() bool) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			if !strings.Contains(r.URL.Path, "/api.xro/2.0/") || !fail() {
				return next.RoundTrip(r)
			}
			h := http.Header{"Content-Type": {"application/json"}}
			for k, v := range header {
				h[k] = v
			}
			return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(`{"Status":` + http.StatusText(status) + `}`)), Request: r}, nil
		})
	}
}

func TestNotifyReachesXeroAtOnce(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	finished := make(chan *domain.SyncRun, 4)
	cfg := e.w.cfg
	cfg.Recheck = time.Hour // only Notify can wake it
	cfg.Finished = func(r *domain.SyncRun) { finished <- r }
	e.w = New(cfg)
	e.w.Start(e.Ctx)
	if err := e.w.Healthy(); err != nil {
		t.Errorf("Healthy right after Start: %v", err)
	}
	inv, pay := synctest.Order(1, "checkmo")
	e.Magento.AddInvoice(inv)
	e.Magento.AddPayment(pay)
	start := time.Now()
	e.Accept(domain.EventInvoiceCreated, 1, `{"paid":true}`)
	e.w.Notify(e.Binding.ID)
	select {
	case r := <-finished:
		if r.Status != domain.RunSucceeded {
			t.Errorf("run %s: %s", r.Event, r.Status)
		}
		// Recheck is an hour: only Notify can have woken the worker
		// within the 10 s below. The latency is logged, not asserted.
		t.Logf("event reached Xero %s after Notify", time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("the notified worker did not post the invoice")
	}
	if err := e.w.Healthy(); err != nil {
		t.Errorf("Healthy while running: %v", err)
	}
	ctx, cancel := context.WithTimeout(e.Ctx, 5*time.Second)
	defer cancel()
	if err := e.w.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if e.w.Healthy() == nil {
		t.Error("Healthy after Stop")
	}
}

func TestPausedBindingKeepsRunsQueued(t *testing.T) {
	for _, status := range []domain.BindingStatus{domain.BindingNeedsReauth, domain.BindingRevoked, domain.BindingPendingOAuth} {
		t.Run(string(status), func(t *testing.T) {
			e := newEnv(t, synctest.Options{})
			e.PaidOrder(1)
			setStatus := func(s domain.BindingStatus) {
				if _, err := e.DB.UpdateBinding(e.Binding.ID, func(b *domain.Binding) error { b.Status = s; return nil }); err != nil {
					t.Fatal(err)
				}
			}
			setStatus(status)
			e.runOnce()
			if n := e.AccountingCalls(); n != 0 {
				t.Errorf("%d Xero calls for a paused binding", n)
			}
			runs, _ := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID})
			for _, r := range runs {
				if r.Status != domain.RunQueued || r.Attempts != 0 {
					t.Errorf("paused run %d: %s attempts %d", r.ID, r.Status, r.Attempts)
				}
			}
			setStatus(domain.BindingActive)
			e.w.Notify(e.Binding.ID)
			e.runOnce()
			wantExactlyOnce(t, e, 1, 0)
		})
	}
}

func TestRateLimitWaitsWithoutAttempt(t *testing.T) {
	limited := 1
	e := newEnv(t, synctest.Options{Transport: xeroAnswers(http.StatusTooManyRequests, http.Header{"Retry-After": {"60"}, "X-Rate-Limit-Problem": {"minute"}},
		func() bool { limited--; return limited >= 0 })})
	inv, _ := synctest.Order(1, "checkmo")
	e.Magento.AddInvoice(inv)
	id := e.Accept(domain.EventInvoiceCreated, 1, `{"paid":true}`)[0]
	e.runOnce()
	r := e.Run(id)
	if r.Status != domain.RunQueued || r.Attempts != 0 || r.ErrorClass != domain.ClassRateLimited || r.NextAttemptAt == nil {
		t.Fatalf("after a 429: %s attempts %d class %s next %v", r.Status, r.Attempts, r.ErrorClass, r.NextAttemptAt)
	}
	e.Clock.Advance(r.NextAttemptAt.Sub(e.Clock.Now()))
	e.runOnce()
	if r := e.Run(id); r.Status != domain.RunSucceeded || r.Attempts != 1 {
		t.Errorf("after waiting: %s attempts %d", r.Status, r.Attempts)
	}
}

func TestBackoffThenDeadLetter(t *testing.T) {
	e := newEnv(t, synctest.Options{Transport: xeroAnswers(http.StatusServiceUnavailable, nil, func() bool { return true })})
	inv, _ := synctest.Order(1, "checkmo")
	e.Magento.AddInvoice(inv)
	id := e.Accept(domain.EventInvoiceCreated, 1, `{"paid":true}`)[0]
	accepted := e.Clock.Now()
	var delays []time.Duration
	for i := 0; i < 20; i++ {
		e.runOnce()
		r := e.Run(id)
		if r.Status != domain.RunQueued {
			break
		}
		if r.ErrorClass != domain.ClassProvider {
			t.Errorf("class %s", r.ErrorClass)
		}
		delays = append(delays, r.NextAttemptAt.Sub(e.Clock.Now()))
		e.Clock.Advance(r.NextAttemptAt.Sub(e.Clock.Now()))
	}
	day := 24 * time.Hour
	want := []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, day, day, day, day, day, day, day}
	if diff := cmp.Diff(want, delays); diff != "" {
		t.Errorf("retry delays (-want +got):\n%s", diff)
	}
	r := e.Run(id)
	if r.Status != domain.RunDeadLettered || r.Attempts != len(want)+1 || e.Clock.Now().Sub(accepted) < maxRetryAge {
		t.Errorf("final: %s after %d attempts, %s", r.Status, r.Attempts, e.Clock.Now().Sub(accepted))
	}
	wantState(t, e, "invoice", 1, "failed", domain.ClassProvider, false)
	if as, _ := e.DB.Attempts(id); len(as) != len(want)+1 || as[0].Key != "contact:1001" {
		t.Errorf("attempt records = %+v", as)
	}
}

func TestRetryAfterFixingSettings(t *testing.T) {
	e := newEnv(t, synctest.Options{Policy: func(p *domain.Policy, _ *synctest.Env) { p.DefaultRevenueAccountCode = "999" }})
	e.Magento.AddInvoice(load[magento.Invoice](t, "invoice-6.5-example.json"))
	id := e.Accept(domain.EventInvoiceCreated, 42, `{"paid":true}`)[0]
	e.runOnce()
	if r := e.Run(id); r.Status != domain.RunFailed {
		t.Fatalf("status %s", r.Status)
	}
	if _, err := e.DB.UpdateBinding(e.Binding.ID, func(b *domain.Binding) error { b.Policy.DefaultRevenueAccountCode = "200"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Retry(e.Ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Retry(e.Ctx, id); !domain.IsKind(err, domain.EConflict) {
		t.Errorf("second retry of a queued run: %v", err)
	}
	e.runOnce() // within Xero's replay window: a new key generation is needed
	r := e.Run(id)
	if r.Status != domain.RunSucceeded {
		t.Fatalf("after retry: %s %s", r.Status, r.ErrorMessage)
	}
	wantState(t, e, "invoice", 42, "synced", "", true)
	if err := e.w.Retry(e.Ctx, id); !domain.IsKind(err, domain.EConflict) {
		t.Errorf("retry of a succeeded run: %v", err)
	}
}

func TestMagentoTokenRevokedPauses(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	inv, _ := synctest.Order(1, "checkmo")
	e.Magento.AddInvoice(inv)
	id := e.Accept(domain.EventInvoiceCreated, 1, `{"paid":true}`)[0]
	e.Magento.RevokeToken()
	e.runOnce()
	if r := e.Run(id); r.Status != domain.RunQueued || r.Attempts != 0 || r.ErrorClass != domain.ClassAuth {
		t.Errorf("run: %s attempts %d class %s", r.Status, r.Attempts, r.ErrorClass)
	}
	if tn, _ := e.DB.Tenant(e.Tenant); tn.MagentoStatus != domain.MagentoTokenRevoked {
		t.Errorf("tenant status %s", tn.MagentoStatus)
	}
	// Re-paired: the tenant is active again and the run goes through.
	e.Magento.Unrevoke()
	if _, err := e.DB.UpdateTenant(e.Tenant, func(tn *domain.Tenant) error { tn.MagentoStatus = domain.MagentoActive; return nil }); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Minute)
	e.w.Notify(e.Binding.ID)
	e.runOnce()
	if r := e.Run(id); r.Status != domain.RunSucceeded {
		t.Errorf("after re-pair: %s", r.Status)
	}
	_ = magentotest.CustomerJoID
}
