package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/store/storetest"
)

func TestCreatePairing(t *testing.T) {
	db := storetest.MustOpen(t)
	owner := storetest.MustUser(t, db, "m@example.com", domain.RoleMerchant)
	ten := &domain.Tenant{ID: "11111111-2222-3333-4444-555555555555", MagentoURL: "https://Shop.example.com/", OwnerID: owner.ID}
	b := &domain.Binding{}
	if err := db.CreatePairing(ten, "api-key-1", b); err != nil {
		t.Fatal(err)
	}
	if ten.MagentoURL != "https://Shop.example.com" || ten.MagentoStatus != domain.MagentoPending {
		t.Errorf("tenant = %+v", ten)
	}
	if b.ID != 1 || b.TenantID != ten.ID || b.Status != domain.BindingPendingOAuth || b.Provider != domain.ProviderXero {
		t.Errorf("binding = %+v", b)
	}
	if diff := cmp.Diff(domain.DefaultPolicy(), b.Policy); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	key, err := db.APIKey(ten.ID)
	if err != nil || key != "api-key-1" {
		t.Fatalf("APIKey = %q, %v", key, err)
	}
	got, err := db.TenantByMagentoURL("https://shop.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ten, got); diff != "" {
		t.Errorf("TenantByMagentoURL (-want +got):\n%s", diff)
	}
	owned, err := db.TenantsByOwner(owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*domain.Tenant{ten}, owned); diff != "" {
		t.Errorf("TenantsByOwner (-want +got):\n%s", diff)
	}
	bs, err := db.BindingsByTenant(ten.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*domain.Binding{b}, bs); diff != "" {
		t.Errorf("BindingsByTenant (-want +got):\n%s", diff)
	}
	all, err := db.ListBindings()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*domain.Binding{b}, all); diff != "" {
		t.Errorf("ListBindings (-want +got):\n%s", diff)
	}

	// Same URL again is a conflict and leaves nothing behind.
	dup := &domain.Tenant{ID: "other", MagentoURL: "https://shop.example.com"}
	if err := db.CreatePairing(dup, "k", &domain.Binding{}); !domain.IsKind(err, domain.EConflict) {
		t.Errorf("duplicate URL err = %v, want EConflict", err)
	}
	if _, err := db.Tenant("other"); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("half-created tenant: err = %v", err)
	}

	// Re-pairing rotates the api key and resets the Magento status.
	if _, err := db.UpdateTenant(ten.ID, func(t *domain.Tenant) error { t.MagentoStatus = domain.MagentoActive; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := db.RepairTenant(ten.ID, "api-key-2"); err != nil {
		t.Fatal(err)
	}
	if key, _ := db.APIKey(ten.ID); key != "api-key-2" {
		t.Errorf("APIKey after repair = %q", key)
	}
	if got, _ := db.Tenant(ten.ID); got.MagentoStatus != domain.MagentoPending {
		t.Errorf("status after repair = %s", got.MagentoStatus)
	}
}

func TestUpdateTenantMovesIndexes(t *testing.T) {
	db := storetest.MustOpen(t)
	u1 := storetest.MustUser(t, db, "a@example.com", domain.RoleMerchant)
	u2 := storetest.MustUser(t, db, "b@example.com", domain.RoleMerchant)
	ten, _ := storetest.MustPairing(t, db, u1.ID)
	if _, err := db.UpdateTenant(ten.ID, func(t *domain.Tenant) error {
		t.OwnerID, t.MagentoURL = u2.ID, "https://moved.example.com"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if l, _ := db.TenantsByOwner(u1.ID); len(l) != 0 {
		t.Errorf("old owner still has %d tenants", len(l))
	}
	if l, _ := db.TenantsByOwner(u2.ID); len(l) != 1 {
		t.Errorf("new owner has %d tenants, want 1", len(l))
	}
	if _, err := db.TenantByMagentoURL(ten.MagentoURL); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("old URL still found: %v", err)
	}
	if _, err := db.TenantByMagentoURL("https://moved.example.com"); err != nil {
		t.Errorf("new URL: %v", err)
	}
	if _, err := db.UpdateTenant(ten.ID, func(t *domain.Tenant) error { t.ID = "x"; return nil }); !domain.IsKind(err, domain.EInvalid) {
		t.Errorf("id change err = %v", err)
	}
}

func TestUpdateBinding(t *testing.T) {
	db := storetest.MustOpen(t)
	ten, b := storetest.MustPairing(t, db, 0)
	got := storetest.MustActivate(t, db, b.ID)
	if got.Status != domain.BindingActive || got.CreatedAt != b.CreatedAt {
		t.Errorf("binding = %+v", got)
	}
	b2 := &domain.Binding{TenantID: ten.ID}
	if err := db.CreateBinding(b2); err != nil {
		t.Fatal(err)
	}
	bs, _ := db.BindingsByTenant(ten.ID)
	if len(bs) != 2 || bs[1].ID != b2.ID {
		t.Errorf("BindingsByTenant = %+v", bs)
	}
	if err := db.CreateBinding(&domain.Binding{TenantID: "nope"}); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("binding for missing tenant: %v", err)
	}
	if _, err := db.UpdateBinding(b.ID, func(b *domain.Binding) error { b.TenantID = "x"; return nil }); !domain.IsKind(err, domain.EInvalid) {
		t.Errorf("tenant change err = %v", err)
	}
}
