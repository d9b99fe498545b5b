package store

import (
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// MarkRunning moves the given queued runs to running in ONE transaction: a
// round claims them. A running run stays in the work queue (RunStats counts
// it as pending) but is no longer due, so DueRuns and BindingsWithDueRuns
// never hand it out twice. Runs that are missing or no longer queued are
// left alone; the ids actually marked are returned, in the order given.
func (db *DB) MarkRunning(ids []uint64, now time.Time) ([]uint64, error) {
	var marked []uint64
	err := db.update(func(tx *bolt.Tx) error {
		marked = marked[:0]
		for _, id := range ids {
			old, err := getRun(tx, id)
			if domain.IsKind(err, domain.ENotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if old.Status != domain.RunQueued {
				continue
			}
			r := *old
			r.Status, r.UpdatedAt = domain.RunRunning, now.UTC()
			if err := putRun(tx, old, &r); err != nil {
				return err
			}
			marked = append(marked, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return marked, nil
}

// ReleaseRunning puts the given runs that are still running back to queued
// (due again at their NextAttemptAt) in one transaction, and returns how
// many it released. Runs in any other status are left alone.
func (db *DB) ReleaseRunning(ids []uint64, now time.Time) (int, error) {
	n := 0
	err := db.update(func(tx *bolt.Tx) error {
		n = 0
		for _, id := range ids {
			ok, err := releaseTx(tx, id, now)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	return n, err
}

// ReleaseAllRunning puts every running run back to queued: at start, runs a
// crash left running are worked again (their attempt records make the next
// round look their documents up in Xero before posting). It walks the work
// queue, not the whole run history.
func (db *DB) ReleaseAllRunning(now time.Time) (int, error) {
	n := 0
	err := db.update(func(tx *bolt.Tx) error {
		n = 0
		var ids []uint64
		c := tx.Bucket(bucketRunQueue).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) == 16 && len(v) > 0 && v[0] == 'r' {
				ids = append(ids, btou(k[8:]))
			}
		}
		for _, id := range ids {
			ok, err := releaseTx(tx, id, now)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	return n, err
}

func releaseTx(tx *bolt.Tx, id uint64, now time.Time) (bool, error) {
	old, err := getRun(tx, id)
	if domain.IsKind(err, domain.ENotFound) {
		return false, nil
	}
	if err != nil || old.Status != domain.RunRunning {
		return false, err
	}
	r := *old
	r.Status, r.UpdatedAt = domain.RunQueued, now.UTC()
	return true, putRun(tx, old, &r)
}
