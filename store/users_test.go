package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/store/storetest"
)

func TestCreateUser(t *testing.T) {
	db := storetest.MustOpen(t)
	u, err := db.CreateUser("  Alice@Example.COM ", domain.RoleAdmin, []byte("hash-a"))
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != 1 || u.Email != "alice@example.com" || u.Role != domain.RoleAdmin || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser = %+v", u)
	}
	got, hash, err := db.UserByEmail("ALICE@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("UserByEmail (-want +got):\n%s", diff)
	}
	if string(hash) != "hash-a" {
		t.Errorf("hash = %q, want hash-a", hash)
	}
	byID, err := db.User(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(u, byID); diff != "" {
		t.Errorf("User (-want +got):\n%s", diff)
	}

	_, err = db.CreateUser("alice@example.com", domain.RoleMerchant, []byte("x"))
	if !domain.IsKind(err, domain.EConflict) || domain.MessageOf(err) != "a user with email alice@example.com already exists" {
		t.Errorf("duplicate: err = %v", err)
	}
	m, err := db.CreateUser("bob@example.com", domain.RoleMerchant, []byte("hash-b"))
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.ListUsers()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*domain.User{u, m}, list); diff != "" {
		t.Errorf("ListUsers (-want +got):\n%s", diff)
	}
}

func TestCreateUserInvalid(t *testing.T) {
	db := storetest.MustOpen(t)
	tests := []struct {
		name, email string
		role        domain.Role
		hash        []byte
	}{
		{"no at", "alice", domain.RoleAdmin, []byte("h")},
		{"empty", "  ", domain.RoleAdmin, []byte("h")},
		{"bad role", "a@b.c", "root", []byte("h")},
		{"no hash", "a@b.c", domain.RoleAdmin, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := db.CreateUser(tt.email, tt.role, tt.hash); !domain.IsKind(err, domain.EInvalid) {
				t.Errorf("err = %v, want EInvalid", err)
			}
		})
	}
	if _, _, err := db.UserByEmail("nobody@example.com"); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("UserByEmail(nobody) err = %v, want ENotFound", err)
	}
	if _, err := db.User(99); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("User(99) err = %v, want ENotFound", err)
	}
}
