// Package store keeps ledger's state in one bbolt file: users, tenants,
// bindings, sync runs, cross-references and reference caches, with every
// secret sealed by an AES-GCM keyring (see barrier.go). Each exported method
// is one transaction.
package store

import (
	"errors"
	"io"
	"log/slog"
	"time"

	"ledger/domain"
)

// errTODO marks skeleton methods the store work fills in.
var errTODO = errors.New("store: not implemented yet")

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for bbolt's file lock (default 1 s).
	LockTimeout time.Duration
	// ReadOnly opens the file without taking the write lock.
	ReadOnly bool
	// Now is the clock (default time.Now); tests pin it.
	Now    func() time.Time
	Logger *slog.Logger
}

// DB is ledger's database.
type DB struct{}

// Open opens (creating if needed) the database at path, runs pending
// migrations, and opens the keyring with masterKey (32 bytes). A master key
// that does not open an existing keyring is refused; a lock held by another
// process past LockTimeout becomes an EUnavailable error that says
// "the database is in use — is `ledger serve` running on this data dir?".
func Open(path string, masterKey []byte, opt Options) (*DB, error) { return nil, errTODO }

// Close closes the database.
func (db *DB) Close() error { return errTODO }

// Backup writes a consistent copy of the database to w (bbolt Tx.WriteTo).
func (db *DB) Backup(w io.Writer) (int64, error) { return 0, errTODO }

// RotateKey adds a new keyring term; with rewrap it re-encrypts every sealed
// value under the new term in the same transaction. It returns the new term
// and how many values were rewrapped.
func (db *DB) RotateKey(rewrap bool) (term uint32, rewrapped int, err error) {
	return 0, 0, errTODO
}

// CreateUser stores a new user; a duplicate email is EConflict.
func (db *DB) CreateUser(email string, role domain.Role, passwordHash []byte) (*domain.User, error) {
	return nil, errTODO
}

// UserByEmail returns the user and their password hash.
func (db *DB) UserByEmail(email string) (*domain.User, []byte, error) { return nil, nil, errTODO }

// User returns one user by id.
func (db *DB) User(id uint64) (*domain.User, error) { return nil, errTODO }

// ListUsers returns every user ordered by id.
func (db *DB) ListUsers() ([]*domain.User, error) { return nil, errTODO }

// Tenant returns one tenant.
func (db *DB) Tenant(id string) (*domain.Tenant, error) { return nil, errTODO }

// ListTenants returns every tenant.
func (db *DB) ListTenants() ([]*domain.Tenant, error) { return nil, errTODO }

// Binding returns one binding.
func (db *DB) Binding(id uint64) (*domain.Binding, error) { return nil, errTODO }

// ListBindings returns every binding ordered by id.
func (db *DB) ListBindings() ([]*domain.Binding, error) { return nil, errTODO }
