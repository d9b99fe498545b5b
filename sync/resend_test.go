package sync

import (
	"context"
	"fmt"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/store"
	"ledger/store/storetest"
	"ledger/sync/synctest"
)

// finishedRun accepts an invoice event and records its run succeeded at
// at, as if the round's mirror to Magento had failed.
func finishedRun(e *env, magentoID int64, at time.Time) uint64 {
	e.T.Helper()
	id := e.Accept(domain.EventInvoiceCreated, magentoID, "")[0]
	if _, err := e.DB.UpdateRun(id, func(r *domain.SyncRun) error {
		r.Status, r.FinishedAt = domain.RunSucceeded, &at
		return nil
	}); err != nil {
		e.T.Fatal(err)
	}
	return id
}

// syncStatePosts counts the sync-state callbacks the fake Magento received.
func syncStatePosts(e *env) int {
	n := 0
	for _, r := range e.Magento.Requests() {
		if strings.HasSuffix(r.Path, "/sync-state") {
			n++
		}
	}
	return n
}

// TestResendMirrors: a mirror that failed is sent again on the next tick,
// and once Magento has it, never again; a run finished after the cutoff
// waits for a later tick.
func TestResendMirrors(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	now := e.Clock.Now()
	early := finishedRun(e, 42, now.Add(-time.Minute))
	late := finishedRun(e, 43, now)

	type state struct {
		Posts    int
		Mirrored []bool // early, late
		Writes   []int  // Magento's rows of 42, 43
	}
	got := func() state {
		return state{
			Posts:    syncStatePosts(e),
			Mirrored: []bool{e.Run(early).MirroredAt != nil, e.Run(late).MirroredAt != nil},
			Writes:   []int{e.SyncState("invoice", 42).Writes, e.SyncState("invoice", 43).Writes},
		}
	}
	steps := []struct {
		name   string
		before func()
		cutoff time.Time
		all    bool
		want   state
	}{
		{"Magento fails: the run stays to mirror", func() { e.Magento.FailNext(1, 503) }, now, false,
			state{Posts: 1, Mirrored: []bool{false, false}, Writes: []int{0, 0}}},
		{"the next tick resends it", nil, now, false,
			state{Posts: 2, Mirrored: []bool{true, false}, Writes: []int{1, 0}}},
		{"and then not again", nil, now, false,
			state{Posts: 2, Mirrored: []bool{true, false}, Writes: []int{1, 0}}},
		{"the late run once the cutoff passes it", nil, now.Add(time.Second), false,
			state{Posts: 3, Mirrored: []bool{true, true}, Writes: []int{1, 1}}},
		{"start-up resends nothing already mirrored", nil, now.Add(time.Hour), true,
			state{Posts: 3, Mirrored: []bool{true, true}, Writes: []int{1, 1}}},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		e.w.resendMirrors(e.Ctx, s.cutoff, s.all)
		if diff := cmp.Diff(s.want, got()); diff != "" {
			t.Fatalf("%s (-want +got):\n%s", s.name, diff)
		}
	}
	tl := e.Run(early).Timeline
	var mirrors []string
	for _, st := range tl {
		if st.Step == domain.StepMirrored {
			mirrors = append(mirrors, fmt.Sprint(st.OK))
		}
	}
	if diff := cmp.Diff([]string{"false", "true"}, mirrors); diff != "" {
		t.Errorf("mirror steps of the early run (-want +got):\n%s", diff)
	}
}

// TestResendMirrorsStartUp: at start every run still to mirror is sent,
// however many, across bindings.
func TestResendMirrorsStartUp(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	now := e.Clock.Now()
	const n = 1200 // more than one page of the index
	ids := make([]uint64, 0, n)
	for k := int64(1); k <= n; k++ {
		ids = append(ids, e.Accept(domain.EventCustomerUpserted, k, "")[0])
	}
	at := now.Add(-time.Minute)
	if _, err := e.DB.UpdateRuns(ids, func(r *domain.SyncRun) error {
		r.Status, r.FinishedAt = domain.RunSkipped, &at
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e.w.resendMirrors(e.Ctx, now, true)
	if got := syncStatePosts(e); got != n {
		t.Errorf("%d sync-state posts, want %d", got, n)
	}
	left, err := e.DB.UnmirroredRuns(now, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("%d runs still to mirror after start-up", len(left))
	}
}

// TestResendMirrorsSkipsUnreachableTenants: a disconnected tenant, or one
// whose Magento refused ledger's token, is not called; its runs wait.
func TestResendMirrorsSkipsUnreachableTenants(t *testing.T) {
	tests := []struct {
		name string
		edit func(*domain.Tenant)
	}{
		{"disconnected", func(tn *domain.Tenant) { at := time.Now(); tn.RevokedAt = &at }},
		{"Magento token revoked", func(tn *domain.Tenant) { tn.MagentoStatus = domain.MagentoTokenRevoked }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, synctest.Options{})
			now := e.Clock.Now()
			id := finishedRun(e, 42, now.Add(-time.Minute))
			if _, err := e.DB.UpdateTenant(e.Tenant, func(tn *domain.Tenant) error { tt.edit(tn); return nil }); err != nil {
				t.Fatal(err)
			}
			e.w.resendMirrors(e.Ctx, now, true)
			if n := syncStatePosts(e); n != 0 {
				t.Errorf("%d sync-state posts to an unreachable tenant", n)
			}
			if r := e.Run(id); r.MirroredAt != nil {
				t.Errorf("run mirrored at %v", r.MirroredAt)
			}
		})
	}
}

