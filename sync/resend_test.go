package sync

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
		{"a tick within the hold calls nothing", nil, now, false,
			state{Posts: 1, Mirrored: []bool{false, false}, Writes: []int{0, 0}}},
		{"the next tick after the hold resends it", func() { e.Clock.Advance(10 * time.Second) }, now, false,
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

// TestMirrorHoldBacksOff: while a store's Magento fails, each tick costs
// one callback, not one per run, and the wait doubles (10 s, 20 s, 40 s);
// once it answers, every run goes out and the runs' timelines hold one
// failed step, not one per attempt. A refusal of one payload (400) holds
// nothing.
func TestMirrorHoldBacksOff(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	start := e.Clock.Now()
	ids := []uint64{
		finishedRun(e, 41, start.Add(-time.Minute)),
		finishedRun(e, 42, start.Add(-time.Minute)),
		finishedRun(e, 43, start.Add(-time.Minute)),
	}
	e.Magento.FailNext(3, 503)
	steps := []struct {
		advance time.Duration
		posts   int
	}{
		{0, 1},                // fails: held 10 s
		{5 * time.Second, 1},  // held
		{5 * time.Second, 2},  // fails: held 20 s
		{10 * time.Second, 2}, // held
		{10 * time.Second, 3}, // fails: held 40 s
		{30 * time.Second, 3}, // held
		{10 * time.Second, 6}, // Magento answers: all three go out
		{time.Hour, 6},        // nothing left
	}
	for i, s := range steps {
		e.Clock.Advance(s.advance)
		e.w.resendMirrors(e.Ctx, e.Clock.Now(), false)
		if got := syncStatePosts(e); got != s.posts {
			t.Fatalf("tick %d (+%v): %d sync-state posts, want %d", i, s.advance, got, s.posts)
		}
	}
	for _, id := range ids {
		r := e.Run(id)
		var steps []bool
		for _, st := range r.Timeline {
			if st.Step == domain.StepMirrored {
				steps = append(steps, st.OK)
			}
		}
		want := []bool{true}
		if id == ids[0] {
			want = []bool{false, true} // three failures, one step
		}
		if diff := cmp.Diff(want, steps); diff != "" || r.MirroredAt == nil {
			t.Errorf("run %d mirror steps (-want +got):\n%s (mirrored at %v)", id, diff, r.MirroredAt)
		}
	}

}

// TestOnePayloadsFailureHoldsNothing: a 400 or a 500 is that run's own
// problem (a refused payload, an exception in Magento): the store's other
// runs still go out in the same tick.
func TestOnePayloadsFailureHoldsNothing(t *testing.T) {
	for _, status := range []int{400, 500} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			e := newEnv(t, synctest.Options{})
			at := e.Clock.Now().Add(-time.Minute)
			first, second := finishedRun(e, 41, at), finishedRun(e, 42, at)
			e.Magento.FailNext(1, status)
			e.w.resendMirrors(e.Ctx, e.Clock.Now(), false)
			if n := syncStatePosts(e); n != 2 {
				t.Errorf("%d posts, want 2", n)
			}
			if e.Run(first).MirroredAt != nil || e.Run(second).MirroredAt == nil {
				t.Errorf("mirrored %v %v, want only the second", e.Run(first).MirroredAt, e.Run(second).MirroredAt)
			}
		})
	}
}

