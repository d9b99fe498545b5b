package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/store"
	"ledger/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func envelope(id int64, payload string) domain.Envelope {
	return domain.Envelope{MagentoEntityID: id, WebsiteID: 1, StoreID: 1, OccurredAt: "2026-03-01T12:00:00Z", Payload: json.RawMessage(payload)}
}

func accept(t *testing.T, db *store.DB, tenantID, key, event string, env domain.Envelope) store.AcceptResult {
	t.Helper()
	res, err := db.AcceptEvent(context.Background(), store.AcceptRequest{TenantID: tenantID, IdempotencyKey: key, Event: event, Envelope: env, Now: t0})
	if err != nil {
		t.Fatalf("AcceptEvent(%s): %v", key, err)
	}
	return res
}

func TestAcceptEvent(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, b1 := storetest.MustPairing(t, db, 0)
	storetest.MustActivate(t, db, b1.ID)
	b2 := &domain.Binding{TenantID: ten.ID}
	if err := db.CreateBinding(b2); err != nil {
		t.Fatal(err)
	}
	b3 := &domain.Binding{TenantID: ten.ID, Status: domain.BindingRevoked}
	if err := db.CreateBinding(b3); err != nil {
		t.Fatal(err)
	}
	prefix := "INV-"
	if _, err := db.UpdateBinding(b2.ID, func(b *domain.Binding) error { b.Policy.InvoiceNumberPrefix = prefix; return nil }); err != nil {
		t.Fatal(err)
	}

	res := accept(t, db, ten.ID, "k1", domain.EventInvoiceCreated, envelope(42, `{"increment_id":"000000042","grand_total":"10.00"}`))
	if diff := cmp.Diff(store.AcceptResult{RunIDs: []uint64{1, 2}}, res); diff != "" {
		t.Fatalf("accept (-want +got):\n%s", diff)
	}
	r1, err := db.Run(1)
	if err != nil {
		t.Fatal(err)
	}
	want := &domain.SyncRun{
		ID: 1, TenantID: ten.ID, BindingID: b1.ID, Event: domain.EventInvoiceCreated, IdempotencyKey: "k1",
		Envelope: envelope(42, `{"increment_id":"000000042","grand_total":"10.00"}`), MagentoID: 42, MagentoNumber: "000000042",
		Status: domain.RunQueued, Policy: domain.DefaultPolicy(), CreatedAt: t0, UpdatedAt: t0,
		Timeline: []domain.RunStep{{At: t0, Step: domain.StepReceived, OK: true}},
	}
	if diff := cmp.Diff(want, r1); diff != "" {
		t.Errorf("run 1 (-want +got):\n%s", diff)
	}
	r2, _ := db.Run(2)
	if r2.BindingID != b2.ID || r2.Policy.InvoiceNumberPrefix != prefix {
		t.Errorf("run 2 binding %d policy prefix %q: want the pending binding's own policy snapshot", r2.BindingID, r2.Policy.InvoiceNumberPrefix)
	}

	// The same delivery again is a duplicate with the same ids.
	dup := accept(t, db, ten.ID, "k1", domain.EventInvoiceCreated, envelope(42, `{}`))
	if diff := cmp.Diff(store.AcceptResult{RunIDs: []uint64{1, 2}, Duplicate: true}, dup); diff != "" {
		t.Errorf("duplicate (-want +got):\n%s", diff)
	}

	// An event ledger does not handle is one skipped run.
	res = accept(t, db, ten.ID, "k2", "shipment.created", envelope(7, `{"increment_id":12}`))
	r, _ := db.Run(res.RunIDs[0])
	if len(res.RunIDs) != 1 || r.Status != domain.RunSkipped || r.SkipReason != domain.SkipNotHandledEvent || r.BindingID != b1.ID || r.FinishedAt == nil || r.MagentoNumber != "12" {
		t.Errorf("unhandled event run = %+v", r)
	}

	// Policy snapshot: a later policy change does not touch queued runs.
	if _, err := db.UpdateBinding(b1.ID, func(b *domain.Binding) error { b.Policy.InvoiceNumberPrefix = "NEW-"; return nil }); err != nil {
		t.Fatal(err)
	}
	if r1, _ := db.Run(1); r1.Policy.InvoiceNumberPrefix != "" {
		t.Errorf("snapshot changed: %q", r1.Policy.InvoiceNumberPrefix)
	}
}

