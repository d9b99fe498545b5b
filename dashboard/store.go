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
	User(id uint64) (*domain.User, error)
	Tenant(id string) (*domain.Tenant, error)
	ListTenants() ([]*domain.Tenant, error)
	Binding(id uint64) (*domain.Binding, error)
	ListBindings() ([]*domain.Binding, error)
	UpdateBinding(id uint64, fn func(*domain.Binding) error) (*domain.Binding, error)
	Reference(bindingID uint64) (*domain.ReferenceCache, error)
	Run(id uint64) (*domain.SyncRun, error)
	ListRuns(f RunFilter) ([]*domain.SyncRun, error)
	RunStats(bindingIDs ...uint64) (RunStats, error)
	DailyCounts(bindingID uint64, days int) ([]DayCount, error)
	PutSecret(path string, value []byte) error
	Secret(path string) ([]byte, error)
}

// RunFilter selects sync runs, newest first. Zero fields do not filter.
type RunFilter struct {
	TenantID  string
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

// dbStore adapts *store.DB to Store. Methods the store does not have yet
// answer EUnavailable; they are switched over as the store lands.
type dbStore struct{ db *store.DB }

var errStoreMissing = domain.Errorf(domain.EUnavailable, "This part of the database is not available yet; try again after upgrading ledger.")

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

func (d dbStore) User(id uint64) (*domain.User, error) {
	if err := d.ok(); err != nil {
		return nil, err
	}
	return d.db.User(id)
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

func (d dbStore) UpdateBinding(uint64, func(*domain.Binding) error) (*domain.Binding, error) {
	return nil, errStoreMissing
}
func (d dbStore) Reference(uint64) (*domain.ReferenceCache, error) { return nil, errStoreMissing }
func (d dbStore) Run(uint64) (*domain.SyncRun, error)              { return nil, errStoreMissing }
func (d dbStore) ListRuns(RunFilter) ([]*domain.SyncRun, error)    { return nil, errStoreMissing }
func (d dbStore) RunStats(...uint64) (RunStats, error)             { return RunStats{}, errStoreMissing }
func (d dbStore) DailyCounts(uint64, int) ([]DayCount, error)      { return nil, errStoreMissing }
func (d dbStore) PutSecret(string, []byte) error                   { return errStoreMissing }
func (d dbStore) Secret(string) ([]byte, error)                    { return nil, errStoreMissing }
