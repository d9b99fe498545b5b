package cmd

import "github.com/spf13/cobra"

type syncListOptions struct {
	binding string
	status  string
	asJSON  bool
}

// newSyncListCommand: sync runs, newest first.
// Not available yet: replace RunE when the store lists runs.
func newSyncListCommand(d *deps) *cobra.Command {
	var o syncListOptions
	c := &cobra.Command{
		Use:   "list [--binding ID] [--status S] [--json]",
		Short: "List sync runs, newest first",
		Args:  noArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
	c.Flags().StringVar(&o.binding, "binding", "", "only runs of this binding ID")
	c.Flags().StringVar(&o.status, "status", "", "only runs in this status (queued, running, succeeded, failed, skipped_by_policy, dead_lettered)")
	c.Flags().BoolVar(&o.asJSON, "json", false, "print a JSON array")
	return c
}