// TestResendKeepsTheNewerStateOfARow: an invoice's creation callback
// failed while its payment's went through; Magento keeps the last
// callback, so the resender does not send the creation's older state —
// it notes why on the run's timeline instead.
func TestResendKeepsTheNewerStateOfARow(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	at := e.Clock.Now().Add(-time.Minute)
	created := finishedRun(e, 42, at)
	paid := e.Accept(domain.EventInvoicePaid, 42, `{"paid":true}`)[0]
	if _, err := e.DB.UpdateRun(paid, func(r *domain.SyncRun) error {
		r.Status, r.FinishedAt, r.MirroredAt = domain.RunSkipped, &at, &at
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e.w.resendMirrors(e.Ctx, e.Clock.Now(), false)
	if n := syncStatePosts(e); n != 0 {
		t.Errorf("%d sync-state posts, want none (the payment's state is newer)", n)
	}
	r := e.Run(created)
	last := r.Timeline[len(r.Timeline)-1]
	if r.MirroredAt == nil || last.Step != domain.StepMirrored || !strings.Contains(last.Detail, fmt.Sprintf("run %d", paid)) {
		t.Errorf("created run: mirrored %v, last step %+v; want it marked as superseded by run %d", r.MirroredAt, last, paid)
	}
	if left, _ := e.DB.UnmirroredRuns(e.Clock.Now(), 0, 0); len(left) != 0 {
		t.Errorf("%d runs still to mirror", len(left))
	}
}

// TestHeldStoreIsNotCalledByRounds: while a store's callbacks are held, a
// run that finishes is not mirrored in its round (no timeout there); it
// waits in the index for the resender.
func TestHeldStoreIsNotCalledByRounds(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	id := finishedRun(e, 42, e.Clock.Now().Add(-time.Minute))
	e.Magento.FailNext(1, 503)
	e.w.resendMirrors(e.Ctx, e.Clock.Now(), false)
	tn, err := e.DB.Tenant(e.Tenant)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := e.MagentoClient(e.Ctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	e.w.mirrorRun(e.Ctx, mc, e.Run(id))
	if got := syncStatePosts(e); got != 1 {
		t.Errorf("%d sync-state posts, want 1 (the held store is not called)", got)
	}
	left, err := e.DB.UnmirroredRuns(e.Clock.Now(), 0, 0)
	if err != nil || len(left) != 1 {
		t.Errorf("runs still to mirror: %d %v, want 1", len(left), err)
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

// TestHangingMagentoDoesNotHoldUpXero: the resender has its own goroutine,
// so while a store's sync-state callback hangs, a new invoice still goes
// to Xero (and reaches its own mirror call).
func TestHangingMagentoDoesNotHoldUpXero(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	finishedRun(e, 42, e.Clock.Now().Add(-time.Minute))
	calls, release := make(chan string, 4), make(chan struct{})
	defer close(release)
	hang := &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		if !strings.HasSuffix(r.URL.Path, "/sync-state") {
			return e.Magento.Server.Client().Transport.RoundTrip(r)
		}
		body, _ := io.ReadAll(r.Body)
		calls <- string(body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return nil, context.Canceled
	})}
	cfg := e.w.cfg
	cfg.Recheck = time.Hour
	cfg.Magento = e.magentoVia(hang)
	e.w = New(cfg)
	ctx, cancel := context.WithCancel(e.Ctx)
	defer cancel()
	e.w.Start(ctx)
	next := func(what string) string {
		t.Helper()
		select {
		case b := <-calls:
			return b
		case <-time.After(10 * time.Second):
			t.Fatalf("no sync-state call for %s", what)
			return ""
		}
	}
	if b := next("the pending run"); !strings.Contains(b, `"magento_entity_id":42`) {
		t.Fatalf("first callback %s, want entity 42", b)
	}
	inv, pay := synctest.Order(1, "checkmo")
	e.Magento.AddInvoice(inv)
	e.Magento.AddPayment(pay)
	e.Accept(domain.EventInvoiceCreated, 1, `{"paid":true}`)
	e.w.Notify(e.Binding.ID)
	if b := next("the new invoice while the first hangs"); !strings.Contains(b, `"magento_entity_id":1`) {
		t.Fatalf("second callback %s, want entity 1", b)
	}
	if n := len(e.Xero.Invoices(e.Org)); n != 1 {
		t.Errorf("%d invoices in Xero, want 1", n)
	}
	cancel()
	stop, done := context.WithTimeout(e.Ctx, 10*time.Second)
	defer done()
	if err := e.w.Stop(stop); err != nil {
		t.Fatal(err)
	}
}
