package dashboard

import (
	"time"

	"ledger/domain"
	"ledger/store"
)

// Store is the part of the database the dashboard uses. *store.DB provides
// it through dbStore; tests use an in-memory fake.
type Store interface {
	UserByEmail(email string) (*domain.User, []byte, error)
	// SessionUser is the user with their session epoch (one read).
	SessionUser(id uint64) (*domain.User, uint64, error)
	// EndSessions bumps the user's session epoch: every cookie issued
	// before is no session.
	EndSessions(id uint64) error
	// KeyTerm is the keyring's active term; DerivedKeys the purpose keys
	// of every term, newest first (store.DB.DerivedKeys).
	KeyTerm() uint32
	DerivedKeys(purpose string) ([][]byte, error)
	Tenant(id string) (*domain.Tenant, error)
	ListTenants() ([]*domain.Tenant, error)
	// TenantsByOwner reads a merchant's tenants through the owner index,
	// ordered by id; BindingsByTenant a tenant's bindings, ordered by id.
	TenantsByOwner(userID uint64) ([]*domain.Tenant, error)
	Binding(id uint64) (*domain.Binding, error)
	ListBindings() ([]*domain.Binding, error)
	BindingsByTenant(tenantID string) ([]*domain.Binding, error)
	UpdateBinding(id uint64, fn func(*domain.Binding) error) (*domain.Binding, error)
	Reference(bindingID uint64) (*domain.ReferenceCache, error)
	Run(id uint64) (*domain.SyncRun, error)
	ListRuns(f RunFilter) ([]*domain.SyncRun, error)
	RunStats(bindingIDs ...uint64) (RunStats, error)
	DailyCounts(bindingID uint64, days int) ([]DayCount, error)
}

// RunFilter selects sync runs, newest first. Zero fields do not filter.
type RunFilter struct {
	TenantID  string
	TenantIDs []string // only runs of these tenants (a merchant's stores)
	BindingID uint64
	Status    domain.RunStatus
	MagentoID int64
	BeforeID  uint64 // only runs with a smaller id (paging)
	Limit     int
}

// RunStats is the health of a set of bindings.
type RunStats struct {
	Pending   int
	Failed24h int
	LastRunAt *time.Time
}

// DayCount is one UTC day of a binding's sync outcomes.
type DayCount struct {
	Day    time.Time // midnight UTC
	Synced int
	Failed int
}

// dbStore adapts *store.DB to Store; a nil DB answers EUnavailable.
type dbStore struct{ db *store.DB }

func (d dbStore) ok() error {
	if d.db == nil {
		return domain.Errorf(domain.EUnavailable, "ledger has no database open; start it with `ledger serve`.")
	}
	return nil
}

func (d dbStore) UserByEmail(email string) (*domain.User, []byte, error) {
	if err := d.ok(); err != nil {
		return nil, nil, err
	}
	return d.db.UserByEmail(email)
}

func (d dbStore) Tenant(id string) (*domain.Tenant, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.Tenant(id)
}

func (d dbStore) ListTenants() ([]*domain.Tenant, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.ListTenants()
}

func (d dbStore) TenantsByOwner(userID uint64) ([]*domain.Tenant, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.TenantsByOwner(userID)
}

func (d dbStore) Binding(id uint64) (*domain.Binding, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.Binding(id)
}

func (d dbStore) ListBindings() ([]*domain.Binding, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.ListBindings()
}

func (d dbStore) BindingsByTenant(tenantID string) ([]*domain.Binding, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.BindingsByTenant(tenantID)
}

func (d dbStore) UpdateBinding(id uint64, fn func(*domain.Binding) error) (*domain.Binding, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.UpdateBinding(id, fn)
}

func (d dbStore) Reference(bindingID uint64) (*domain.ReferenceCache, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.Reference(bindingID)
}

func (d dbStore) Run(id uint64) (*domain.SyncRun, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.Run(id)
}

func (d dbStore) ListRuns(f RunFilter) ([]*domain.SyncRun, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.ListRuns(store.RunFilter(f))
}

func (d dbStore) RunStats(bindingIDs ...uint64) (RunStats, error) {
	if err := d.ok(); err != nil {
		return RunStats{}, err
	}
	st, err := d.db.RunStats(bindingIDs...)
	return RunStats(st), err
}

func (d dbStore) DailyCounts(bindingID uint64, days int) ([]DayCount, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	dc, err := d.db.DailyCounts(bindingID, days)
	out := make([]DayCount, len(dc))
	for i, c := range dc {
		out[i] = DayCount(c)
	}
	return out, err
}

func (d dbStore) SessionUser(id uint64) (*domain.User, uint64, error) {
	if err := d.ok(); err != nil {
		return nil, 0, err
	}
	return d.db.SessionUser(id)
}

func (d dbStore) EndSessions(id uint64) error {
	if err := d.ok(); err != nil {
		return err
	}
	_, err := d.db.EndSessions(id)
	return err
}

// KeyTerm is 0 without a database.
func (d dbStore) KeyTerm() uint32 {
	if d.db == nil {
		return 0
	}
	return d.db.KeyTerm()
}

func (d dbStore) DerivedKeys(purpose string) ([][]byte, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.DerivedKeys(purpose)
}
