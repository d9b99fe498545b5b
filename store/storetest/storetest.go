// Package storetest opens throwaway ledger databases and seeds them, for
// other packages' tests.
package storetest

import (
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"ledger/domain"
	"ledger/store"
)

// MustOpen opens a new database in a temp dir with a random master key and
// closes it when the test ends.
func MustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpenWith(tb, store.Options{})
}

// MustOpenWith is MustOpen with options (a pinned clock, a logger).
func MustOpenWith(tb testing.TB, opt store.Options) *store.DB {
	tb.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(filepath.Join(tb.TempDir(), "ledger.db"), key, opt)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("store.Close: %v", err)
		}
	})
	return db
}

// MustUser creates a user with a dummy password hash.
func MustUser(tb testing.TB, db *store.DB, email string, role domain.Role) *domain.User {
	tb.Helper()
	u, err := db.CreateUser(email, role, []byte("$2a$10$storetest.dummy.hash"))
	if err != nil {
		tb.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

var shopSeq atomic.Uint64

// MustPairing creates a tenant owned by ownerID (0 = none) with a unique
// Magento URL, api key "test-api-key-<tenant id>", and its first binding
// (pending_oauth, default policy).
func MustPairing(tb testing.TB, db *store.DB, ownerID uint64) (*domain.Tenant, *domain.Binding) {
	tb.Helper()
	t := &domain.Tenant{
		ID:         uuid.NewString(),
		MagentoURL: fmt.Sprintf("https://shop-%d.example.com", shopSeq.Add(1)),
		OwnerID:    ownerID,
	}
	b := &domain.Binding{Provider: domain.ProviderXero}
	if err := db.CreatePairing(t, "test-api-key-"+t.ID, b); err != nil {
		tb.Fatalf("CreatePairing: %v", err)
	}
	return t, b
}

// MustActivate marks a binding active with a fake Xero organisation.
func MustActivate(tb testing.TB, db *store.DB, bindingID uint64) *domain.Binding {
	tb.Helper()
	b, err := db.UpdateBinding(bindingID, func(b *domain.Binding) error {
		b.Status = domain.BindingActive
		b.XeroTenantID = uuid.NewString()
		b.XeroOrgName = "Test Org"
		return nil
	})
	if err != nil {
		tb.Fatalf("UpdateBinding: %v", err)
	}
	return b
}
