package store

import (
	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// errUnseal is what a caller sees when a stored secret does not open.
func errUnseal(err error) error {
	return domain.Wrap(domain.EInternal, err, "a stored secret could not be decrypted; restore the database from a backup")
}

// putSealed seals plaintext and stores it at bucket/key.
func (db *DB) putSealed(b *bolt.Bucket, bucket, key, plaintext []byte) error {
	sealed, err := db.kr.Load().seal(aad(bucket, key), plaintext)
	if err != nil {
		return domain.Wrap(domain.EInternal, err, "a secret could not be sealed; see the server log")
	}
	return b.Put(key, sealed)
}

// getSealed opens the value at bucket/key; nil, nil when absent.
func (db *DB) getSealed(b *bolt.Bucket, bucket, key []byte) ([]byte, error) {
	sealed := b.Get(key)
	if sealed == nil {
		return nil, nil
	}
	pt, err := db.kr.Load().open(aad(bucket, key), sealed)
	if err != nil {
		return nil, errUnseal(err)
	}
	return pt, nil
}

// sealedUpdate is a write transaction that seals values: it holds the
// keyring read lock so a concurrent rewrap cannot miss what it writes.
func (db *DB) sealedUpdate(fn func(*bolt.Tx) error) error {
	db.krMu.RLock()
	defer db.krMu.RUnlock()
	return db.update(fn)
}

func checkPath(path string) error {
	if path == "" || len(path) > 1024 {
		return domain.Errorf(domain.EInvalid, "a secret path must be 1 to 1024 characters")
	}
	return nil
}

// PutSecret seals plaintext and stores it at path (domain.SecretTenantAPIKey…).
func (db *DB) PutSecret(path string, plaintext []byte) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return db.sealedUpdate(func(tx *bolt.Tx) error {
		return db.putSealed(tx.Bucket(bucketSecrets), bucketSecrets, []byte(path), plaintext)
	})
}

// Secret returns the plaintext stored at path; ENotFound when there is none.
func (db *DB) Secret(path string) ([]byte, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	var pt []byte
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		pt, err = db.getSealed(tx.Bucket(bucketSecrets), bucketSecrets, []byte(path))
		if err == nil && pt == nil {
			return domain.Errorf(domain.ENotFound, "no secret is stored at %s", path)
		}
		return err
	})
	return pt, err
}

// DeleteSecret removes the secret at path; deleting nothing is not an error.
func (db *DB) DeleteSecret(path string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return db.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSecrets).Delete([]byte(path))
	})
}

// RotateKey adds a new keyring term; with rewrap it re-encrypts every sealed
// value under the new term in the same transaction. It returns the new term
// and how many values were rewrapped. The master key is not needed: the
// keyring is resealed with the one it was opened by.
func (db *DB) RotateKey(rewrap bool) (term uint32, rewrapped int, err error) {
	return db.rotate(rewrap)
}

// KeyTerm returns the active keyring term.
func (db *DB) KeyTerm() uint32 { return db.kr.Load().Active }

func (db *DB) rotate(rewrap bool) (uint32, int, error) {
	db.krMu.Lock()
	defer db.krMu.Unlock()
	old := db.kr.Load()
	next, err := old.rotate(db.now().UTC())
	if err != nil {
		return 0, 0, domain.Wrap(domain.EInternal, err, "a new data key could not be made; see the server log")
	}
	// next holds every term of old, so readers may use it before the commit
	// lands; without this a reader could see rewrapped values it cannot open.
	// Sealing writers are held off by krMu, so nothing is sealed under the
	// new term unless the commit succeeds.
	db.kr.Store(next)
	n := 0
	err = db.update(func(tx *bolt.Tx) error {
		sealed, err := sealKeyring(db.master, next)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketKeyring).Put(keyKeyring, sealed); err != nil {
			return err
		}
		if !rewrap {
			return nil
		}
		for _, name := range sealedBuckets {
			b := tx.Bucket(name)
			type kv struct{ k, v []byte }
			var redo []kv
			err := b.ForEach(func(k, v []byte) error {
				pt, err := next.open(aad(name, k), v)
				if err != nil {
					return errUnseal(err)
				}
				nv, err := next.seal(aad(name, k), pt)
				if err != nil {
					return err
				}
				redo = append(redo, kv{append([]byte(nil), k...), nv})
				return nil
			})
			if err != nil {
				return err
			}
			for _, r := range redo {
				if err := b.Put(r.k, r.v); err != nil {
					return err
				}
			}
			n += len(redo)
		}
		return nil
	})
	if err != nil {
		db.kr.Store(old)
		return 0, 0, err
	}
	db.log.Info("keyring rotated", "term", next.Active, "rewrapped", n)
	return next.Active, n, nil
}
