package store

import (
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// bucketRunsUnmirrored holds exactly the runs Magento has not yet been told
// of: terminal, mirrorable (domain.SyncRun.Mirrorable) and MirroredAt unset.
// The resender reads it every few seconds instead of every run of every
// binding.
//
// The key is the run id alone (big-endian), not binding|run: the resender
// wants every pending run across all bindings in one walk, oldest first,
// and a run's binding never changes, so removing an entry needs only the
// id. The value is the run's FinishedAt (timeKey), so runs finished after
// the caller's cutoff are passed over without decoding them.
var bucketRunsUnmirrored = []byte("runs_unmirrored")

// toMirror reports whether r belongs in the unmirrored index.
func toMirror(r *domain.SyncRun) bool {
	return r != nil && r.Mirrorable() && r.MirroredAt == nil && r.FinishedAt != nil
}

// indexUnmirrored moves r's entry in the unmirrored index from old's state
// (nil when r is new) to r's; putRun calls it for every run it writes.
func indexUnmirrored(tx *bolt.Tx, old, r *domain.SyncRun) error {
	b := tx.Bucket(bucketRunsUnmirrored)
	if toMirror(r) {
		return b.Put(u64(r.ID), timeKey(*r.FinishedAt))
	}
	if toMirror(old) {
		return b.Delete(u64(r.ID))
	}
	return nil
}

// UnmirroredRuns returns up to limit runs (default and most 1000) whose
// outcome Magento has not been told of, finished before finishedBefore,
// with ids above afterID, in id order.
func (db *DB) UnmirroredRuns(finishedBefore time.Time, afterID uint64, limit int) ([]*domain.SyncRun, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	cutoff := btou(timeKey(finishedBefore))
	var out []*domain.SyncRun
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRunsUnmirrored).Cursor()
		k, v := c.Seek(u64(afterID + 1))
		if afterID == ^uint64(0) {
			k = nil
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			if btou(v) >= cutoff {
				continue
			}
			r, err := getRun(tx, btou(k))
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// indexUnmirroredRuns builds the unmirrored index from every stored run
// (migration 0002, for databases written before the index existed).
func indexUnmirroredRuns(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketRunsUnmirrored); err != nil {
		return err
	}
	return tx.Bucket(bucketRuns).ForEach(func(k, _ []byte) error {
		r, err := getRun(tx, btou(k))
		if err != nil {
			return err
		}
		return indexUnmirrored(tx, nil, r)
	})
}
