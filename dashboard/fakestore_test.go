package dashboard

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"ledger/domain"
)

// fakeStore is an in-memory Store for handler tests.
type fakeStore struct {
	mu            sync.Mutex
	users         map[uint64]*domain.User
	hashes        map[string][]byte
	tenants       map[string]*domain.Tenant
	bindings      map[uint64]*domain.Binding
	refs          map[uint64]*domain.ReferenceCache
	runs          map[uint64]*domain.SyncRun
	epochs        map[uint64]uint64 // session epochs; absent is 0
	terms         [][]byte          // keyring data keys, term i+1 at i
	lastRunFilter RunFilter
	fullScans     atomic.Int64 // calls of ListTenants and ListBindings
}

func newFakeStore() *fakeStore {
	return &fakeStore{users: map[uint64]*domain.User{}, hashes: map[string][]byte{}, tenants: map[string]*domain.Tenant{},
		bindings: map[uint64]*domain.Binding{}, refs: map[uint64]*domain.ReferenceCache{}, runs: map[uint64]*domain.SyncRun{}, epochs: map[uint64]uint64{}, terms: [][]byte{randomKey()}}
}

func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

var errFakeNotFound = domain.Errorf(domain.ENotFound, "not found")

func (f *fakeStore) UserByEmail(email string) (*domain.User, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Email == email {
			c := *u
			return &c, f.hashes[email], nil
		}
	}
	return nil, nil, errFakeNotFound
}

func (f *fakeStore) Tenant(id string) (*domain.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t, ok := f.tenants[id]; ok {
		c := *t
		return &c, nil
	}
	return nil, errFakeNotFound
}

func (f *fakeStore) ListTenants() ([]*domain.Tenant, error) {
	f.fullScans.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*domain.Tenant
	for _, t := range f.tenants {
		c := *t
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *domain.Tenant) int { return compare(a.ID, b.ID) })
	return out, nil
}

func (f *fakeStore) TenantsByOwner(userID uint64) ([]*domain.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*domain.Tenant
	for _, t := range f.tenants {
		if t.OwnerID == userID {
			c := *t
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *domain.Tenant) int { return compare(a.ID, b.ID) })
	return out, nil
}

func (f *fakeStore) Binding(id uint64) (*domain.Binding, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.bindings[id]; ok {
		c := *b
		return &c, nil
	}
	return nil, errFakeNotFound
}

func (f *fakeStore) ListBindings() ([]*domain.Binding, error) {
	f.fullScans.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*domain.Binding
	for _, b := range f.bindings {
		c := *b
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *domain.Binding) int { return compare(a.ID, b.ID) })
	return out, nil
}

func (f *fakeStore) BindingsByTenant(tenantID string) ([]*domain.Binding, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*domain.Binding
	for _, b := range f.bindings {
		if b.TenantID == tenantID {
			c := *b
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *domain.Binding) int { return compare(a.ID, b.ID) })
	return out, nil
}

func (f *fakeStore) UpdateBinding(id uint64, fn func(*domain.Binding) error) (*domain.Binding, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.bindings[id]
	if !ok {
		return nil, errFakeNotFound
	}
	c := *b
	c.Policy = clonePolicy(b.Policy)
	if err := fn(&c); err != nil {
		return nil, err
	}
	f.bindings[id] = &c
	out := c
	return &out, nil
}

func clonePolicy(p domain.Policy) domain.Policy {
	var q domain.Policy
	for _, k := range domain.PolicyKeys() {
		if err := q.Set(k, p.Get(k), nil); err != nil {
			return p // keys naming Xero objects need a reference; tests compare values only
		}
	}
	return q
}

func (f *fakeStore) Reference(id uint64) (*domain.ReferenceCache, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.refs[id]; ok {
		return r, nil
	}
	return nil, errFakeNotFound
}

func (f *fakeStore) Run(id uint64) (*domain.SyncRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.runs[id]; ok {
		c := *r
		return &c, nil
	}
	return nil, errFakeNotFound
}

func (f *fakeStore) ListRuns(flt RunFilter) ([]*domain.SyncRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastRunFilter = flt
	var out []*domain.SyncRun
	for _, r := range f.runs {
		switch {
		case flt.TenantID != "" && r.TenantID != flt.TenantID,
			len(flt.TenantIDs) > 0 && !slices.Contains(flt.TenantIDs, r.TenantID),
			flt.BindingID != 0 && r.BindingID != flt.BindingID,
			flt.Status != "" && r.Status != flt.Status,
			flt.MagentoID != 0 && r.MagentoID != flt.MagentoID,
			flt.BeforeID != 0 && r.ID >= flt.BeforeID:
			continue
		}
		c := *r
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *domain.SyncRun) int { return compare(b.ID, a.ID) })
	if flt.Limit > 0 && len(out) > flt.Limit {
		out = out[:flt.Limit]
	}
	return out, nil
}

func (f *fakeStore) RunStats(ids ...uint64) (RunStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var st RunStats
	for _, r := range f.runs {
		if !slices.Contains(ids, r.BindingID) {
			continue
		}
		if at := r.CreatedAt; st.LastRunAt == nil || at.After(*st.LastRunAt) {
			st.LastRunAt = &at // the newest run's creation, as store.RunStats
		}
		switch r.Status {
		case domain.RunQueued, domain.RunRunning:
			st.Pending++
		case domain.RunFailed:
			st.Failed24h++
		}
	}
	return st, nil
}

func (f *fakeStore) DailyCounts(id uint64, days int) ([]DayCount, error) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	out := make([]DayCount, days)
	for i := range out {
		out[i] = DayCount{Day: day.AddDate(0, 0, i), Synced: i % 7, Failed: i % 3 / 2}
	}
	return out, nil
}

func (f *fakeStore) SessionUser(id uint64) (*domain.User, uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[id]; ok {
		c := *u
		return &c, f.epochs[id], nil
	}
	return nil, 0, errFakeNotFound
}

func (f *fakeStore) EndSessions(id uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.users[id]; !ok {
		return errFakeNotFound
	}
	f.epochs[id]++
	return nil
}

// rotate adds a keyring term, as store.DB.RotateKey does.
func (f *fakeStore) rotate() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.terms = append(f.terms, randomKey())
}

func (f *fakeStore) KeyTerm() uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return uint32(len(f.terms))
}

// DerivedKeys derives as store.DB.DerivedKeys does, newest term first.
func (f *fakeStore) DerivedKeys(purpose string) ([][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]byte
	for _, k := range slices.Backward(f.terms) {
		d, err := hkdf.Key(sha256.New, k, nil, "ledger/"+purpose, 32)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func compare[T int | uint64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
