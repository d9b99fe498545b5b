package store

import (
	"reflect"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// bindingRecord is a stored binding; its OAuth tokens are a sealed secret.
type bindingRecord struct {
	ID               uint64               `json:"id"`
	TenantID         string               `json:"tenant_id"`
	Provider         string               `json:"provider"`
	Status           domain.BindingStatus `json:"status"`
	XeroTenantID     string               `json:"xero_tenant_id,omitempty"`
	XeroOrgName      string               `json:"xero_org_name,omitempty"`
	XeroConnectionID string               `json:"xero_connection_id,omitempty"`
	Policy           domain.Policy        `json:"policy"`
	CreatedAt        time.Time            `json:"created_at"`
	UpdatedAt        time.Time            `json:"updated_at"`
	ConnectedAt      *time.Time           `json:"connected_at,omitempty"`
	LastSyncAt       *time.Time           `json:"last_sync_at,omitempty"`
}

func (r *bindingRecord) domain() *domain.Binding {
	return &domain.Binding{ID: r.ID, TenantID: r.TenantID, Provider: r.Provider, Status: r.Status,
		XeroTenantID: r.XeroTenantID, XeroOrgName: r.XeroOrgName, XeroConnectionID: r.XeroConnectionID,
		Policy: r.Policy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		ConnectedAt: r.ConnectedAt, LastSyncAt: r.LastSyncAt}
}

func bindingRecordOf(b *domain.Binding) bindingRecord {
	return bindingRecord{ID: b.ID, TenantID: b.TenantID, Provider: b.Provider, Status: b.Status,
		XeroTenantID: b.XeroTenantID, XeroOrgName: b.XeroOrgName, XeroConnectionID: b.XeroConnectionID,
		Policy: b.Policy, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
		ConnectedAt: b.ConnectedAt, LastSyncAt: b.LastSyncAt}
}

func bindingTenantKey(tenantID string, id uint64) []byte { return join([]byte(tenantID), u64(id)) }

func errNoBinding(id uint64) error {
	return domain.Errorf(domain.ENotFound, "there is no binding %d", id)
}

func getBinding(tx *bolt.Tx, id uint64) (*bindingRecord, error) {
	var rec bindingRecord
	ok, err := getJSON(tx.Bucket(bucketBindings), u64(id), &rec)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoBinding(id)
	}
	return &rec, nil
}

// tenantBindings returns a tenant's bindings ordered by id.
func tenantBindings(tx *bolt.Tx, tenantID string) ([]*bindingRecord, error) {
	var out []*bindingRecord
	prefix := append([]byte(tenantID), 0)
	err := prefixScan(tx.Bucket(bucketBindingsByTen), prefix, func(k, _ []byte) error {
		rec, err := getBinding(tx, btou(k[len(prefix):]))
		if err != nil {
			return err
		}
		out = append(out, rec)
		return nil
	})
	return out, err
}

// createBinding assigns an id and defaults and stores b for an existing tenant.
func createBinding(tx *bolt.Tx, b *domain.Binding, now time.Time) (bindingRecord, error) {
	if tx.Bucket(bucketTenants).Get([]byte(b.TenantID)) == nil {
		return bindingRecord{}, errNoTenant(b.TenantID)
	}
	rec := bindingRecordOf(b)
	bs := tx.Bucket(bucketBindings)
	id, err := bs.NextSequence()
	if err != nil {
		return rec, err
	}
	rec.ID = id
	if rec.Provider == "" {
		rec.Provider = domain.ProviderXero
	}
	if rec.Status == "" {
		rec.Status = domain.BindingPendingOAuth
	}
	if reflect.ValueOf(rec.Policy).IsZero() {
		rec.Policy = domain.DefaultPolicy()
	}
	rec.CreatedAt, rec.UpdatedAt = now, now
	if err := putJSON(bs, u64(id), &rec); err != nil {
		return rec, err
	}
	return rec, tx.Bucket(bucketBindingsByTen).Put(bindingTenantKey(rec.TenantID, id), nil)
}

// CreateBinding adds a binding to an existing tenant; b gets its id,
// status pending_oauth (unless set) and the default policy if zero.
func (db *DB) CreateBinding(b *domain.Binding) error {
	if b == nil {
		return domain.Errorf(domain.EInvalid, "no binding given")
	}
	var rec bindingRecord
	err := db.update(func(tx *bolt.Tx) error {
		var err error
		rec, err = createBinding(tx, b, db.utc())
		return err
	})
	if err == nil {
		*b = *rec.domain()
	}
	return err
}

// UpdateBinding applies fn to a binding and stores the result; fn may not
// change the id or tenant. An error from fn aborts the update.
func (db *DB) UpdateBinding(id uint64, fn func(*domain.Binding) error) (*domain.Binding, error) {
	var out *domain.Binding
	err := db.update(func(tx *bolt.Tx) error {
		old, err := getBinding(tx, id)
		if err != nil {
			return err
		}
		b := old.domain()
		if err := fn(b); err != nil {
			return err
		}
		if b.ID != old.ID || b.TenantID != old.TenantID {
			return domain.Errorf(domain.EInvalid, "a binding's id and tenant cannot change")
		}
		rec := bindingRecordOf(b)
		rec.CreatedAt = old.CreatedAt
		rec.UpdatedAt = db.utc()
		if err := putJSON(tx.Bucket(bucketBindings), u64(id), &rec); err != nil {
			return err
		}
		out = rec.domain()
		return nil
	})
	return out, err
}

// Binding returns one binding.
func (db *DB) Binding(id uint64) (*domain.Binding, error) {
	var out *domain.Binding
	err := db.view(func(tx *bolt.Tx) error {
		rec, err := getBinding(tx, id)
		if err == nil {
			out = rec.domain()
		}
		return err
	})
	return out, err
}

// ListBindings returns every binding ordered by id.
func (db *DB) ListBindings() ([]*domain.Binding, error) {
	var out []*domain.Binding
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBindings)
		return b.ForEach(func(k, _ []byte) error {
			var rec bindingRecord
			if _, err := getJSON(b, k, &rec); err != nil {
				return err
			}
			out = append(out, rec.domain())
			return nil
		})
	})
	return out, err
}

// BindingsByTenant returns a tenant's bindings ordered by id.
func (db *DB) BindingsByTenant(tenantID string) ([]*domain.Binding, error) {
	var out []*domain.Binding
	err := db.view(func(tx *bolt.Tx) error {
		recs, err := tenantBindings(tx, tenantID)
		for _, r := range recs {
			out = append(out, r.domain())
		}
		return err
	})
	return out, err
}

// noteLastSync moves the binding's LastSyncAt to a run that succeeded (the
// last document ledger synced to Xero: `ledger binding list`, the
// dashboard's "Last sync").
func noteLastSync(tx *bolt.Tx, r *domain.SyncRun, now time.Time) error {
	if r.Status != domain.RunSucceeded || r.BindingID == 0 || r.FinishedAt == nil {
		return nil
	}
	rec, err := getBinding(tx, r.BindingID)
	if domain.IsKind(err, domain.ENotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if rec.LastSyncAt != nil && !r.FinishedAt.After(*rec.LastSyncAt) {
		return nil
	}
	at := *r.FinishedAt
	rec.LastSyncAt, rec.UpdatedAt = &at, now
	return putJSON(tx.Bucket(bucketBindings), u64(r.BindingID), rec)
}
