package sync

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/sync/synctest"
)

// failedRun accepts an invoice event and records its run failed at at, as
// if the round's mirror to Magento had failed too.
func failedRun(e *env, magentoID int64, at time.Time) uint64 {
	e.T.Helper()
	id := e.Accept(domain.EventInvoiceCreated, magentoID, "")[0]
	if _, err := e.DB.UpdateRun(id, func(r *domain.SyncRun) error {
		r.Status, r.ErrorClass, r.FinishedAt = domain.RunFailed, domain.ClassProvider, &at
		return nil
	}); err != nil {
		e.T.Fatal(err)
	}
	return id
}

// hangSyncState is an HTTP client to the fake Magento whose sync-state
// callback for entityID closes hung, then hangs until release is closed;
// every other request goes through.
func hangSyncState(e *env, entityID int64) (hc *http.Client, hung, release chan struct{}) {
	hung, release = make(chan struct{}), make(chan struct{})
	pass := e.Magento.Server.Client().Transport
	mark := fmt.Sprintf(`"magento_entity_id":%d`, entityID)
	hc = &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/sync-state") && r.Body != nil {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			if strings.Contains(string(body), mark) {
				close(hung)
				<-release
			}
		}
		return pass.RoundTrip(r)
	})}
	return hc, hung, release
}

// magentoVia is a sync.Config.Magento reaching each tenant's store through
// hc (no retries, the env's clock).
func (e *env) magentoVia(hc *http.Client) func(context.Context, *domain.Tenant) (*magento.Client, error) {
	return func(_ context.Context, tn *domain.Tenant) (*magento.Client, error) {
		key, err := e.DB.APIKey(tn.ID)
		if err != nil {
			return nil, err
		}
		return magento.NewClient(tn.MagentoURL, tn.ID, key, magento.ClientOptions{HTTP: hc, AllowPrivate: true, Now: e.Clock.Now, Retries: -1})
	}
}

// TestResendNeverOverwritesANewerOutcome: the resender reads a page of
// runs to mirror, then posts them one by one. A run retried and synced
// (and mirrored) meanwhile must not then be reported to Magento as its
// old failure: a callback always overwrites, so Magento would show Failed
// for an invoice that is in Xero, for good.
func TestResendNeverOverwritesANewerOutcome(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	past := e.Clock.Now().Add(-time.Minute)
	failedRun(e, 41, past)
	retried := failedRun(e, 42, past)
	inv, pay := synctest.Order(42, "checkmo")
	e.Magento.AddInvoice(inv)
	e.Magento.AddPayment(pay)

	// The resender's callback for 41 hangs until released; every other
	// request goes through to the fake Magento.
	hc, hung, release := hangSyncState(e, 41)
	cfg := e.w.cfg
	cfg.Magento = e.magentoVia(hc)
	e.w = New(cfg)

	resent := make(chan struct{})
	go func() {
		defer close(resent)
		e.w.resendMirrors(e.Ctx, e.Clock.Now(), false)
	}()
	<-hung // the resender holds 41 and 42 in its page
	if err := e.w.Retry(e.Ctx, retried); err != nil {
		t.Fatal(err)
	}
	e.runOnce() // 42 goes to Xero and its outcome to Magento
	if got := e.SyncState("invoice", 42).SyncStatus; got != "synced" {
		t.Fatalf("after the retry Magento shows invoice 42 %q, want synced", got)
	}
	close(release)
	<-resent
	if got := e.SyncState("invoice", 42).SyncStatus; got != "synced" {
		t.Errorf("after the resender's tick Magento shows invoice 42 %q, want synced (its old failure was sent over the newer outcome)", got)
	}
	if got := e.Run(retried).Status; got != domain.RunSucceeded {
		t.Errorf("run 42 is %s, want succeeded", got)
	}
}

// TestHangingResendHoldsOnlyItsRun: while the resender's callback for one
// run hangs, a round's callback for any other run goes out — even one whose
// id shares a lock with it when locks are shared — so a store that hangs
// never delays another store's rounds.
func TestHangingResendHoldsOnlyItsRun(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	past := e.Clock.Now().Add(-time.Minute)
	hangID := finishedRun(e, 41, past)
	var other uint64
	for i := int64(0); other <= hangID+256; i++ {
		other = finishedRun(e, 100+i, e.Clock.Now())
	}
	hc, hung, release := hangSyncState(e, 41)
	tn, err := e.DB.Tenant(e.Tenant)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := e.magentoVia(hc)(e.Ctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.w.cfg
	cfg.Magento = func(context.Context, *domain.Tenant) (*magento.Client, error) { return mc, nil }
	e.w = New(cfg)
	resent := make(chan struct{})
	go func() {
		defer close(resent)
		e.w.resendMirrors(e.Ctx, past.Add(time.Second), false)
	}()
	<-hung
	defer func() { close(release); <-resent }()
	// Every later run, whatever lock it would share, is mirrored at once.
	for id := hangID + 1; id <= other; id++ {
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.w.mirrorRun(e.Ctx, mc, e.Run(id))
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the round's callback for run %d waited for the resender's hanging callback for run %d", id, hangID)
		}
	}
	if got := e.Run(other).MirroredAt; got == nil {
		t.Errorf("run %d not mirrored", other)
	}
}
