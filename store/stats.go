package store

import (
	"bytes"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// Stats summarises bindings' runs for the dashboard tile and health.
type Stats struct {
	Pending   int        // queued + running
	Failed24h int        // failed + dead_lettered that finished in the last 24 h
	LastRunAt *time.Time // creation time of the newest run
}

// DayCount is one UTC day of a binding's finished runs.
type DayCount struct {
	Day    time.Time // UTC midnight
	Synced int       // succeeded
	Failed int       // failed + dead_lettered
}

func failedStatus(s []byte) bool {
	return string(s) == string(domain.RunFailed) || string(s) == string(domain.RunDeadLettered)
}

// statsTx adds bindingID's figures to st.
func statsTx(tx *bolt.Tx, bindingID uint64, now time.Time, st *Stats) {
	prefix := u64(bindingID)
	c := tx.Bucket(bucketRunQueue).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		st.Pending++
	}
	c = tx.Bucket(bucketRunsDone).Cursor()
	for k, v := c.Seek(append(u64(bindingID), timeKey(now.Add(-24*time.Hour))...)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if failedStatus(v) {
			st.Failed24h++
		}
	}
	c = tx.Bucket(bucketRunsByBinding).Cursor()
	k, _ := c.Seek(u64(bindingID + 1))
	var v []byte
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k != nil && bytes.HasPrefix(k, prefix) {
		at := keyTime(v)
		if st.LastRunAt == nil || at.After(*st.LastRunAt) {
			st.LastRunAt = &at
		}
	}
}

// RunStats sums the stats of the given bindings.
func (db *DB) RunStats(bindingIDs ...uint64) (Stats, error) {
	var st Stats
	now := db.utc()
	err := db.view(func(tx *bolt.Tx) error {
		for _, id := range bindingIDs {
			statsTx(tx, id, now, &st)
		}
		return nil
	})
	return st, err
}

// TenantRunStats is RunStats over every binding of a tenant, plus runs
// recorded with no binding (binding 0) for LastRunAt.
func (db *DB) TenantRunStats(tenantID string) (Stats, error) {
	var st Stats
	now := db.utc()
	err := db.view(func(tx *bolt.Tx) error {
		bs, err := tenantBindings(tx, tenantID)
		if err != nil {
			return err
		}
		for _, b := range bs {
			statsTx(tx, b.ID, now, &st)
		}
		prefix := append([]byte(tenantID), 0)
		c := tx.Bucket(bucketRunsByTenant).Cursor()
		k, _ := c.Seek(append(append([]byte(nil), prefix...), u64(^uint64(0))...))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		if k != nil && bytes.HasPrefix(k, prefix) {
			r, err := getRun(tx, btou(k[len(prefix):]))
			if err != nil {
				return err
			}
			if st.LastRunAt == nil || r.CreatedAt.After(*st.LastRunAt) {
				at := r.CreatedAt
				st.LastRunAt = &at
			}
		}
		return nil
	})
	return st, err
}

// DailyCounts returns a binding's synced and failed runs per UTC day for
// the last `days` days including today, oldest first.
func (db *DB) DailyCounts(bindingID uint64, days int) ([]DayCount, error) {
	if days <= 0 || days > 366 {
		return nil, domain.Errorf(domain.EInvalid, "days must be 1 to 366")
	}
	now := db.utc()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, -(days - 1))
	out := make([]DayCount, days)
	for i := range out {
		out[i].Day = first.AddDate(0, 0, i)
	}
	err := db.view(func(tx *bolt.Tx) error {
		prefix := u64(bindingID)
		c := tx.Bucket(bucketRunsDone).Cursor()
		for k, v := c.Seek(append(u64(bindingID), timeKey(first)...)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			at := keyTime(k[8:16])
			i := int(at.Sub(first) / (24 * time.Hour))
			if i < 0 || i >= days {
				continue
			}
			switch {
			case string(v) == string(domain.RunSucceeded):
				out[i].Synced++
			case failedStatus(v):
				out[i].Failed++
			}
		}
		return nil
	})
	return out, err
}
