package store

import (
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// tenantRecord is a stored tenant; its api key is a sealed secret.
type tenantRecord struct {
	ID            string               `json:"id"`
	MagentoURL    string               `json:"magento_url"`
	MagentoStatus domain.MagentoStatus `json:"magento_status"`
	OwnerID       uint64               `json:"owner_id"`
	CreatedAt     time.Time            `json:"created_at"`
	UpdatedAt     time.Time            `json:"updated_at"`
	RevokedAt     *time.Time           `json:"revoked_at,omitempty"`
	LastPingAt    *time.Time           `json:"last_ping_at,omitempty"`
}

func (r *tenantRecord) domain() *domain.Tenant {
	return &domain.Tenant{ID: r.ID, MagentoURL: r.MagentoURL, MagentoStatus: r.MagentoStatus,
		OwnerID: r.OwnerID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		RevokedAt: r.RevokedAt, LastPingAt: r.LastPingAt}
}

func tenantRecordOf(t *domain.Tenant) tenantRecord {
	return tenantRecord{ID: t.ID, MagentoURL: t.MagentoURL, MagentoStatus: t.MagentoStatus,
		OwnerID: t.OwnerID, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		RevokedAt: t.RevokedAt, LastPingAt: t.LastPingAt}
}

// trimURL drops spaces and trailing slashes; urlKey also lowercases it for
// the by-URL index.
func trimURL(u string) string { return strings.TrimRight(strings.TrimSpace(u), "/") }
func urlKey(u string) []byte  { return []byte(strings.ToLower(trimURL(u))) }

func ownerKey(owner uint64, tenantID string) []byte { return join(u64(owner), []byte(tenantID)) }

func errNoTenant(id string) error {
	return domain.Errorf(domain.ENotFound, "there is no tenant %s", id)
}

func getTenant(tx *bolt.Tx, id string) (*tenantRecord, error) {
	var rec tenantRecord
	ok, err := getJSON(tx.Bucket(bucketTenants), []byte(id), &rec)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoTenant(id)
	}
	return &rec, nil
}

// putTenant writes rec and moves its indexes from old (nil when new).
func putTenant(tx *bolt.Tx, old, rec *tenantRecord) error {
	byURL, byOwner := tx.Bucket(bucketTenantsByURL), tx.Bucket(bucketTenantsByOwner)
	if old != nil {
		if err := byURL.Delete(urlKey(old.MagentoURL)); err != nil {
			return err
		}
		if err := byOwner.Delete(ownerKey(old.OwnerID, old.ID)); err != nil {
			return err
		}
	}
	if other := byURL.Get(urlKey(rec.MagentoURL)); other != nil && string(other) != rec.ID {
		return domain.Errorf(domain.EConflict, "the Magento store %s is already paired; re-pair that tenant instead", rec.MagentoURL)
	}
	if err := byURL.Put(urlKey(rec.MagentoURL), []byte(rec.ID)); err != nil {
		return err
	}
	if err := byOwner.Put(ownerKey(rec.OwnerID, rec.ID), nil); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bucketTenants), []byte(rec.ID), rec)
}

// CreatePairing stores, in one transaction, a new tenant (t.ID given), its
// sealed api key and its first binding. The binding gets an id, status
// pending_oauth and the default policy if its policy is zero; t and b are
// updated in place.
func (db *DB) CreatePairing(t *domain.Tenant, apiKey string, b *domain.Binding) error {
	if t == nil || b == nil || t.ID == "" || len(t.ID) > 128 {
		return domain.Errorf(domain.EInvalid, "a pairing needs a tenant id and a binding")
	}
	if trimURL(t.MagentoURL) == "" {
		return domain.Errorf(domain.EInvalid, "a pairing needs the Magento store's base URL")
	}
	if apiKey == "" {
		return domain.Errorf(domain.EInvalid, "the pairing returned no api key; pair again")
	}
	now := db.utc()
	rec := tenantRecordOf(t)
	rec.MagentoURL = trimURL(rec.MagentoURL)
	if rec.MagentoStatus == "" {
		rec.MagentoStatus = domain.MagentoPending
	}
	rec.CreatedAt, rec.UpdatedAt = now, now
	var brec bindingRecord
	err := db.sealedUpdate(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketTenants).Get([]byte(rec.ID)) != nil {
			return domain.Errorf(domain.EConflict, "a tenant with id %s already exists", rec.ID)
		}
		if rec.OwnerID != 0 && tx.Bucket(bucketUsers).Get(u64(rec.OwnerID)) == nil {
			return errNoUser(rec.OwnerID)
		}
		if err := putTenant(tx, nil, &rec); err != nil {
			return err
		}
		key := []byte(domain.SecretTenantAPIKey(rec.ID))
		if err := db.putSealed(tx.Bucket(bucketSecrets), bucketSecrets, key, []byte(apiKey)); err != nil {
			return err
		}
		b.TenantID = rec.ID
		var err error
		brec, err = createBinding(tx, b, now)
		return err
	})
	if err != nil {
		return err
	}
	*t = *rec.domain()
	*b = *brec.domain()
	return nil
}

