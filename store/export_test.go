package store

import bolt "go.etcd.io/bbolt"

// SealedTerms maps every sealed value ("bucket/key") to its key term.
func (db *DB) SealedTerms() (map[string]uint32, error) {
	out := map[string]uint32{}
	err := db.view(func(tx *bolt.Tx) error {
		for _, name := range sealedBuckets {
			err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				out[string(aad(name, k))] = sealedTerm(v)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
