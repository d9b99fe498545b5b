package cmd

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"ledger/domain"
)

// demoMarker marks a data directory as a demo's: `ledger demo` writes it
// when it creates the directory and refuses any directory with a database
// but no marker.
const demoMarker = "DEMO"

// prepareDemoDir makes dir ready for a fresh demo: a new or empty directory
// is created and marked; a marked one has its previous demo database
// removed (the emulators forget everything between runs, so the old
// pairing and tokens would point at nothing). A directory that holds a
// ledger database but no marker belongs to a real ledger and is refused.
func prepareDemoDir(dir string) error {
	marker := filepath.Join(dir, demoMarker)
	db := filepath.Join(dir, dbFileName)
	_, markErr := os.Stat(marker)
	_, dbErr := os.Stat(db)
	switch {
	case markErr == nil:
		if err := os.Remove(db); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return domain.Wrap(domain.EInvalid, err, "cannot reset the demo database in %s; remove that directory and try again", dir)
		}
		return nil
	case dbErr == nil:
		return domain.Errorf(domain.EConflict, "%s holds a real ledger database (no %s marker); ledger demo only uses its own data directory — run it without --data-dir or point --data-dir at a new directory", dir, demoMarker)
	}
	if err := ensureDataDir(dir); err != nil {
		return err
	}
	err := os.WriteFile(marker, []byte("This directory belongs to `ledger demo`; its contents are throwaway.\n"), 0o600)
	if err != nil {
		return domain.Wrap(domain.EInvalid, err, "cannot mark %s as a demo directory; choose a writable --data-dir", dir)
	}
	return nil
}
