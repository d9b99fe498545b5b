package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
)

func newBackupCommand(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent online copy of the database to FILE",
		Long: "backup writes a consistent copy of the database to FILE (replacing it\n" +
			"atomically), also while `ledger serve` runs. The copy opens with the same\n" +
			"master key; keep both, apart.",
		Args: exactArgs(1, "one FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			file, err := filepath.Abs(args[0])
			if err != nil {
				return domain.Wrap(domain.EInvalid, err, "cannot resolve the backup path %s", args[0])
			}
			fwd := &forward{args: []string{"backup", file}, timeout: longCommandTimeout}
			return d.withDB(c, readOnly, fwd, func(db *store.DB) error {
				if same, _ := sameFile(file, d.cfg.DBPath(), d.app); same {
					return domain.Errorf(domain.EInvalid, "the backup file is the database itself; choose another FILE")
				}
				n, err := writeBackup(db, file)
				if err != nil {
					return err
				}
				d.log.Info("backup written", "bytes", n)
				_, err = fmt.Fprintf(c.OutOrStdout(), "wrote %d bytes to %s\n", n, file)
				return err
			})
		},
	}
}

// sameFile reports whether file is the open database.
func sameFile(file, dbPath string, app *App) (bool, error) {
	if app != nil {
		dbPath = app.Config.DBPath()
	}
	a, err := os.Stat(file)
	if err != nil {
		return false, err
	}
	b, err := os.Stat(dbPath)
	if err != nil {
		return false, err
	}
	return os.SameFile(a, b), nil
}

// writeBackup writes the copy to a temporary file next to file, syncs it
// and renames it into place, so FILE is always a whole backup.
func writeBackup(db *store.DB, file string) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp*")
	if err != nil {
		return 0, domain.Wrap(domain.EInvalid, err, "cannot write the backup to %s; check that its directory exists and is writable", file)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	n, err := db.Backup(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if domain.KindOf(err) != domain.EInternal || errors.As(err, new(*domain.Error)) {
			return 0, err
		}
		return 0, domain.Wrap(domain.EInvalid, err, "cannot write the backup to %s; check the free space and permissions", file)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return 0, domain.Wrap(domain.EInvalid, err, "cannot write the backup to %s; check the directory permissions", file)
	}
	return n, nil
}
