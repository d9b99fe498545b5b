package store

import (
	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// Session epochs: every user has a counter that a dashboard session cookie
// carries. Ending a user's sessions (logout, a new password) bumps it, so a
// cookie issued before — including a copy in another browser — no longer
// names a session, although it still decodes.

// SessionUser returns the user and their current session epoch in one read.
func (db *DB) SessionUser(id uint64) (*domain.User, uint64, error) {
	var rec userRecord
	err := db.view(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucketUsers), u64(id), &rec)
		if err == nil && !ok {
			return errNoUser(id)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return rec.domain(), rec.SessionEpoch, nil
}

// EndSessions ends every session of the user: it bumps their session epoch
// and returns the new one.
func (db *DB) EndSessions(id uint64) (uint64, error) {
	var epoch uint64
	err := db.update(func(tx *bolt.Tx) error {
		var err error
		epoch, err = bumpEpoch(tx, id)
		return err
	})
	return epoch, err
}

// bumpEpoch increments the user's session epoch inside tx.
func bumpEpoch(tx *bolt.Tx, id uint64) (uint64, error) {
	users := tx.Bucket(bucketUsers)
	var rec userRecord
	ok, err := getJSON(users, u64(id), &rec)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errNoUser(id)
	}
	rec.SessionEpoch++
	return rec.SessionEpoch, putJSON(users, u64(id), &rec)
}
