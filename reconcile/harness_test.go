package reconcile

import (
	"testing"
	"time"

	"ledger/domain"
	"ledger/magento/magentotest"
	"ledger/store"
	ledgersync "ledger/sync"
	"ledger/sync/synctest"
	"ledger/xero/xerotest"
)

// env is one binding wired to a fake Magento and a fake Xero over a real
// bbolt store (synctest.Env), synced by the real worker, on one injected
// clock.
type env struct {
	*synctest.Env
	w    *ledgersync.Worker
	deps Deps
}

func newEnv(t testing.TB, policy func(p *domain.Policy, e *synctest.Env)) *env {
	t.Helper()
	se := synctest.New(t, synctest.Options{
		Xero:   xerotest.Options{Clock: xerotest.NewClock(time.Date(2026, 5, 3, 9, 0, 0, 0, time.UTC))},
		Policy: policy,
	})
	// The guest invoice fixture is in USD.
	se.Xero.EnableCurrency(se.Org, "USD")
	ref, err := se.DB.Reference(se.Binding.ID)
	if err != nil {
		t.Fatal(err)
	}
	ref.Currencies = []string{"GBP", "USD"}
	if err := se.DB.PutReference(se.Binding.ID, ref); err != nil {
		t.Fatal(err)
	}
	return &env{
		Env:  se,
		w:    ledgersync.New(ledgersync.Config{DB: se.DB, Now: se.Clock.Now, Jitter: func() float64 { return 0.5 }, Xero: se.XeroClient, Magento: se.MagentoClient}),
		deps: Deps{DB: se.DB, Xero: se.XeroClient, Magento: se.MagentoClient, Now: se.Clock.Now},
	}
}

// syncAll runs the worker until nothing is due and checks every run
// succeeded.
func (e *env) syncAll() {
	e.T.Helper()
	if err := e.w.RunOnce(e.Ctx); err != nil {
		e.T.Fatal(err)
	}
	runs, err := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID, Limit: 1000})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, r := range runs {
		if r.Status != domain.RunSucceeded && r.Status != domain.RunSkipped {
			e.T.Fatalf("run %d (%s %d) is %s: %s", r.ID, r.Event, r.MagentoID, r.Status, r.ErrorMessage)
		}
	}
}

// standard syncs invoice 42 (paid by card) with its payment and partial
// credit memo 8, and the guest invoice 5 (open, purchase order).
func (e *env) standard() {
	e.T.Helper()
	e.Magento.LoadFixtures()
	e.Accept(domain.EventInvoiceCreated, magentotest.InvoiceDiscountedID, `{"increment_id":"000000042","paid":true}`)
	e.Accept(domain.EventInvoicePaid, magentotest.InvoiceDiscountedID, `{"increment_id":"000000042"}`)
	e.Accept(domain.EventInvoiceCreated, magentotest.InvoiceGuestID, `{"increment_id":"000000005","paid":false}`)
	e.syncAll()
	e.Accept(domain.EventCreditmemoCreated, magentotest.CreditMemoPartialID, `{"increment_id":"000000008"}`)
	e.syncAll()
}
