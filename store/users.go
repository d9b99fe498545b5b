package store

import (
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// userRecord is a stored user. The password hash is not here: it is a
// sealed secret at passwordPath(id).
type userRecord struct {
	ID        uint64      `json:"id"`
	Email     string      `json:"email"`
	Role      domain.Role `json:"role"`
	CreatedAt time.Time   `json:"created_at"`
	// SessionEpoch is bumped to end every session of the user (sessions.go).
	SessionEpoch uint64 `json:"session_epoch,omitempty"`
}

func (r *userRecord) domain() *domain.User {
	return &domain.User{ID: r.ID, Email: r.Email, Role: r.Role, CreatedAt: r.CreatedAt}
}

func passwordPath(id uint64) []byte {
	return []byte("user/" + strconv.FormatUint(id, 10) + "/password_hash")
}

// normEmail trims and lowercases an email address.
func normEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser stores a new user; a duplicate email is EConflict.
func (db *DB) CreateUser(email string, role domain.Role, passwordHash []byte) (*domain.User, error) {
	email = normEmail(email)
	if email == "" || len(email) > 320 || !strings.Contains(email, "@") {
		return nil, domain.Errorf(domain.EInvalid, "%q is not an email address; give one like name@example.com", email)
	}
	if !role.Valid() {
		return nil, domain.Errorf(domain.EInvalid, "the role must be admin or merchant")
	}
	if len(passwordHash) == 0 {
		return nil, domain.Errorf(domain.EInvalid, "a user needs a password")
	}
	var rec userRecord
	err := db.sealedUpdate(func(tx *bolt.Tx) error {
		byEmail := tx.Bucket(bucketUsersByEmail)
		if byEmail.Get([]byte(email)) != nil {
			return domain.Errorf(domain.EConflict, "a user with email %s already exists", email)
		}
		users := tx.Bucket(bucketUsers)
		id, err := users.NextSequence()
		if err != nil {
			return err
		}
		rec = userRecord{ID: id, Email: email, Role: role, CreatedAt: db.utc()}
		if err := putJSON(users, u64(id), &rec); err != nil {
			return err
		}
		if err := byEmail.Put([]byte(email), u64(id)); err != nil {
			return err
		}
		return db.putSealed(tx.Bucket(bucketSecrets), bucketSecrets, passwordPath(id), passwordHash)
	})
	if err != nil {
		return nil, err
	}
	return rec.domain(), nil
}

// SetPassword replaces a user's password hash and ends their sessions.
func (db *DB) SetPassword(id uint64, passwordHash []byte) error {
	if len(passwordHash) == 0 {
		return domain.Errorf(domain.EInvalid, "a user needs a password")
	}
	return db.sealedUpdate(func(tx *bolt.Tx) error {
		if _, err := bumpEpoch(tx, id); err != nil {
			return err
		}
		return db.putSealed(tx.Bucket(bucketSecrets), bucketSecrets, passwordPath(id), passwordHash)
	})
}

func errNoUser(id uint64) error {
	return domain.Errorf(domain.ENotFound, "there is no user %d", id)
}

// UserByEmail returns the user and their password hash.
func (db *DB) UserByEmail(email string) (*domain.User, []byte, error) {
	email = normEmail(email)
	var (
		rec  userRecord
		hash []byte
	)
	err := db.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketUsersByEmail).Get([]byte(email))
		if id == nil {
			return domain.Errorf(domain.ENotFound, "there is no user with email %s", email)
		}
		if _, err := getJSON(tx.Bucket(bucketUsers), id, &rec); err != nil {
			return err
		}
		var err error
		hash, err = db.getSealed(tx.Bucket(bucketSecrets), bucketSecrets, passwordPath(rec.ID))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return rec.domain(), hash, nil
}

// User returns one user by id.
func (db *DB) User(id uint64) (*domain.User, error) {
	var rec userRecord
	err := db.view(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucketUsers), u64(id), &rec)
		if err == nil && !ok {
			return errNoUser(id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec.domain(), nil
}

// ListUsers returns every user ordered by id.
func (db *DB) ListUsers() ([]*domain.User, error) {
	var out []*domain.User
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var rec userRecord
			if _, err := getJSON(tx.Bucket(bucketUsers), k, &rec); err != nil {
				return err
			}
			out = append(out, rec.domain())
			return nil
		})
	})
	return out, err
}
