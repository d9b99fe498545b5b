// Package store keeps ledger's state in one bbolt file: users, tenants,
// bindings, sync runs, cross-references and reference caches, with every
// secret sealed by an AES-GCM keyring (see barrier.go). Each exported method
// is one transaction.
package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"ledger/domain"
)

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
type DB struct {
	bolt     *bolt.DB
	path     string
	readOnly bool
	now      func() time.Time
	log      *slog.Logger

	// krMu orders sealing against key rotation: sealing transactions hold
	// it for reading, RotateKey for writing, so a rewrap sees every value.
	krMu   sync.RWMutex
	kr     atomic.Pointer[keyring]
	master []byte // reseals the keyring on rotation; never logged

	acceptMu sync.RWMutex     // guards closing against enqueues
	closing  bool             //
	accepts  chan *acceptCall // group commit queue (nil when read-only)
	stop     chan struct{}
	done     chan struct{}
	closed   atomic.Bool
}

// Open opens (creating if needed) the database at path, runs pending
// migrations, and opens the keyring with masterKey (32 bytes). A master key
// that does not open an existing keyring is refused; a lock held by another
// process past LockTimeout becomes an EUnavailable error that says
// "the database is in use — is `ledger serve` running on this data dir?".
func Open(path string, masterKey []byte, opt Options) (*DB, error) {
	if len(masterKey) != keySize {
		return nil, domain.Errorf(domain.EInvalid, "the master key must be %d bytes (base64 of 32 random bytes); check LEDGER_MASTER_KEY or --master-key-file", keySize)
	}
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, domain.Wrap(domain.ENotFound, err, "there is no ledger database at %s yet; start `ledger serve` once or check --data-dir", path)
		}
	}
	bdb, err := openBolt(path, opt)
	if err != nil {
		return nil, err
	}
	db := &DB{bolt: bdb, path: path, readOnly: opt.ReadOnly, now: opt.Now, log: opt.Logger,
		master: append([]byte(nil), masterKey...)}
	if err := db.init(masterKey); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	if !opt.ReadOnly {
		db.accepts = make(chan *acceptCall, acceptQueue)
		db.stop = make(chan struct{})
		db.done = make(chan struct{})
		go db.committer()
	}
	return db, nil
}

// openBolt opens the bbolt file and turns its failures into one-sentence
// errors. A damaged file can make bbolt panic; that is recovered here.
func openBolt(path string, opt Options) (bdb *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			bdb, err = nil, damaged(path, fmt.Errorf("bbolt panic: %v", r))
		}
	}()
	bdb, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.LockTimeout, ReadOnly: opt.ReadOnly})
	switch {
	case err == nil:
		return bdb, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, domain.Wrap(domain.EUnavailable, err, "the database is in use — is `ledger serve` running on this data dir?")
	case errors.Is(err, fs.ErrPermission):
		return nil, domain.Wrap(domain.EUnavailable, err, "cannot open the database %s: permission denied; make %s writable by this user or choose another --data-dir", path, filepath.Dir(path))
	case errors.Is(err, fs.ErrNotExist):
		return nil, domain.Wrap(domain.EUnavailable, err, "cannot create the database %s: the directory %s does not exist; create it or choose another --data-dir", path, filepath.Dir(path))
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "open" {
		return nil, domain.Wrap(domain.EUnavailable, err, "cannot open the database %s; check that %s is a writable directory", path, filepath.Dir(path))
	}
	return nil, damaged(path, err)
}

func damaged(path string, err error) error {
	return domain.Wrap(domain.EInternal, err, "the database %s is damaged or not a ledger database; restore it from a backup", path)
}

// init checks the schema, runs migrations and opens (or creates) the keyring.
// The keyring is opened before anything is written, so a wrong master key
// leaves the file untouched and never gets a second keyring.
func (db *DB) init(masterKey []byte) error {
	var (
		kr      *keyring
		version uint64
	)
	err := db.view(func(tx *bolt.Tx) error {
		version = schemaVersion(tx)
		if b := tx.Bucket(bucketKeyring); b != nil {
			if sealed := b.Get(keyKeyring); sealed != nil {
				var err error
				if kr, err = openKeyring(masterKey, sealed); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if version > uint64(len(migrations)) {
		return domain.Errorf(domain.EConflict, "the database %s was written by a newer ledger (schema %d); upgrade ledger to open it", db.path, version)
	}
	if db.readOnly {
		if version < uint64(len(migrations)) || kr == nil {
			return domain.Errorf(domain.EConflict, "the database %s uses an older schema; start `ledger serve` once to upgrade it, then retry", db.path)
		}
		db.kr.Store(kr)
		return nil
	}
	err = db.update(func(tx *bolt.Tx) error {
		if err := migrate(tx, db.now().UTC()); err != nil {
			return err
		}
		if kr != nil {
			return nil
		}
		var err error
		kr, err = newKeyring(db.now().UTC())
		if err != nil {
			return err
		}
		sealed, err := sealKeyring(masterKey, kr)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketKeyring).Put(keyKeyring, sealed)
	})
	if err != nil {
		return err
	}
	db.kr.Store(kr)
	return nil
}

// Close stops the group committer and closes the database.
func (db *DB) Close() error {
	if db == nil || !db.closed.CompareAndSwap(false, true) {
		return nil
	}
	if db.stop != nil {
		db.acceptMu.Lock()
		db.closing = true
		db.acceptMu.Unlock()
		close(db.stop)
		<-db.done
	}
	return db.bolt.Close()
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Backup writes a consistent copy of the database to w (bbolt Tx.WriteTo).
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, domain.Wrap(domain.EInternal, err, "the backup could not be written; check the destination and free space")
	}
	return n, nil
}

// Check runs bbolt's consistency check over the whole file.
func (db *DB) Check() error {
	return db.view(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return damaged(db.path, errors.Join(errs...))
		}
		return nil
	})
}

// view runs fn in a read transaction.
func (db *DB) view(fn func(*bolt.Tx) error) error {
	return wrapTx(db.bolt.View(fn))
}

// update runs fn in a write transaction.
func (db *DB) update(fn func(*bolt.Tx) error) error {
	if db.readOnly {
		return errReadOnly
	}
	return wrapTx(db.bolt.Update(fn))
}

var errReadOnly = domain.Errorf(domain.EUnavailable, "the database is open read-only; stop `ledger serve` or run this through it")

// wrapTx leaves domain errors alone and makes anything else an EInternal
// error with a safe sentence.
func wrapTx(err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return domain.Wrap(domain.EUnavailable, err, "the database is closed; ledger is shutting down, try again")
	}
	return domain.Wrap(domain.EInternal, err, "the database could not complete the operation; see the server log")
}

// utc returns the store clock's current time in UTC.
func (db *DB) utc() time.Time { return db.now().UTC() }
