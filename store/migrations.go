package store

import (
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// migration is one named, append-only schema step. Never edit or reorder a
// released migration; add a new one.
type migration struct {
	name string
	up   func(tx *bolt.Tx) error
}

// migrations run in order at Open; the schema version is how many have run.
var migrations = []migration{
	{"0001_create_buckets", func(tx *bolt.Tx) error {
		for _, name := range [][]byte{
			bucketKeyring, bucketSecrets, bucketUsers, bucketUsersByEmail,
			bucketTenants, bucketTenantsByURL, bucketTenantsByOwner,
			bucketBindings, bucketBindingsByTen,
			bucketRuns, bucketRunsByBinding, bucketRunsByTenant, bucketRunQueue,
			bucketRunsDone, bucketIdempotency,
			bucketXrefs, bucketXrefsByXero, bucketAttempts,
			bucketOAuthStates, bucketReference,
		} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	}},
	{"0002_index_unmirrored_runs", indexUnmirroredRuns},
	{"0003_index_newest_mirrored_run", indexMirrorLatest},
}

// migrationRecord is what meta/migrations keeps for each step that ran.
type migrationRecord struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

func schemaVersion(tx *bolt.Tx) uint64 {
	if m := tx.Bucket(bucketMeta); m != nil {
		return btou(m.Get(keySchemaVersion))
	}
	return 0
}

// migrate runs every pending migration in tx and records each one.
func migrate(tx *bolt.Tx, now time.Time) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	log, err := meta.CreateBucketIfNotExists(bucketMigrations)
	if err != nil {
		return err
	}
	for v := btou(meta.Get(keySchemaVersion)); v < uint64(len(migrations)); v++ {
		m := migrations[v]
		if err := m.up(tx); err != nil {
			return err
		}
		rec, err := json.Marshal(migrationRecord{Name: m.name, At: now})
		if err != nil {
			return err
		}
		if err := log.Put(u64(v+1), rec); err != nil {
			return err
		}
		if err := meta.Put(keySchemaVersion, u64(v+1)); err != nil {
			return err
		}
	}
	return nil
}
