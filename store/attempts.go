package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// Attempt is evidence that a Xero write was about to be made: recorded
// before the call so a crash leaves an unknown outcome to look up.
type Attempt struct {
	Kind string    `json:"kind"` // what was written (domain.Xref* kind)
	Key  string    `json:"key"`  // the idempotency key / reference sent to Xero
	At   time.Time `json:"at"`
}

// RecordAttempt durably appends an attempt to a run.
func (db *DB) RecordAttempt(runID uint64, a Attempt) error {
	if a.At.IsZero() {
		a.At = db.utc()
	}
	a.At = a.At.UTC()
	return db.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketRuns).Get(u64(runID)) == nil {
			return errNoRun(runID)
		}
		b := tx.Bucket(bucketAttempts)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		return putJSON(b, pair(runID, seq), &a)
	})
}

// Attempts returns a run's attempts in the order they were recorded.
func (db *DB) Attempts(runID uint64) ([]Attempt, error) {
	var out []Attempt
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAttempts)
		return prefixScan(b, u64(runID), func(k, _ []byte) error {
			var a Attempt
			if _, err := getJSON(b, k, &a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
