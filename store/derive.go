package store

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"

	"ledger/domain"
)

// DerivedKeySize is the length of every key DerivedKeys returns.
const DerivedKeySize = 32

// DerivedKeys returns one purpose key per keyring term, newest (the active
// term) first: HKDF-SHA256 of the term's data key with info
// "ledger/" + purpose. A purpose key follows the keyring: after RotateKey the
// first key is the new term's, and the older terms' keys stay in the list so
// what they protected still opens. Different purposes give unrelated keys.
//
// It waits for a rotation in progress to commit, so it never returns a key
// of a term that is then rolled back. Read KeyTerm before calling it to
// notice a later rotation.
func (db *DB) DerivedKeys(purpose string) ([][]byte, error) {
	if purpose == "" {
		return nil, domain.Errorf(domain.EInvalid, "a derived key needs a purpose")
	}
	db.krMu.RLock()
	kr := db.kr.Load()
	db.krMu.RUnlock()
	out := make([][]byte, 0, len(kr.keys))
	for t := kr.Active; t >= 1; t-- {
		k := kr.keys[t]
		if k == nil {
			continue
		}
		key, err := deriveKey(k.Value, purpose)
		if err != nil {
			return nil, domain.Wrap(domain.EInternal, err, "a key could not be derived from the keyring; see the server log")
		}
		out = append(out, key)
	}
	if len(out) == 0 {
		return nil, domain.Wrap(domain.EInternal, errors.New("keyring has no terms"), "the keyring is empty; restore the database from a backup")
	}
	return out, nil
}

// deriveKey is HKDF-SHA256(dataKey, no salt, info "ledger/"+purpose).
func deriveKey(dataKey []byte, purpose string) ([]byte, error) {
	return hkdf.Key(sha256.New, dataKey, nil, "ledger/"+purpose, DerivedKeySize)
}
