package store_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"ledger/domain"
	"ledger/store"
	"ledger/store/storetest"
)

// unmirrored lists the ids UnmirroredRuns returns, checking each run is
// decoded whole (its id and a field only the record holds).
func unmirrored(t *testing.T, db *store.DB, before time.Time, afterID uint64, limit int) []uint64 {
	t.Helper()
	runs, err := db.UnmirroredRuns(before, afterID, limit)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, r := range runs {
		if r.IdempotencyKey == "" || r.MirroredAt != nil || r.FinishedAt == nil || !r.Mirrorable() {
			t.Errorf("run %d is not a decoded run still to mirror: %+v", r.ID, r)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

func finish(status domain.RunStatus, at time.Time) func(*domain.SyncRun) {
	return func(r *domain.SyncRun) { r.Status, r.FinishedAt = status, &at }
}

// TestUnmirroredRunsFollowState: the index holds exactly the terminal,
// mirrorable, not yet mirrored runs through every change of a run's
// status and MirroredAt.
func TestUnmirroredRunsFollowState(t *testing.T) {
	db := storetest.MustOpenWith(t, store.Options{Now: func() time.Time { return t0 }})
	ten, _ := storetest.MustPairing(t, db, 0)
	ten2, _ := storetest.MustPairing(t, db, 0)
	for i := range 3 {
		accept(t, db, ten.ID, fmt.Sprint("k", i), domain.EventInvoiceCreated, envelope(int64(100+i), `{}`)) // 1, 2, 3
	}
	accept(t, db, ten2.ID, "c", domain.EventCustomerUpserted, envelope(9, `{}`))    // 4
	accept(t, db, ten.ID, "ship", "shipment.created", envelope(5, `{}`))            // 5: skipped, no sync-state row
	accept(t, db, ten.ID, "zero", domain.EventCreditmemoCreated, envelope(0, `{}`)) // 6: no Magento id
	cutoff := t0.Add(time.Minute)
	late := cutoff.Add(time.Second)
	mirrored := t0.Add(2 * time.Minute)

	steps := []struct {
		name string
		do   func(t *testing.T)
		want []uint64
	}{
		{"accepted runs are not terminal", func(*testing.T) {}, nil},
		{"queued → running → queued stays out", func(t *testing.T) {
			if _, err := db.MarkRunning([]uint64{1, 2}, t0); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ReleaseRunning([]uint64{2}, t0); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"finished runs go in", func(t *testing.T) {
			mustUpdate(t, db, 1, finish(domain.RunSucceeded, t0))
			mustUpdate(t, db, 2, finish(domain.RunFailed, t0))
			mustUpdate(t, db, 4, finish(domain.RunSkipped, t0))
			mustUpdate(t, db, 6, finish(domain.RunDeadLettered, t0))
		}, []uint64{1, 2, 4}},
		{"FinishRun indexes too; finished after the cutoff waits", func(t *testing.T) {
			r, err := db.Run(3)
			if err != nil {
				t.Fatal(err)
			}
			finish(domain.RunDeadLettered, late)(r)
			if err := db.FinishRun(r, nil); err != nil {
				t.Fatal(err)
			}
		}, []uint64{1, 2, 4}},
		{"a mirrored run leaves", func(t *testing.T) {
			mustUpdate(t, db, 2, func(r *domain.SyncRun) { r.MirroredAt = &mirrored })
		}, []uint64{1, 4}},
		{"a failed mirror (timeline only) stays", func(t *testing.T) {
			mustUpdate(t, db, 1, func(r *domain.SyncRun) {
				r.Timeline = append(r.Timeline, domain.RunStep{At: t0, Step: domain.StepMirrored, Detail: "failed"})
			})
		}, []uint64{1, 4}},
		{"requeue takes a run out", func(t *testing.T) {
			mustUpdate(t, db, 4, func(r *domain.SyncRun) { r.Status, r.FinishedAt, r.MirroredAt = domain.RunQueued, nil, nil })
		}, []uint64{1}},
		{"requeue of a mirrored run, finished again, goes back in", func(t *testing.T) {
			mustUpdate(t, db, 2, func(r *domain.SyncRun) { r.Status, r.FinishedAt, r.MirroredAt = domain.RunQueued, nil, nil })
			mustUpdate(t, db, 2, finish(domain.RunSucceeded, t0))
		}, []uint64{1, 2}},
		{"a finish time moved before the cutoff is seen", func(t *testing.T) {
			mustUpdate(t, db, 3, finish(domain.RunDeadLettered, t0))
		}, []uint64{1, 2, 3}},
		{"every run mirrored", func(t *testing.T) {
			for _, id := range []uint64{1, 2, 3} {
				mustUpdate(t, db, id, func(r *domain.SyncRun) { r.MirroredAt = &mirrored })
			}
		}, nil},
	}
	for _, s := range steps {
		s.do(t)
		if diff := cmp.Diff(s.want, unmirrored(t, db, cutoff, 0, 100)); diff != "" {
			t.Fatalf("%s: UnmirroredRuns (-want +got):\n%s", s.name, diff)
		}
	}
	// Late runs appear once the cutoff passes them.
	mustUpdate(t, db, 4, finish(domain.RunSucceeded, late))
	if diff := cmp.Diff([]uint64{4}, unmirrored(t, db, late.Add(time.Nanosecond), 0, 100)); diff != "" {
		t.Errorf("after the late finish (-want +got):\n%s", diff)
	}
	if got := unmirrored(t, db, late, 0, 100); got != nil {
		t.Errorf("finishedBefore is strict: got %v", got)
	}
}

func TestUnmirroredRunsPages(t *testing.T) {
	db := storetest.MustOpenWith(t, store.Options{Now: func() time.Time { return t0 }})
	ten, _ := storetest.MustPairing(t, db, 0)
	ten2, _ := storetest.MustPairing(t, db, 0)
	for i := range 4 {
		accept(t, db, ten.ID, fmt.Sprint("a", i), domain.EventInvoiceCreated, envelope(int64(1+i), `{}`)) // 1,3,5,7
		accept(t, db, ten2.ID, fmt.Sprint("b", i), domain.EventInvoicePaid, envelope(int64(1+i), `{}`))   // 2,4,6,8
	}
	for id := uint64(1); id <= 8; id++ {
		if id != 5 {
			mustUpdate(t, db, id, finish(domain.RunSucceeded, t0))
		}
	}
	cutoff := t0.Add(time.Second)
	tests := []struct {
		name    string
		afterID uint64
		limit   int
		want    []uint64
	}{
		{"all, in id order across bindings", 0, 100, []uint64{1, 2, 3, 4, 6, 7, 8}},
		{"limit", 0, 3, []uint64{1, 2, 3}},
		{"after", 3, 3, []uint64{4, 6, 7}},
		{"after the last", 8, 3, nil},
		{"limit 0 is the default", 0, 0, []uint64{1, 2, 3, 4, 6, 7, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, unmirrored(t, db, cutoff, tt.afterID, tt.limit)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestMigrationIndexesUnmirroredRuns opens a database as an older ledger
// left it (runs written, no unmirrored index, schema 1): the migration
// indexes the runs still to mirror and nothing else.
func TestMigrationIndexesUnmirroredRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	key := newKey(t)
	db, err := store.Open(path, key, store.Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	ten, _ := storetest.MustPairing(t, db, 0)
	for i := range 5 {
		accept(t, db, ten.ID, fmt.Sprint("k", i), domain.EventInvoiceCreated, envelope(int64(1+i), `{}`))
	}
	accept(t, db, ten.ID, "ship", "shipment.created", envelope(9, `{}`)) // 6: skipped, nothing to mirror
	mustUpdate(t, db, 1, finish(domain.RunSucceeded, t0))
	mustUpdate(t, db, 2, finish(domain.RunFailed, t0))
	mustUpdate(t, db, 3, finish(domain.RunSucceeded, t0))
	mustUpdate(t, db, 3, func(r *domain.SyncRun) { r.MirroredAt = &t0 })
	// 4 and 5 stay queued.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	rewindToSchema1(t, path, "runs_unmirrored")

	db, err = store.Open(path, key, store.Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if diff := cmp.Diff([]uint64{1, 2}, unmirrored(t, db, t0.Add(time.Second), 0, 100)); diff != "" {
		t.Errorf("after migration (-want +got):\n%s", diff)
	}
	// The rebuilt index is maintained like a new one.
	mustUpdate(t, db, 1, func(r *domain.SyncRun) { r.MirroredAt = &t0 })
	mustUpdate(t, db, 4, finish(domain.RunSucceeded, t0))
	if diff := cmp.Diff([]uint64{2, 4}, unmirrored(t, db, t0.Add(time.Second), 0, 100)); diff != "" {
		t.Errorf("after changes (-want +got):\n%s", diff)
	}
}

// TestUpdateRuns: one transaction for many runs; one refusal writes none.
func TestUpdateRuns(t *testing.T) {
	db := storetest.MustOpenWith(t, store.Options{Now: func() time.Time { return t0 }})
	ten, _ := storetest.MustPairing(t, db, 0)
	for i := range 3 {
		accept(t, db, ten.ID, fmt.Sprint("k", i), domain.EventInvoiceCreated, envelope(int64(1+i), `{}`))
	}
	for id := uint64(1); id <= 3; id++ {
		mustUpdate(t, db, id, finish(domain.RunSucceeded, t0))
	}
	_, err := db.UpdateRuns([]uint64{1, 2}, func(r *domain.SyncRun) error {
		if r.ID == 2 {
			return domain.Errorf(domain.EConflict, "no")
		}
		r.MirroredAt = &t0
		return nil
	})
	if !domain.IsKind(err, domain.EConflict) {
		t.Errorf("refused update: err = %v", err)
	}
	if _, err := db.UpdateRuns([]uint64{1, 99}, func(*domain.SyncRun) error { return nil }); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("missing run: err = %v", err)
	}
	if diff := cmp.Diff([]uint64{1, 2, 3}, unmirrored(t, db, t0.Add(time.Second), 0, 100)); diff != "" {
		t.Errorf("after refused updates (-want +got):\n%s", diff)
	}
	runs, err := db.UpdateRuns([]uint64{3, 1}, func(r *domain.SyncRun) error { r.MirroredAt = &t0; return nil })
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, r := range runs {
		ids = append(ids, r.ID)
		if r.MirroredAt == nil {
			t.Errorf("run %d returned without the change", r.ID)
		}
	}
	if diff := cmp.Diff([]uint64{3, 1}, ids); diff != "" {
		t.Errorf("returned runs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint64{2}, unmirrored(t, db, t0.Add(time.Second), 0, 100)); diff != "" {
		t.Errorf("after UpdateRuns (-want +got):\n%s", diff)
	}
}

// rewindToSchema1 makes the closed database at path look as a ledger at
// schema 1 left it: the buckets drop are gone and only the first migration
// is recorded, so Open runs every later one again.
func rewindToSchema1(t *testing.T, path string, drop ...string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		for _, name := range drop {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		meta := tx.Bucket([]byte("meta"))
		log := meta.Bucket([]byte("migrations"))
		var keys [][]byte
		c := log.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys[1:] {
			if err := log.Delete(k); err != nil {
				return err
			}
		}
		return meta.Put([]byte("schema_version"), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}
