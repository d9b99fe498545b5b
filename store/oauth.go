package store

import (
	"crypto/sha256"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// OAuthState is a pending "connect Xero" flow. It is sealed: the PKCE
// verifier is a secret, and the state itself is stored only as a hash.
type OAuthState struct {
	BindingID uint64    `json:"binding_id"`
	Verifier  string    `json:"verifier"`
	UserID    uint64    `json:"user_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

func stateKey(state string) []byte {
	h := sha256.Sum256([]byte(state))
	return h[:]
}

// PutOAuthState stores a pending connect flow under its state value.
func (db *DB) PutOAuthState(state string, s OAuthState) error {
	if state == "" || s.BindingID == 0 || s.ExpiresAt.IsZero() {
		return domain.Errorf(domain.EInvalid, "an OAuth state needs a value, a binding and an expiry")
	}
	plain, err := json.Marshal(s)
	if err != nil {
		return domain.Wrap(domain.EInternal, err, "the connect link could not be stored; see the server log")
	}
	return db.sealedUpdate(func(tx *bolt.Tx) error {
		return db.putSealed(tx.Bucket(bucketOAuthStates), bucketOAuthStates, stateKey(state), plain)
	})
}

// TakeOAuthState returns and deletes a pending connect flow (single use).
// An unknown or used state is EInvalid; so is an expired one.
func (db *DB) TakeOAuthState(state string, now time.Time) (OAuthState, error) {
	var s OAuthState
	err := db.update(func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bucketOAuthStates), stateKey(state)
		plain, err := db.getSealed(b, bucketOAuthStates, k)
		if err != nil {
			return err
		}
		if plain == nil {
			return domain.Errorf(domain.EInvalid, "this connect link is not valid or was already used — start again")
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		if err := json.Unmarshal(plain, &s); err != nil {
			return domain.Wrap(domain.EInternal, err, "a stored connect link is damaged — start again")
		}
		return nil
	})
	if err != nil {
		return OAuthState{}, err
	}
	if !now.Before(s.ExpiresAt) {
		return OAuthState{}, domain.Errorf(domain.EInvalid, "this connect link has expired — start again")
	}
	return s, nil
}

// PurgeOAuthStates deletes expired connect flows and reports how many.
func (db *DB) PurgeOAuthStates(now time.Time) (int, error) {
	n := 0
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOAuthStates)
		var dead [][]byte
		err := b.ForEach(func(k, _ []byte) error {
			plain, err := db.getSealed(b, bucketOAuthStates, k)
			var s OAuthState
			if err != nil || json.Unmarshal(plain, &s) != nil || !now.Before(s.ExpiresAt) {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	return n, err
}
