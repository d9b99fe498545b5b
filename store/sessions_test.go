package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/store/storetest"
)

func TestSessionEpochs(t *testing.T) {
	db := storetest.MustOpen(t)
	u := storetest.MustUser(t, db, "merchant@example.com", domain.RoleMerchant)

	epoch := func() uint64 {
		t.Helper()
		got, e, err := db.SessionUser(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(u, got); diff != "" {
			t.Errorf("SessionUser user (-want +got):\n%s", diff)
		}
		return e
	}
	if e := epoch(); e != 0 {
		t.Fatalf("new user's epoch = %d, want 0", e)
	}
	if e, err := db.EndSessions(u.ID); err != nil || e != 1 {
		t.Fatalf("EndSessions = %d, %v; want 1", e, err)
	}
	if e := epoch(); e != 1 {
		t.Errorf("epoch after EndSessions = %d, want 1", e)
	}
	if err := db.SetPassword(u.ID, []byte("new-hash")); err != nil {
		t.Fatal(err)
	}
	if e := epoch(); e != 2 {
		t.Errorf("epoch after SetPassword = %d, want 2", e)
	}
	if got, err := db.User(u.ID); err != nil || !cmp.Equal(u, got) {
		t.Errorf("User after epoch bumps = %+v, %v", got, err)
	}
	if _, hash, err := db.UserByEmail(u.Email); err != nil || string(hash) != "new-hash" {
		t.Errorf("password after SetPassword = %q, %v", hash, err)
	}

	if _, _, err := db.SessionUser(99); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("SessionUser(99): %v, want ENotFound", err)
	}
	if _, err := db.EndSessions(99); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("EndSessions(99): %v, want ENotFound", err)
	}
	if err := db.SetPassword(99, []byte("x")); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("SetPassword(99): %v, want ENotFound", err)
	}
}
