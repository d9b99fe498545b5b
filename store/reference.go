package store

import (
	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// PutReference replaces a binding's cached view of its Xero organisation.
func (db *DB) PutReference(bindingID uint64, rc *domain.ReferenceCache) error {
	if rc == nil {
		return domain.Errorf(domain.EInvalid, "no reference cache given")
	}
	return db.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketBindings).Get(u64(bindingID)) == nil {
			return errNoBinding(bindingID)
		}
		return putJSON(tx.Bucket(bucketReference), u64(bindingID), rc)
	})
}

// Reference returns a binding's reference cache; ENotFound until the first
// refresh.
func (db *DB) Reference(bindingID uint64) (*domain.ReferenceCache, error) {
	var rc domain.ReferenceCache
	err := db.view(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucketReference), u64(bindingID), &rc)
		if err == nil && !ok {
			return domain.Errorf(domain.ENotFound, "binding %d has no reference data yet; refresh it", bindingID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rc, nil
}
