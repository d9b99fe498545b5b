package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/store"
	"ledger/store/storetest"
)

// statuses returns the status of each run id.
func statuses(t *testing.T, db *store.DB, ids ...uint64) []domain.RunStatus {
	t.Helper()
	var out []domain.RunStatus
	for _, id := range ids {
		r, err := db.Run(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.Status)
	}
	return out
}

func dueIDs(t *testing.T, db *store.DB, bindingID uint64, now time.Time) []uint64 {
	t.Helper()
	runs, err := db.DueRuns(bindingID, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}

func TestMarkRunningAndRelease(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, b := storetest.MustPairing(t, db, 0)
	storetest.MustActivate(t, db, b.ID)
	var ids []uint64
	for i := int64(1); i <= 4; i++ {
		ids = append(ids, accept(t, db, ten.ID, fmt.Sprintf("k%d", i), domain.EventInvoiceCreated, envelope(i, `{}`)).RunIDs...)
	}
	// Run 4 already failed: MarkRunning must leave it alone.
	if _, err := db.UpdateRun(ids[3], func(r *domain.SyncRun) error {
		now := t0
		r.Status, r.FinishedAt = domain.RunFailed, &now
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Minute)

	marked, err := db.MarkRunning(append([]uint64{999}, ids[:4]...), now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids[:3], marked); diff != "" {
		t.Errorf("marked (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]domain.RunStatus{domain.RunRunning, domain.RunRunning, domain.RunRunning, domain.RunFailed}, statuses(t, db, ids...)); diff != "" {
		t.Errorf("statuses after MarkRunning (-want +got):\n%s", diff)
	}
	if got := dueIDs(t, db, b.ID, now); len(got) != 0 {
		t.Errorf("DueRuns handed out running runs %v", got)
	}
	if got, err := db.BindingsWithDueRuns(now); err != nil || len(got) != 0 {
		t.Errorf("BindingsWithDueRuns = %v, %v; want none", got, err)
	}
	st, err := db.RunStats(b.ID)
	if err != nil || st.Pending != 3 {
		t.Errorf("RunStats pending = %d, %v; want 3 (running counts as pending)", st.Pending, err)
	}
	listed, err := db.ListRuns(store.RunFilter{Status: domain.RunRunning})
	if err != nil || len(listed) != 3 {
		t.Errorf("ListRuns(running) = %d runs, %v; want 3", len(listed), err)
	}
	// Marking again claims nothing: a running run is not queued.
	if again, err := db.MarkRunning(ids, now); err != nil || len(again) != 0 {
		t.Errorf("second MarkRunning = %v, %v; want none", again, err)
	}

	n, err := db.ReleaseRunning([]uint64{ids[0], ids[3], 999}, now)
	if err != nil || n != 1 {
		t.Errorf("ReleaseRunning = %d, %v; want 1", n, err)
	}
	if diff := cmp.Diff([]uint64{ids[0]}, dueIDs(t, db, b.ID, now)); diff != "" {
		t.Errorf("due after ReleaseRunning (-want +got):\n%s", diff)
	}
	n, err = db.ReleaseAllRunning(now)
	if err != nil || n != 2 {
		t.Errorf("ReleaseAllRunning = %d, %v; want 2", n, err)
	}
	if diff := cmp.Diff(ids[:3], dueIDs(t, db, b.ID, now)); diff != "" {
		t.Errorf("due after ReleaseAllRunning (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]domain.RunStatus{domain.RunQueued, domain.RunQueued, domain.RunQueued, domain.RunFailed}, statuses(t, db, ids...)); diff != "" {
		t.Errorf("statuses after release (-want +got):\n%s", diff)
	}
	if st, _ := db.RunStats(b.ID); st.Pending != 3 {
		t.Errorf("RunStats pending = %d after release; want 3", st.Pending)
	}
}

// A released run keeps its backoff: it is due again only at NextAttemptAt.
func TestReleaseRunningKeepsBackoff(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, b := storetest.MustPairing(t, db, 0)
	storetest.MustActivate(t, db, b.ID)
	id := accept(t, db, ten.ID, "k1", domain.EventInvoiceCreated, envelope(1, `{}`)).RunIDs[0]
	if _, err := db.MarkRunning([]uint64{id}, t0); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	if _, err := db.UpdateRun(id, func(r *domain.SyncRun) error { r.NextAttemptAt = &later; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReleaseAllRunning(t0); err != nil {
		t.Fatal(err)
	}
	if got := dueIDs(t, db, b.ID, t0); len(got) != 0 {
		t.Errorf("due before NextAttemptAt: %v", got)
	}
	if diff := cmp.Diff([]uint64{id}, dueIDs(t, db, b.ID, later)); diff != "" {
		t.Errorf("due at NextAttemptAt (-want +got):\n%s", diff)
	}
}
