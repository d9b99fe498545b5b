package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// Bucket names. Ids are fixed-width big-endian uint64 keys so cursors walk
// them in order; composite keys join parts with a 0 byte.
var (
	bucketMeta           = []byte("meta")
	bucketKeyring        = []byte("keyring")
	bucketSecrets        = []byte("secrets")
	bucketUsers          = []byte("users")
	bucketUsersByEmail   = []byte("users_by_email")
	bucketTenants        = []byte("tenants")
	bucketTenantsByURL   = []byte("tenants_by_url")
	bucketTenantsByOwner = []byte("tenants_by_owner")
	bucketBindings       = []byte("bindings")
	bucketBindingsByTen  = []byte("bindings_by_tenant")
	bucketRuns           = []byte("runs")
	bucketRunsByBinding  = []byte("runs_by_binding")
	bucketRunsByTenant   = []byte("runs_by_tenant")
	bucketRunQueue       = []byte("run_queue")
	bucketRunsDone       = []byte("runs_done")
	bucketIdempotency    = []byte("idempotency")
	bucketXrefs          = []byte("xrefs")
	bucketXrefsByXero    = []byte("xrefs_by_xero")
	bucketAttempts       = []byte("attempts")
	bucketOAuthStates    = []byte("oauth_states")
	bucketReference      = []byte("reference")

	keyKeyring       = []byte("keyring")
	keySchemaVersion = []byte("schema_version")
	bucketMigrations = []byte("migrations")
)

// sealedBuckets hold only sealed values; RotateKey rewraps them.
var sealedBuckets = [][]byte{bucketSecrets, bucketOAuthStates}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func btou(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// join builds a composite key: parts separated by a 0 byte.
func join(parts ...[]byte) []byte {
	return bytes.Join(parts, []byte{0})
}

// timeKey is a sortable UTC time key (unix nanoseconds, big-endian).
func timeKey(t time.Time) []byte { return u64(uint64(t.UTC().UnixNano())) }

func keyTime(b []byte) time.Time { return time.Unix(0, int64(btou(b))).UTC() }

// aad is the associated data of a sealed value: bucket + "/" + record key.
func aad(bucket, key []byte) []byte {
	out := make([]byte, 0, len(bucket)+1+len(key))
	out = append(out, bucket...)
	out = append(out, '/')
	return append(out, key...)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return domain.Wrap(domain.EInternal, err, "a record could not be encoded; see the server log")
	}
	return b.Put(key, data)
}

// getJSON decodes the record at key into v; it reports false when absent.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, domain.Wrap(domain.EInternal, err, "a stored record is damaged; restore the database from a backup")
	}
	return true, nil
}

// prefixScan calls fn for every key of b starting with prefix, in order.
func prefixScan(b *bolt.Bucket, prefix []byte, fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}
