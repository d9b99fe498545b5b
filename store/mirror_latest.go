package store

import (
	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// bucketMirrorLatest keeps, for every Magento row ledger reports on
// (binding | sync-state entity | Magento id), the id of the newest run
// whose state Magento took. Magento keeps whichever callback came last, so
// a run older than that one (an invoice.created whose callback failed
// while its invoice.paid's went through) must not be sent after it.
var bucketMirrorLatest = []byte("mirror_latest")

// mirrorRowKey is binding (8 bytes) | Magento id (8 bytes) | entity.
func mirrorRowKey(r *domain.SyncRun) []byte {
	k := make([]byte, 0, 16+len("creditmemo"))
	k = append(k, u64(r.BindingID)...)
	k = append(k, u64(uint64(r.MagentoID))...)
	return append(k, domain.MirrorEntity(r.Event)...)
}

// noteMirrored records r as its row's newest mirrored run when Magento has
// just taken its state (old unmirrored, r mirrored); putRun calls it.
func noteMirrored(tx *bolt.Tx, old, r *domain.SyncRun) error {
	if old == nil || old.MirroredAt != nil || r.MirroredAt == nil || !r.Mirrorable() {
		return nil
	}
	return bumpMirrorLatest(tx, r)
}

func bumpMirrorLatest(tx *bolt.Tx, r *domain.SyncRun) error {
	b, k := tx.Bucket(bucketMirrorLatest), mirrorRowKey(r)
	if v := b.Get(k); v != nil && btou(v) >= r.ID {
		return nil
	}
	return b.Put(k, u64(r.ID))
}

// NewerMirrored returns the id of the newest run of run's Magento row
// whose state Magento took, when it is newer than run; 0 otherwise.
func (db *DB) NewerMirrored(run *domain.SyncRun) (uint64, error) {
	if !run.Mirrorable() {
		return 0, nil
	}
	var newer uint64
	err := db.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMirrorLatest).Get(mirrorRowKey(run)); v != nil && btou(v) > run.ID {
			newer = btou(v)
		}
		return nil
	})
	return newer, err
}

// indexMirrorLatest builds the newest-mirrored-run index from every stored
// run (migration 0003).
func indexMirrorLatest(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketMirrorLatest); err != nil {
		return err
	}
	return tx.Bucket(bucketRuns).ForEach(func(k, _ []byte) error {
		r, err := getRun(tx, btou(k))
		if err != nil {
			return err
		}
		if r.MirroredAt == nil || !r.Mirrorable() {
			return nil
		}
		return bumpMirrorLatest(tx, r)
	})
}
