package sync

import (
	"strings"
	"testing"

	"ledger/domain"
	"ledger/sync/synctest"
)

// TestRoundStopsCallingADownStore: once a fetch finds the store down, the
// round's other runs fail with the same reason without a call each (each
// would wait out Magento's timeout), and all are retried later; when the
// store is back, one round posts them all.
func TestRoundStopsCallingADownStore(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	cfg := e.w.cfg
	cfg.FetchConcurrency = 1 // deterministic: one fetch at a time
	e.w = New(cfg)
	const n = 20
	var ids []uint64
	for k := int64(1); k <= n; k++ {
		inv, _ := synctest.Order(k, "checkmo")
		e.Magento.AddInvoice(inv)
		ids = append(ids, e.Accept(domain.EventInvoiceCreated, k, "")...)
	}
	e.Magento.FailNext(1000, 503)
	if _, err := e.w.Round(e.Ctx, e.Binding.ID); err != nil {
		t.Fatal(err)
	}
	if got := fetches(e); got != 1 {
		t.Errorf("%d invoice fetches from a down store, want 1", got)
	}
	for _, id := range ids {
		r := e.Run(id)
		if r.Status != domain.RunQueued || r.NextAttemptAt == nil || !strings.Contains(r.ErrorMessage, "Magento could not be reached") {
			t.Fatalf("run %d: %s next %v %q, want queued for a retry saying Magento could not be reached", id, r.Status, r.NextAttemptAt, r.ErrorMessage)
		}
	}

	e.Magento.FailNext(0, 0)
	e.Clock.Advance(maxRetryAge / 2)
	e.runOnce()
	if got := len(e.Xero.Invoices(e.Org)); got != n {
		t.Errorf("%d invoices in Xero after the store came back, want %d", got, n)
	}
}

// fetches counts the invoice reads the fake Magento answered.
func fetches(e *env) int {
	k := 0
	for _, r := range e.Magento.Requests() {
		if r.Method == "GET" && strings.Contains(r.Path, "/invoice/") {
			k++
		}
	}
	return k
}

// TestRoundFetchesPastOneEntitysError: a 500 for one invoice (Magento's
// answer to an exception, maybe that invoice's own) does not stop the
// round's other fetches.
func TestRoundFetchesPastOneEntitysError(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	cfg := e.w.cfg
	cfg.FetchConcurrency = 1
	e.w = New(cfg)
	const n = 5
	for k := int64(1); k <= n; k++ {
		inv, _ := synctest.Order(k, "checkmo")
		e.Magento.AddInvoice(inv)
		e.Accept(domain.EventInvoiceCreated, k, "")
	}
	e.Magento.FailNext(1, 500)
	if _, err := e.w.Round(e.Ctx, e.Binding.ID); err != nil {
		t.Fatal(err)
	}
	if got := fetches(e); got != n {
		t.Errorf("%d invoice fetches, want %d (one failed, the rest still read)", got, n)
	}
	if got := len(e.Xero.Invoices(e.Org)); got != n-1 {
		t.Errorf("%d invoices in Xero, want %d", got, n-1)
	}
}
