package cmd

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"syscall"
	"time"

	"ledger/domain"
	"ledger/store"
)

// lockTimeout bounds the wait for another process's lock on the database.
const lockTimeout = time.Second

// errNoDatabase is a read-only command on a data dir without a database.
var errNoDatabase = domain.Errorf(domain.ENotFound,
	"there is no database in this data directory yet; start `ledger serve` or add a user with `ledger user add` first")

// ensureDataDir creates the data directory (0700) if needed.
func ensureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return domain.Wrap(domain.EInvalid, err, "cannot create the data directory %s; choose a writable --data-dir", dir)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return domain.Wrap(domain.EInvalid, err, "the data directory %s is not a directory; choose another --data-dir", dir)
	}
	return nil
}

// openDatabase opens the database file directly: read-only commands never
// create or change anything; read-write ones create the data directory and
// the master key on first use.
func openDatabase(cfg *Config, getenv func(string) (string, bool), readOnly bool, log *slog.Logger) (*store.DB, error) {
	if !readOnly {
		if err := ensureDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	path := cfg.DBPath()
	dbExists := true
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		dbExists = false
	} else if err != nil {
		return nil, domain.Wrap(domain.EInvalid, err, "cannot read the data directory %s; check its permissions", cfg.DataDir)
	}
	if readOnly && !dbExists {
		return nil, errNoDatabase
	}
	key, err := loadMasterKey(cfg, getenv, dbExists, !readOnly, log)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(path, key, store.Options{LockTimeout: lockTimeout, ReadOnly: readOnly, Logger: log})
	clear(key)
	if err != nil {
		return nil, openError(path, err)
	}
	return db, nil
}

// openError keeps the store's one-sentence errors and covers anything else.
func openError(path string, err error) error {
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	return domain.Wrap(domain.EInternal, err,
		"cannot open the database %s: it is damaged or not a ledger database; restore it from a backup", path)
}
