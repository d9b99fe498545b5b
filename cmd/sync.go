package cmd

import "github.com/spf13/cobra"

func newSyncCommand(d *deps) *cobra.Command {
	return newGroupCommand("sync", "Inspect, retry and backfill sync runs",
		newSyncListCommand(d),
		newSyncRetryCommand(d),
		newSyncBackfillCommand(d),
	)
}
