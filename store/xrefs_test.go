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

func TestXrefs(t *testing.T) {
	db := storetest.MustOpen(t)
	_, b := storetest.MustPairing(t, db, 0)
	x := domain.Xref{BindingID: b.ID, Kind: domain.XrefInvoice, MagentoKey: "42", XeroID: "guid-1", CreatedAt: t0}
	if err := db.PutXref(x); err != nil {
		t.Fatal(err)
	}
	if err := db.PutXref(x); err != nil {
		t.Errorf("identical xref again: %v", err)
	}
	withNumber := x
	withNumber.XeroNumber = "INV-0042"
	if err := db.PutXref(withNumber); err != nil {
		t.Errorf("same xref with number: %v", err)
	}
	got, err := db.Xref(b.ID, domain.XrefInvoice, "42")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&withNumber, got); diff != "" {
		t.Errorf("Xref (-want +got):\n%s", diff)
	}
	clashes := map[string]domain.Xref{
		"magento side": {BindingID: b.ID, Kind: domain.XrefInvoice, MagentoKey: "42", XeroID: "guid-2"},
		"xero side":    {BindingID: b.ID, Kind: domain.XrefInvoice, MagentoKey: "43", XeroID: "guid-1"},
	}
	for name, c := range clashes {
		err := db.PutXref(c)
		if !domain.IsKind(err, domain.EConflict) || domain.CodeOf(err) != "entity_xref_reverse_collision" {
			t.Errorf("%s: err = %v (code %q)", name, err, domain.CodeOf(err))
		}
	}
	// Other kinds and other bindings are separate namespaces.
	if err := db.PutXref(domain.Xref{BindingID: b.ID, Kind: domain.XrefContact, MagentoKey: "42", XeroID: "guid-2"}); err != nil {
		t.Errorf("other kind: %v", err)
	}
	if _, err := db.Xref(b.ID, domain.XrefCreditNote, "42"); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("missing xref err = %v", err)
	}
	// Xrefs survive the binding being revoked.
	if _, err := db.UpdateBinding(b.ID, func(b *domain.Binding) error { b.Status = domain.BindingRevoked; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Xref(b.ID, domain.XrefInvoice, "42"); err != nil {
		t.Errorf("after revoke: %v", err)
	}
}

func TestFinishRunIsAtomic(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, b := storetest.MustPairing(t, db, 0)
	accept(t, db, ten.ID, "k1", domain.EventInvoiceCreated, envelope(1, `{}`))
	accept(t, db, ten.ID, "k2", domain.EventInvoiceCreated, envelope(2, `{}`))

	r, _ := db.Run(1)
	r.Status, r.XeroID, r.FinishedAt = domain.RunSucceeded, "guid-1", &t0
	if err := db.FinishRun(r, []domain.Xref{{BindingID: b.ID, Kind: domain.XrefInvoice, MagentoKey: "1", XeroID: "guid-1"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Run(1); got.Status != domain.RunSucceeded || got.XeroID != "guid-1" {
		t.Errorf("run 1 = %+v", got)
	}
	// A clashing xref aborts the whole transaction: run 2 stays queued and
	// its other xref is not written.
	r2, _ := db.Run(2)
	r2.Status, r2.FinishedAt = domain.RunSucceeded, &t0
	err := db.FinishRun(r2, []domain.Xref{
		{BindingID: b.ID, Kind: domain.XrefContact, MagentoKey: "c2", XeroID: "contact-2"},
		{BindingID: b.ID, Kind: domain.XrefInvoice, MagentoKey: "2", XeroID: "guid-1"},
	})
	if domain.CodeOf(err) != store.CodeXrefCollision {
		t.Fatalf("err = %v", err)
	}
	if got, _ := db.Run(2); got.Status != domain.RunQueued {
		t.Errorf("run 2 status = %s, want queued", got.Status)
	}
	if _, err := db.Xref(b.ID, domain.XrefContact, "c2"); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("half-written xref: %v", err)
	}
	if due, _ := db.DueRuns(b.ID, t0, 10); len(due) != 1 || due[0].ID != 2 {
		t.Errorf("queue after failed FinishRun: %v", due)
	}
}

// TestFinishRunNotesLastSync: a run that succeeded moves its binding's
// LastSyncAt to its finish time; a failure, or an older success finishing
// late, leaves it.
func TestFinishRunNotesLastSync(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, b := storetest.MustPairing(t, db, 0)
	for i := range 3 {
		accept(t, db, ten.ID, fmt.Sprint("k", i), domain.EventInvoiceCreated, envelope(int64(i+1), `{}`))
	}
	finish := func(id uint64, st domain.RunStatus, at time.Time) *time.Time {
		t.Helper()
		r, _ := db.Run(id)
		r.Status, r.FinishedAt = st, &at
		if err := db.FinishRun(r, nil); err != nil {
			t.Fatal(err)
		}
		got, err := db.Binding(b.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastSyncAt
	}
	later := t0.Add(time.Hour)
	for _, s := range []struct {
		name string
		id   uint64
		st   domain.RunStatus
		at   time.Time
		want *time.Time
	}{
		{"a failure is no sync", 1, domain.RunFailed, t0, nil},
		{"a success is", 2, domain.RunSucceeded, later, &later},
		{"an older success finishing late", 3, domain.RunSucceeded, t0, &later},
	} {
		if got := finish(s.id, s.st, s.at); !cmp.Equal(got, s.want) {
			t.Errorf("%s: LastSyncAt = %v, want %v", s.name, got, s.want)
		}
	}
}

func TestAttempts(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, _ := storetest.MustPairing(t, db, 0)
	accept(t, db, ten.ID, "k", domain.EventInvoiceCreated, envelope(1, `{}`))
	want := []store.Attempt{
		{Kind: domain.XrefInvoice, Key: "ledger-1-invoice", At: t0},
		{Kind: domain.XrefInvoicePayment, Key: "ledger-1-payment", At: t0.Add(time.Second)},
	}
	for _, a := range want {
		if err := db.RecordAttempt(1, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Attempts(1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Attempts (-want +got):\n%s", diff)
	}
	if err := db.RecordAttempt(99, want[0]); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("attempt on missing run: %v", err)
	}
}

func TestOAuthState(t *testing.T) {
	db := storetest.MustOpen(t)
	s := store.OAuthState{BindingID: 3, Verifier: "v", UserID: 1, ExpiresAt: t0.Add(10 * time.Minute)}
	if err := db.PutOAuthState("state-1", s); err != nil {
		t.Fatal(err)
	}
	if err := db.PutOAuthState("state-2", s); err != nil {
		t.Fatal(err)
	}
	got, err := db.TakeOAuthState("state-1", t0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, got); diff != "" {
		t.Errorf("TakeOAuthState (-want +got):\n%s", diff)
	}
	if _, err := db.TakeOAuthState("state-1", t0); !domain.IsKind(err, domain.EInvalid) {
		t.Errorf("second take err = %v", err)
	}
	_, err = db.TakeOAuthState("state-2", t0.Add(11*time.Minute))
	if !domain.IsKind(err, domain.EInvalid) || domain.MessageOf(err) != "this connect link has expired — start again" {
		t.Errorf("expired err = %v", err)
	}
	if _, err := db.TakeOAuthState("state-2", t0); !domain.IsKind(err, domain.EInvalid) {
		t.Errorf("expired state was not consumed: %v", err)
	}
}

func TestReference(t *testing.T) {
	db := storetest.MustOpen(t)
	_, b := storetest.MustPairing(t, db, 0)
	if _, err := db.Reference(b.ID); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("empty reference err = %v", err)
	}
	rc := &domain.ReferenceCache{FetchedAt: t0, Organisation: domain.Organisation{Name: "Org", BaseCurrency: "GBP"},
		Accounts: []domain.Account{{AccountID: "a1", Code: "200", Name: "Sales", Type: "REVENUE"}}, Currencies: []string{"GBP"}}
	if err := db.PutReference(b.ID, rc); err != nil {
		t.Fatal(err)
	}
	got, err := db.Reference(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rc, got); diff != "" {
		t.Errorf("Reference (-want +got):\n%s", diff)
	}
	if err := db.PutReference(999, rc); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("reference for missing binding: %v", err)
	}
}
