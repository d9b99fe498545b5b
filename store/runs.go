package store

import (
	"bytes"
	"cmp"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// runRecord is a stored sync run. It wraps the domain run with a record
// version so later migrations can tell old shapes apart.
type runRecord struct {
	V int `json:"v"`
	domain.SyncRun
}

const runRecordVersion = 1

// RunFilter narrows ListRuns. Zero fields do not filter. BeforeID pages:
// only runs with a smaller id are returned. Limit defaults to 50, max 1000.
type RunFilter struct {
	TenantID string
	// TenantIDs, when set, keeps only runs of these tenants (a merchant
	// who owns several stores); each tenant's index is walked and the
	// results merged, so a page is full whenever enough runs exist.
	TenantIDs []string
	BindingID uint64
	Status    domain.RunStatus
	MagentoID int64
	BeforeID  uint64
	Limit     int
}

func errNoRun(id uint64) error {
	return domain.Errorf(domain.ENotFound, "there is no sync run %d", id)
}

func getRun(tx *bolt.Tx, id uint64) (*domain.SyncRun, error) {
	var rec runRecord
	ok, err := getJSON(tx.Bucket(bucketRuns), u64(id), &rec)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoRun(id)
	}
	return &rec.SyncRun, nil
}

func pair(a, b uint64) []byte { return append(u64(a), u64(b)...) }

// queueValue is a queue entry: status byte, then NextAttemptAt (0 = now).
func queueValue(r *domain.SyncRun) []byte {
	v := make([]byte, 9)
	if r.Status == domain.RunRunning {
		v[0] = 'r'
	} else {
		v[0] = 'q'
	}
	if r.NextAttemptAt != nil {
		copy(v[1:], timeKey(*r.NextAttemptAt))
	}
	return v
}

func inQueue(r *domain.SyncRun) bool {
	return r.Status == domain.RunQueued || r.Status == domain.RunRunning
}

func doneKey(r *domain.SyncRun) []byte {
	k := make([]byte, 0, 24)
	k = append(k, u64(r.BindingID)...)
	k = append(k, timeKey(*r.FinishedAt)...)
	return append(k, u64(r.ID)...)
}

func inDone(r *domain.SyncRun) bool { return r.Status.Terminal() && r.FinishedAt != nil }

// putRun writes r and keeps every run index consistent with old (nil when
// r is new): by binding, by tenant, the work queue, the finished index and
// the runs still to mirror. Every write of a run goes through here.
func putRun(tx *bolt.Tx, old, r *domain.SyncRun) error {
	if old == nil {
		if err := tx.Bucket(bucketRunsByBinding).Put(pair(r.BindingID, r.ID), timeKey(r.CreatedAt)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketRunsByTenant).Put(join([]byte(r.TenantID), u64(r.ID)), nil); err != nil {
			return err
		}
	}
	queue, done := tx.Bucket(bucketRunQueue), tx.Bucket(bucketRunsDone)
	if old != nil && inQueue(old) && !inQueue(r) {
		if err := queue.Delete(pair(r.BindingID, r.ID)); err != nil {
			return err
		}
	}
	if inQueue(r) {
		if err := queue.Put(pair(r.BindingID, r.ID), queueValue(r)); err != nil {
			return err
		}
	}
	if old != nil && inDone(old) {
		if err := done.Delete(doneKey(old)); err != nil {
			return err
		}
	}
	if inDone(r) {
		if err := done.Put(doneKey(r), []byte(r.Status)); err != nil {
			return err
		}
	}
	if err := indexUnmirrored(tx, old, r); err != nil {
		return err
	}
	if err := noteMirrored(tx, old, r); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bucketRuns), u64(r.ID), runRecord{V: runRecordVersion, SyncRun: *r})
}

// updateRunTx applies fn to the stored run and writes it back.
func updateRunTx(tx *bolt.Tx, id uint64, now time.Time, fn func(*domain.SyncRun) error) (*domain.SyncRun, error) {
	old, err := getRun(tx, id)
	if err != nil {
		return nil, err
	}
	// fn changes a copy; putRun needs old's status and finish time, so the
	// one pointer it reads is cloned too.
	r := *old
	if old.FinishedAt != nil {
		t := *old.FinishedAt
		r.FinishedAt = &t
	}
	if err := fn(&r); err != nil {
		return nil, err
	}
	if err := checkRunChange(old, &r); err != nil {
		return nil, err
	}
	r.UpdatedAt = now
	return &r, putRun(tx, old, &r)
}

func checkRunChange(old, r *domain.SyncRun) error {
	if r.ID != old.ID || r.BindingID != old.BindingID || r.TenantID != old.TenantID {
		return domain.Errorf(domain.EInvalid, "a sync run's id, binding and tenant cannot change")
	}
	if !r.Status.Valid() {
		return domain.Errorf(domain.EInvalid, "%q is not a sync run status", r.Status)
	}
	return nil
}

// Run returns one sync run.
func (db *DB) Run(id uint64) (*domain.SyncRun, error) {
	var r *domain.SyncRun
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		r, err = getRun(tx, id)
		return err
	})
	return r, err
}

