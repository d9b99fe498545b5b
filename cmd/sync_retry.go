package cmd

import "github.com/spf13/cobra"

// newSyncRetryCommand: re-runs one sync run.
// Not available yet: replace RunE when the worker lands.
func newSyncRetryCommand(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "retry RUN_ID",
		Short: "Re-run one sync run",
		Args:  exactArgs(1, "one RUN_ID"),
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
}
