package sync

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	"ledger/sync/synctest"
)

// faulty injects Xero faults into a share of Accounting API requests:
// a 500 or 503 without applying, or the request applied and its answer
// dropped (the client cannot know the outcome).
type faulty struct {
	next  http.RoundTripper
	mu    gosync.Mutex
	rng   *rand.Rand
	share float64
	hits  map[string]int
}

func (f *faulty) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.Contains(req.URL.Path, "/api.xro/2.0/") {
		return f.next.RoundTrip(req)
	}
	f.mu.Lock()
	roll, kind := f.rng.Float64(), f.rng.IntN(3)
	f.mu.Unlock()
	if roll >= f.share {
		return f.next.RoundTrip(req)
	}
	f.mu.Lock()
	f.hits[[]string{"500", "503", "dropped"}[kind]]++
	f.mu.Unlock()
	switch kind {
	case 0, 1:
		status := []int{500, 503}[kind]
		return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"Title":"fault","Status":` + fmt.Sprint(status) + `}`)), Request: req}, nil
	}
	resp, err := f.next.RoundTrip(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return nil, errors.New("connection reset by peer (injected after the request was applied)")
}

// settle runs the worker, moving the clock past every backoff, until no
// run is queued.
func settle(t *testing.T, e *env, rounds int) {
	t.Helper()
	for i := 0; i < rounds; i++ {
		e.runOnce()
		q, err := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID, Status: domain.RunQueued, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(q) == 0 {
			return
		}
		e.Clock.Advance(11 * time.Minute) // past the 10-min backoff step and Xero's replay window
	}
	t.Fatalf("runs still queued after %d rounds", rounds)
}

// wantExactlyOnce asserts each of n orders (and every tenth order's credit
// memo) exists in Xero exactly once, and every run succeeded.
func wantExactlyOnce(t *testing.T, e *env, n int, creditMemos int) {
	t.Helper()
	count := func(keys []string) map[string]int {
		m := map[string]int{}
		for _, k := range keys {
			m[k]++
		}
		return m
	}
	var invs, pays, cons, cns []string
	for _, v := range e.Xero.Invoices(e.Org) {
		invs = append(invs, v.InvoiceNumber)
	}
	for _, p := range e.Xero.Payments(e.Org) {
		pays = append(pays, p.Reference)
	}
	for _, c := range e.Xero.Contacts(e.Org) {
		cons = append(cons, c.ContactNumber)
	}
	for _, c := range e.Xero.CreditNotes(e.Org) {
		cns = append(cns, c.CreditNoteNumber)
	}
	for what, m := range map[string]map[string]int{"invoice": count(invs), "payment": count(pays), "contact": count(cons)} {
		if len(m) != n {
			t.Errorf("%d distinct %ss in Xero, want %d", len(m), what, n)
		}
		for k, c := range m {
			if c != 1 {
				t.Errorf("%s %s exists %d times in Xero", what, k, c)
			}
		}
	}
	if m := count(cns); len(m) != creditMemos || len(cns) != creditMemos {
		t.Errorf("%d credit notes (%d distinct), want %d", len(cns), len(m), creditMemos)
	}
	for _, v := range e.Xero.Invoices(e.Org) {
		if !v.Total.Equal(dec("30")) || v.Status != "PAID" {
			t.Errorf("invoice %s: total %v status %s", v.InvoiceNumber, v.Total, v.Status)
		}
	}
	runs, err := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Status != domain.RunSucceeded {
			t.Errorf("run %d %s %d: %s %s %s", r.ID, r.Event, r.MagentoID, r.Status, r.ErrorClass, r.ErrorMessage)
		}
	}
}

// creditFull registers a full refund of order n after its payment.
func (e *env) creditFull(n int64) {
	inv, _ := synctest.Order(n, "checkmo")
	iid, inc := n, inv.IncrementID
	cm := magento.CreditMemo{MagentoID: n, IncrementID: fmt.Sprintf("9%08d", n), InvoiceID: &iid, InvoiceIncrementID: &inc,
		WebsiteID: 1, StoreID: 1, Currency: "GBP", Customer: inv.Customer, Lines: inv.Lines,
		AdjustmentPositive: dec("0"), AdjustmentNegative: dec("0"), GrandTotal: dec("30"),
		ShippingAmount: dec("5"), ShippingTaxAmount: dec("1"), CreatedAt: "2026-04-29T08:30:00Z"}
	e.Magento.AddCreditMemo(cm)
	e.Accept(domain.EventCreditmemoCreated, n, "")
}

func TestFaultsExactlyOnce(t *testing.T) {
	f := &faulty{rng: rand.New(rand.NewPCG(1, 2)), share: 0.2, hits: map[string]int{}}
	e := newEnv(t, synctest.Options{Transport: func(next http.RoundTripper) http.RoundTripper { f.next = next; return f }})
	const n = 200
	for i := int64(1); i <= n; i++ {
		e.PaidOrder(i)
		if i%10 == 0 {
			e.creditFull(i)
		}
	}
	settle(t, e, 40)
	wantExactlyOnce(t, e, n, n/10)
	t.Logf("faults injected: %v; Xero calls: %v", f.hits, e.Xero.Calls())
	if f.hits["dropped"] == 0 || f.hits["500"] == 0 || f.hits["503"] == 0 {
		t.Errorf("not every fault kind was injected: %v", f.hits)
	}
}

func TestReplayCreatesNothing(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	const n = 30
	for i := int64(1); i <= n; i++ {
		e.PaidOrder(i)
		if i%10 == 0 {
			e.creditFull(i)
		}
	}
	e.Magento.AddCustomer(magento.Contact{MagentoID: 1001, Email: "c1@example.com", WebsiteID: 1})
	e.Accept(domain.EventCustomerUpserted, 1001, "")
	settle(t, e, 5)
	wantExactlyOnce(t, e, n, n/10)
	before := e.AccountingCalls()

	// The same deliveries again: the idempotency keys are known.
	for i := int64(1); i <= n; i++ {
		res, err := e.DB.AcceptEvent(e.Ctx, store.AcceptRequest{TenantID: e.Tenant, IdempotencyKey: fmt.Sprintf("invoice.created:%d", i), Event: domain.EventInvoiceCreated,
			Envelope: domain.Envelope{MagentoEntityID: i}})
		if err != nil || !res.Duplicate {
			t.Fatalf("redelivery %d: %+v %v", i, res, err)
		}
	}
	// Fresh deliveries (new keys, as after Magento's outbox was reset) to
	// a restarted worker: every run succeeds from the xrefs, nothing new.
	e.w = New(e.w.cfg)
	for i := int64(1); i <= n; i++ {
		for _, event := range []string{domain.EventInvoiceCreated, domain.EventInvoicePaid} {
			if _, err := e.DB.AcceptEvent(e.Ctx, store.AcceptRequest{TenantID: e.Tenant, IdempotencyKey: fmt.Sprintf("%s:%d#again", event, i), Event: event,
				Envelope: domain.Envelope{MagentoEntityID: i, WebsiteID: 1, StoreID: 1, Payload: []byte(`{"paid":true}`)}}); err != nil {
				t.Fatal(err)
			}
		}
		if i%10 == 0 {
			if _, err := e.DB.AcceptEvent(e.Ctx, store.AcceptRequest{TenantID: e.Tenant, IdempotencyKey: fmt.Sprintf("creditmemo.created:%d#again", i), Event: domain.EventCreditmemoCreated,
				Envelope: domain.Envelope{MagentoEntityID: i, WebsiteID: 1, StoreID: 1}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	settle(t, e, 5)
	wantExactlyOnce(t, e, n, n/10)
	if after := e.AccountingCalls(); after != before {
		t.Errorf("replaying made %d Accounting API calls, want 0", after-before)
	}
}