// BenchmarkResendMirrors is the slow timer's tick for an agency: 1 000
// bindings (one tenant each) with 500 finished runs each, all mirrored
// but one. ns/op is one tick, which sends that one run.
func BenchmarkResendMirrors(b *testing.B) {
	const bindings, runsPer = 1000, 500
	e := newEnv(b, synctest.Options{})
	now := e.Clock.Now()
	done := now.Add(-time.Hour)
	tenants := []string{e.Tenant}
	for len(tenants) < bindings {
		tn, _ := storetest.MustPairing(b, e.DB, 0)
		tenants = append(tenants, tn.ID)
	}
	runs := acceptMany(b, e.DB, tenants, runsPer, done)
	pending := runs[e.Tenant][runsPer/2]
	for _, tn := range tenants {
		_, err := e.DB.UpdateRuns(runs[tn], func(r *domain.SyncRun) error {
			r.Status, r.FinishedAt, r.XeroType, r.XeroID = domain.RunSucceeded, &done, "ACCREC", "inv-"+fmt.Sprint(r.ID)
			r.Timeline = append(r.Timeline,
				domain.RunStep{At: done, Step: domain.StepFetched, OK: true},
				domain.RunStep{At: done, Step: domain.StepPosted, OK: true},
			)
			if r.ID != pending {
				r.MirroredAt = &done
				r.Timeline = append(r.Timeline, domain.RunStep{At: done, Step: domain.StepMirrored, OK: true, Detail: "synced"})
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	base := e.Run(pending)
	b.Run("tick", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			if _, err := e.DB.UpdateRun(pending, func(r *domain.SyncRun) error {
				r.MirroredAt, r.Timeline = nil, base.Timeline
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			e.w.resendMirrors(e.Ctx, now, false)
		}
		b.StopTimer()
		if e.Run(pending).MirroredAt == nil {
			b.Fatal("the pending run was not mirrored")
		}
	})
}

// acceptMany accepts n invoice events for each tenant, many at once so the
// store's group commit writes them in few transactions, and returns each
// tenant's run ids in order.
func acceptMany(b *testing.B, db *store.DB, tenants []string, n int, at time.Time) map[string][]uint64 {
	b.Helper()
	type job struct {
		tenant string
		k      int
	}
	jobs := make(chan job)
	ids := make(map[string][]uint64, len(tenants))
	for _, tn := range tenants {
		ids[tn] = make([]uint64, n)
	}
	var (
		mu   gosync.Mutex
		wg   gosync.WaitGroup
		errs []error
	)
	for range 256 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				payload := fmt.Sprintf(`{"increment_id":"%09d","grand_total":"120.00","items":[{"sku":"A","qty":1,"price":"100.00"}]}`, j.k)
				res, err := db.AcceptEvent(context.Background(), store.AcceptRequest{
					TenantID: j.tenant, IdempotencyKey: fmt.Sprint("bench-", j.k), Event: domain.EventInvoiceCreated, Now: at,
					Envelope: domain.Envelope{MagentoEntityID: int64(j.k), WebsiteID: 1, StoreID: 1, OccurredAt: at.Format(time.RFC3339), Payload: []byte(payload)},
				})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					ids[j.tenant][j.k-1] = res.RunIDs[0]
				}
				mu.Unlock()
			}
		}()
	}
	for _, tn := range tenants {
		for k := 1; k <= n; k++ {
			jobs <- job{tn, k}
		}
	}
	close(jobs)
	wg.Wait()
	if len(errs) > 0 {
		b.Fatal(errs[0])
	}
	return ids
}
