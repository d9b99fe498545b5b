package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"ledger/domain"
	"ledger/store"
	"ledger/store/storetest"
)

// TestNewerMirrored: once Magento took a run's state, an older run of the
// same Magento row (binding, entity, Magento id) learns that a newer one
// was told; runs of other rows, and newer runs, do not.
func TestNewerMirrored(t *testing.T) {
	path, key := filepath.Join(t.TempDir(), "l.db"), newKey(t)
	opts := store.Options{Now: func() time.Time { return t0 }}
	db, err := store.Open(path, key, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	ten, _ := storetest.MustPairing(t, db, 0)
	run := func(key, event string, id int64) uint64 {
		t.Helper()
		rid := accept(t, db, ten.ID, key, event, envelope(id, `{}`)).RunIDs[0]
		mustUpdate(t, db, rid, finish(domain.RunSucceeded, t0))
		return rid
	}
	created := run("a", domain.EventInvoiceCreated, 42)
	paid := run("b", domain.EventInvoicePaid, 42)
	other := run("c", domain.EventInvoiceCreated, 43)
	memo := run("d", domain.EventCreditmemoCreated, 42) // another entity, same id
	newer := func(id uint64) uint64 {
		t.Helper()
		r, err := db.Run(id)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.NewerMirrored(r)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := newer(created); n != 0 {
		t.Fatalf("before any mirror: newer = %d", n)
	}
	at := t0.Add(time.Minute)
	mustUpdate(t, db, paid, func(r *domain.SyncRun) { r.MirroredAt = &at })
	for _, c := range []struct {
		name string
		id   uint64
		want uint64
	}{
		{"older run of the same row", created, paid},
		{"the mirrored run itself", paid, 0},
		{"another invoice", other, 0},
		{"a credit memo with the same id", memo, 0},
	} {
		if got := newer(c.id); got != c.want {
			t.Errorf("%s: newer = %d, want %d", c.name, got, c.want)
		}
	}

	// The index is rebuilt for a database written before it existed.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	rewindToSchema1(t, path, "mirror_latest")
	if db, err = store.Open(path, key, opts); err != nil {
		t.Fatal(err)
	}
	if got := newer(created); got != paid {
		t.Errorf("after migration: newer = %d, want %d", got, paid)
	}
}