// RepairTenant re-pairs an existing tenant: it replaces the sealed api key
// and sets the Magento status back to pending.
func (db *DB) RepairTenant(tenantID, apiKey string) error {
	if apiKey == "" {
		return domain.Errorf(domain.EInvalid, "the pairing returned no api key; pair again")
	}
	return db.sealedUpdate(func(tx *bolt.Tx) error {
		old, err := getTenant(tx, tenantID)
		if err != nil {
			return err
		}
		rec := *old
		rec.MagentoStatus = domain.MagentoPending
		rec.RevokedAt = nil
		rec.UpdatedAt = db.utc()
		if err := putTenant(tx, old, &rec); err != nil {
			return err
		}
		key := []byte(domain.SecretTenantAPIKey(tenantID))
		return db.putSealed(tx.Bucket(bucketSecrets), bucketSecrets, key, []byte(apiKey))
	})
}

// APIKey returns a tenant's pairing api key.
func (db *DB) APIKey(tenantID string) (string, error) {
	var key []byte
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		key, err = db.getSealed(tx.Bucket(bucketSecrets), bucketSecrets, []byte(domain.SecretTenantAPIKey(tenantID)))
		if err == nil && key == nil {
			return errNoTenant(tenantID)
		}
		return err
	})
	return string(key), err
}

// Tenant returns one tenant.
func (db *DB) Tenant(id string) (*domain.Tenant, error) {
	var t *domain.Tenant
	err := db.view(func(tx *bolt.Tx) error {
		rec, err := getTenant(tx, id)
		if err == nil {
			t = rec.domain()
		}
		return err
	})
	return t, err
}

// TenantByMagentoURL returns the tenant paired with a Magento base URL.
func (db *DB) TenantByMagentoURL(url string) (*domain.Tenant, error) {
	var t *domain.Tenant
	err := db.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketTenantsByURL).Get(urlKey(url))
		if id == nil {
			return domain.Errorf(domain.ENotFound, "no tenant is paired with %s", trimURL(url))
		}
		rec, err := getTenant(tx, string(id))
		if err == nil {
			t = rec.domain()
		}
		return err
	})
	return t, err
}

// UpdateTenant applies fn to a tenant and stores the result; fn may not
// change the id. An error from fn aborts the update and is returned.
func (db *DB) UpdateTenant(id string, fn func(*domain.Tenant) error) (*domain.Tenant, error) {
	var out *domain.Tenant
	err := db.update(func(tx *bolt.Tx) error {
		old, err := getTenant(tx, id)
		if err != nil {
			return err
		}
		t := old.domain()
		if err := fn(t); err != nil {
			return err
		}
		if t.ID != old.ID {
			return domain.Errorf(domain.EInvalid, "a tenant's id cannot change")
		}
		rec := tenantRecordOf(t)
		rec.MagentoURL = trimURL(rec.MagentoURL)
		rec.CreatedAt = old.CreatedAt
		rec.UpdatedAt = db.utc()
		if err := putTenant(tx, old, &rec); err != nil {
			return err
		}
		out = rec.domain()
		return nil
	})
	return out, err
}

// ListTenants returns every tenant ordered by id.
func (db *DB) ListTenants() ([]*domain.Tenant, error) {
	var out []*domain.Tenant
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTenants)
		return b.ForEach(func(k, _ []byte) error {
			var rec tenantRecord
			if _, err := getJSON(b, k, &rec); err != nil {
				return err
			}
			out = append(out, rec.domain())
			return nil
		})
	})
	return out, err
}

// TenantsByOwner returns the tenants a user owns, ordered by id.
func (db *DB) TenantsByOwner(userID uint64) ([]*domain.Tenant, error) {
	var out []*domain.Tenant
	err := db.view(func(tx *bolt.Tx) error {
		prefix := append(u64(userID), 0)
		return prefixScan(tx.Bucket(bucketTenantsByOwner), prefix, func(k, _ []byte) error {
			rec, err := getTenant(tx, string(k[len(prefix):]))
			if err != nil {
				return err
			}
			out = append(out, rec.domain())
			return nil
		})
	})
	return out, err
}
