package sync

import (
	"testing"
	"time"

	"ledger/domain"
	"ledger/store"
	"ledger/sync/synctest"
	"ledger/xero/xerotest"
)

// BenchmarkBacklog1000 syncs a backlog of 1 000 paid orders with new
// customers (2 000 events) and reports Accounting API calls per order,
// orders per second and the 429s Xero answered.
func BenchmarkBacklog1000(b *testing.B) {
	const n = 1000
	var calls, tooMany int
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, synctest.Options{})
		for k := int64(1); k <= n; k++ {
			e.PaidOrder(k)
		}
		b.StartTimer()
		start := time.Now()
		if err := e.w.RunOnce(e.Ctx); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		runs, err := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range runs {
			if r.Status != domain.RunSucceeded {
				b.Fatalf("run %d %s: %s %s", r.ID, r.Event, r.Status, r.ErrorMessage)
			}
		}
		if got := len(e.Xero.Payments(e.Org)); got != n {
			b.Fatalf("%d payments, want %d", got, n)
		}
		calls += e.AccountingCalls()
		tooMany += e.Xero.Calls()["429"]
	}
	b.ReportMetric(float64(calls)/float64(n*b.N), "calls/order")
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(tooMany)/float64(b.N), "429s/op")
}

// TestBacklogCallsPerOrder holds the backlog goal: ≤ 0.1 Accounting API
// calls per paid order with a new customer, and no 429.
func TestBacklogCallsPerOrder(t *testing.T) {
	n := int64(1000)
	if testing.Short() {
		n = 200
	}
	e := newEnv(t, synctest.Options{})
	for k := int64(1); k <= n; k++ {
		e.PaidOrder(k)
	}
	e.runOnce()
	calls := e.AccountingCalls()
	if per := float64(calls) / float64(n); per > 0.1 {
		t.Errorf("%d Accounting API calls for %d orders = %.3f per order, want ≤ 0.1", calls, n, per)
	}
	if c := e.Xero.Calls()["429"]; c != 0 {
		t.Errorf("%d 429s", c)
	}
	if got := len(e.Xero.Payments(e.Org)); got != int(n) {
		t.Errorf("%d payments, want %d", got, n)
	}
	t.Logf("%d orders: %d Accounting API calls (%v)", n, calls, e.Xero.Calls())
}

// TestSteadyStreamDay streams 10 000 paid orders over one simulated UTC
// day against a 1 000-call daily budget: every order reaches Xero the same
// day, Xero never answers 429 and the budget is never exceeded.
func TestSteadyStreamDay(t *testing.T) {
	if testing.Short() {
		t.Skip("simulated day skipped in -short")
	}
	n, budget := int64(10000), 1000
	if raceEnabled {
		n, budget = 2000, 200 // the same orders per call
	}
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	e := newEnv(t, synctest.Options{Budget: budget, Xero: xerotest.Options{DailyLimit: budget, Clock: xerotest.NewClock(day)}})
	arrivals := 23 * time.Hour // the last order comes in at 23:00
	next := int64(1)
	maxWindow := time.Duration(0)
	lastPost := day
	for e.Clock.Now().Before(day.Add(24*time.Hour - time.Minute)) {
		now := e.Clock.Now()
		for next <= n && day.Add(time.Duration(next-1)*arrivals/time.Duration(n)).Before(now) {
			e.PaidOrder(next)
			next++
		}
		before := e.AccountingCalls()
		e.runOnce()
		if e.AccountingCalls() > before {
			if gap := e.Clock.Now().Sub(lastPost); gap > maxWindow {
				maxWindow = gap
			}
			lastPost = e.Clock.Now()
		}
		e.Clock.Advance(time.Minute)
	}
	if next <= n {
		t.Fatalf("only %d orders arrived", next-1)
	}
	runs, err := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs { // the newest thousand: the day's last orders
		if r.Status != domain.RunSucceeded || r.FinishedAt == nil || !r.FinishedAt.Before(day.Add(24*time.Hour)) {
			t.Fatalf("run %d %s %d: %s finished %v", r.ID, r.Event, r.MagentoID, r.Status, r.FinishedAt)
		}
	}
	if got := len(e.Xero.Payments(e.Org)); got != int(n) {
		t.Errorf("%d payments in Xero, want %d", got, n)
	}
	calls := e.AccountingCalls()
	if calls > budget {
		t.Errorf("%d Accounting API calls, budget %d", calls, budget)
	}
	if c := e.Xero.Calls()["429"]; c != 0 {
		t.Errorf("%d 429s", c)
	}
	t.Logf("steady stream: %d orders, %d Accounting API calls (%.3f per order), longest gap between posts %s, calls %v",
		n, calls, float64(calls)/float64(n), maxWindow, e.Xero.Calls())
}