func TestAcceptEventNoActiveBinding(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, b := storetest.MustPairing(t, db, 0)
	if _, err := db.UpdateBinding(b.ID, func(b *domain.Binding) error { b.Status = domain.BindingRevoked; return nil }); err != nil {
		t.Fatal(err)
	}
	res := accept(t, db, ten.ID, "k", domain.EventInvoicePaid, envelope(1, `{}`))
	r, _ := db.Run(res.RunIDs[0])
	if len(res.RunIDs) != 1 || r.Status != domain.RunSkipped || r.SkipReason != store.SkipNoActiveBinding || r.BindingID != 0 {
		t.Errorf("run = %+v", r)
	}
	_, err := db.AcceptEvent(context.Background(), store.AcceptRequest{TenantID: "nope", IdempotencyKey: "k", Event: domain.EventInvoicePaid})
	if !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("unknown tenant err = %v", err)
	}
	_, err = db.AcceptEvent(context.Background(), store.AcceptRequest{TenantID: ten.ID, Event: domain.EventInvoicePaid})
	if !domain.IsKind(err, domain.EInvalid) {
		t.Errorf("no idempotency key err = %v", err)
	}
}

// TestAcceptEventConcurrent: many publishers, some repeating keys; every
// key gets exactly one set of runs and duplicates see the same ids.
func TestAcceptEventConcurrent(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, _ := storetest.MustPairing(t, db, 0)
	const pubs, per = 8, 50
	var (
		mu   sync.Mutex
		seen = map[string][]uint64{}
		wg   sync.WaitGroup
	)
	errs := make(chan error, pubs*per)
	for p := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				key := fmt.Sprintf("key-%d", (p*per+i)%(pubs*per/2)) // each key sent twice
				res, err := db.AcceptEvent(context.Background(), store.AcceptRequest{TenantID: ten.ID, IdempotencyKey: key, Event: domain.EventInvoiceCreated, Envelope: envelope(int64(i), `{}`)})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if prev, ok := seen[key]; ok && !cmp.Equal(prev, res.RunIDs) {
					errs <- fmt.Errorf("key %s: ids %v then %v", key, prev, res.RunIDs)
				}
				seen[key] = res.RunIDs
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	runs, err := db.ListRuns(store.RunFilter{TenantID: ten.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != pubs*per/2 || len(seen) != pubs*per/2 {
		t.Errorf("%d runs for %d keys, want %d", len(runs), len(seen), pubs*per/2)
	}
}

func TestRunQueue(t *testing.T) {
	db := storetest.MustOpenWith(t, store.Options{Now: func() time.Time { return t0 }})
	ten, b := storetest.MustPairing(t, db, 0)
	ten2, b2 := storetest.MustPairing(t, db, 0)
	for i := range 4 {
		accept(t, db, ten.ID, fmt.Sprint("k", i), domain.EventInvoiceCreated, envelope(int64(100+i), `{}`))
	}
	accept(t, db, ten2.ID, "x", domain.EventCustomerUpserted, envelope(9, `{}`))

	later := t0.Add(time.Hour)
	// Run 1 is running, run 2 is backing off until later, run 3 succeeded.
	mustUpdate(t, db, 1, func(r *domain.SyncRun) { r.Status = domain.RunRunning })
	mustUpdate(t, db, 2, func(r *domain.SyncRun) { r.NextAttemptAt = &later; r.Attempts = 1 })
	mustUpdate(t, db, 3, func(r *domain.SyncRun) { r.Status = domain.RunSucceeded; r.FinishedAt = &t0 })

	ids := func(rs []*domain.SyncRun) []uint64 {
		var out []uint64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	due, err := db.DueRuns(b.ID, t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{4}, ids(due)); diff != "" {
		t.Errorf("due now (-want +got):\n%s", diff)
	}
	due, _ = db.DueRuns(b.ID, later, 10)
	if diff := cmp.Diff([]uint64{2, 4}, ids(due)); diff != "" {
		t.Errorf("due later (-want +got):\n%s", diff)
	}
	due, _ = db.DueRuns(b.ID, later, 1)
	if diff := cmp.Diff([]uint64{2}, ids(due)); diff != "" {
		t.Errorf("due later limit 1 (-want +got):\n%s", diff)
	}
	bs, _ := db.BindingsWithDueRuns(t0)
	if diff := cmp.Diff([]uint64{b.ID, b2.ID}, bs); diff != "" {
		t.Errorf("BindingsWithDueRuns (-want +got):\n%s", diff)
	}
	st, err := db.RunStats(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 3 || st.Failed24h != 0 || st.LastRunAt == nil || !st.LastRunAt.Equal(t0) {
		t.Errorf("RunStats = %+v", st)
	}
	mustUpdate(t, db, 4, func(r *domain.SyncRun) { r.Status = domain.RunFailed; r.FinishedAt = &t0 })
	mustUpdate(t, db, 1, func(r *domain.SyncRun) { r.Status = domain.RunDeadLettered; r.FinishedAt = &t0 })
	st, _ = db.TenantRunStats(ten.ID)
	if st.Pending != 1 || st.Failed24h != 2 {
		t.Errorf("TenantRunStats = %+v", st)
	}
	days, err := db.DailyCounts(b.ID, 30)
	if err != nil {
		t.Fatal(err)
	}
	last := days[len(days)-1]
	if len(days) != 30 || !last.Day.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || last.Synced != 1 || last.Failed != 2 {
		t.Errorf("DailyCounts last = %+v (len %d)", last, len(days))
	}
	// A run that leaves the failed state is no longer counted (index moved).
	mustUpdate(t, db, 4, func(r *domain.SyncRun) { r.Status = domain.RunQueued; r.FinishedAt = nil })
	st, _ = db.RunStats(b.ID)
	if st.Pending != 2 || st.Failed24h != 1 {
		t.Errorf("after retry RunStats = %+v", st)
	}
	if _, err := db.UpdateRun(4, func(r *domain.SyncRun) error { r.BindingID = 99; return nil }); !domain.IsKind(err, domain.EInvalid) {
		t.Errorf("binding change err = %v", err)
	}
	if _, err := db.UpdateRun(99, func(r *domain.SyncRun) error { return nil }); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("missing run err = %v", err)
	}
}

func mustUpdate(t *testing.T, db *store.DB, id uint64, fn func(*domain.SyncRun)) {
	t.Helper()
	if _, err := db.UpdateRun(id, func(r *domain.SyncRun) error { fn(r); return nil }); err != nil {
		t.Fatalf("UpdateRun(%d): %v", id, err)
	}
}

func TestListRuns(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, b := storetest.MustPairing(t, db, 0)
	ten2, _ := storetest.MustPairing(t, db, 0)
	ten3, _ := storetest.MustPairing(t, db, 0)
	for i := range 5 {
		accept(t, db, ten.ID, fmt.Sprint("a", i), domain.EventInvoiceCreated, envelope(int64(i%2), `{}`)) // ids 1,3,5,7,9
		accept(t, db, ten2.ID, fmt.Sprint("b", i), domain.EventInvoiceCreated, envelope(5, `{}`))         // ids 2,4,6,8,10
	}
	for i := range 3 {
		accept(t, db, ten3.ID, fmt.Sprint("c", i), domain.EventInvoiceCreated, envelope(7, `{}`)) // ids 11,12,13
	}
	mustUpdate(t, db, 3, func(r *domain.SyncRun) { r.Status = domain.RunFailed })
	tests := []struct {
		name string
		f    store.RunFilter
		want []uint64
	}{
		{"all", store.RunFilter{}, []uint64{13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"limit", store.RunFilter{Limit: 3}, []uint64{13, 12, 11}},
		{"several tenants, a full page", store.RunFilter{TenantIDs: []string{ten.ID, ten2.ID}, Limit: 4}, []uint64{10, 9, 8, 7}},
		{"several tenants before", store.RunFilter{TenantIDs: []string{ten2.ID, ten.ID}, BeforeID: 4, Limit: 4}, []uint64{3, 2, 1}},
		{"several tenants, status", store.RunFilter{TenantIDs: []string{ten.ID, ten3.ID}, Status: domain.RunFailed}, []uint64{3}},
		{"before", store.RunFilter{BeforeID: 8, Limit: 3}, []uint64{7, 6, 5}},
		{"tenant", store.RunFilter{TenantID: ten.ID}, []uint64{9, 7, 5, 3, 1}},
		{"tenant before", store.RunFilter{TenantID: ten.ID, BeforeID: 5}, []uint64{3, 1}},
		{"binding", store.RunFilter{BindingID: b.ID}, []uint64{9, 7, 5, 3, 1}},
		{"binding before", store.RunFilter{BindingID: b.ID, BeforeID: 2}, []uint64{1}},
		{"status", store.RunFilter{Status: domain.RunFailed}, []uint64{3}},
		{"magento id", store.RunFilter{TenantID: ten.ID, MagentoID: 1}, []uint64{7, 3}},
		{"none", store.RunFilter{BindingID: 999}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := db.ListRuns(tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, r := range runs {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}
