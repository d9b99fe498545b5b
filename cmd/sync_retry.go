package cmd

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
	syncw "ledger/sync"
)

// newSyncRetryCommand: re-queues a failed, dead-lettered or skipped run;
// the worker runs it again (with the binding's current policy) and mirrors
// the new outcome to Magento. Inside `ledger serve` the worker is woken at
// once; otherwise the next `ledger serve` picks it up.
func newSyncRetryCommand(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "retry RUN_ID",
		Short: "Re-run one sync run",
		Args:  exactArgs(1, "one RUN_ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return usageErrorf("RUN_ID must be a positive number, not %q", args[0])
			}
			err = d.withDB(c, readWrite, nil, func(db *store.DB) error {
				run, err := db.Run(id)
				if err != nil {
					return err
				}
				return syncw.Retry(c.Context(), run, d.retryHooks(db))
			})
			if err != nil {
				if domain.IsKind(err, domain.ENotFound) {
					return domain.Errorf(domain.ENotFound, "there is no sync run %d; see `ledger sync list`", id)
				}
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "sync run %d queued again\n", id)
			return nil
		},
	}
}

// retryHooks are sync.Retry's hooks for the CLI: inside `ledger serve` the
// server's vault and running worker; otherwise a vault over db and a
// requeue in the database (the next `ledger serve` picks the run up).
func (d *deps) retryHooks(db *store.DB) syncw.RetryHooks {
	h := syncw.RetryHooks{Refresh: d.vault(db).RefreshReference, Log: d.log}
	if d.app != nil {
		h.Requeue = d.app.retryRun
	} else {
		h.Requeue = func(_ context.Context, id uint64) error { _, err := syncw.Requeue(db, id, time.Now()); return err }
	}
	return h
}