// UpdateRun applies fn to a run and stores it, keeping the work queue
// consistent; fn may not change the id, binding or tenant.
func (db *DB) UpdateRun(id uint64, fn func(*domain.SyncRun) error) (*domain.SyncRun, error) {
	var r *domain.SyncRun
	err := db.update(func(tx *bolt.Tx) error {
		var err error
		r, err = updateRunTx(tx, id, db.utc(), fn)
		return err
	})
	return r, err
}

// UpdateRuns applies fn to each of the runs ids in ONE transaction (one
// fsync for the lot) and returns them as stored, in the order given; a
// missing run or an error from fn writes none of them.
func (db *DB) UpdateRuns(ids []uint64, fn func(*domain.SyncRun) error) ([]*domain.SyncRun, error) {
	var out []*domain.SyncRun
	err := db.update(func(tx *bolt.Tx) error {
		out = out[:0]
		now := db.utc()
		for _, id := range ids {
			r, err := updateRunTx(tx, id, now, fn)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListRuns returns runs matching f, newest first.
func (db *DB) ListRuns(f RunFilter) ([]*domain.SyncRun, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 1000 {
		f.Limit = 1000
	}
	var out []*domain.SyncRun
	err := db.view(func(tx *bolt.Tx) error {
		if len(f.TenantIDs) == 0 || f.BindingID != 0 || f.TenantID != "" {
			var err error
			out, err = listRunsTx(tx, f)
			return err
		}
		for _, id := range f.TenantIDs {
			one := f
			one.TenantIDs, one.TenantID = nil, id
			rs, err := listRunsTx(tx, one)
			if err != nil {
				return err
			}
			out = append(out, rs...)
		}
		slices.SortFunc(out, func(a, b *domain.SyncRun) int { return cmp.Compare(b.ID, a.ID) })
		if len(out) > f.Limit {
			out = out[:f.Limit]
		}
		return nil
	})
	return out, err
}

// listRunsTx walks the narrowest index for f backwards (newest first).
func listRunsTx(tx *bolt.Tx, f RunFilter) ([]*domain.SyncRun, error) {
	var (
		out    []*domain.SyncRun
		b      *bolt.Bucket
		prefix []byte
	)
	switch {
	case f.BindingID != 0:
		b, prefix = tx.Bucket(bucketRunsByBinding), u64(f.BindingID)
	case f.TenantID != "":
		b, prefix = tx.Bucket(bucketRunsByTenant), append([]byte(f.TenantID), 0)
	default:
		b = tx.Bucket(bucketRuns)
	}
	start := ^uint64(0)
	if f.BeforeID != 0 {
		start = f.BeforeID
	}
	c := b.Cursor()
	k, _ := c.Seek(append(append([]byte(nil), prefix...), u64(start)...))
	if k == nil {
		k, _ = c.Last()
	}
	for ; k != nil && len(out) < f.Limit; k, _ = c.Prev() {
		if !bytes.HasPrefix(k, prefix) {
			if bytes.Compare(k, prefix) < 0 {
				break
			}
			continue
		}
		id := btou(k[len(prefix):])
		if id >= start {
			continue
		}
		r, err := getRun(tx, id)
		if err != nil {
			return nil, err
		}
		if (f.TenantID != "" && r.TenantID != f.TenantID) ||
			(len(f.TenantIDs) > 0 && !slices.Contains(f.TenantIDs, r.TenantID)) ||
			(f.BindingID != 0 && r.BindingID != f.BindingID) ||
			(f.Status != "" && r.Status != f.Status) ||
			(f.MagentoID != 0 && r.MagentoID != f.MagentoID) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// due reports whether a queue entry is a queued run whose time has come.
func due(v []byte, now time.Time) bool {
	if len(v) < 9 || v[0] != 'q' {
		return false
	}
	at := btou(v[1:])
	return at == 0 || at <= uint64(now.UTC().UnixNano())
}

// DueRuns returns up to limit queued runs of a binding whose NextAttemptAt
// is unset or not after now, oldest first.
func (db *DB) DueRuns(bindingID uint64, now time.Time, limit int) ([]*domain.SyncRun, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []*domain.SyncRun
	err := db.view(func(tx *bolt.Tx) error {
		prefix := u64(bindingID)
		c := tx.Bucket(bucketRunQueue).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Next() {
			if !due(v, now) {
				continue
			}
			r, err := getRun(tx, btou(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// BindingsWithDueRuns returns the ids of bindings that have a due run.
func (db *DB) BindingsWithDueRuns(now time.Time) ([]uint64, error) {
	var out []uint64
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRunQueue).Cursor()
		for k, v := c.First(); k != nil; {
			b := btou(k)
			if due(v, now) {
				out = append(out, b)
				k, v = c.Seek(u64(b + 1))
				if b == ^uint64(0) {
					break
				}
				continue
			}
			k, v = c.Next()
		}
		return nil
	})
	return out, err
}
