package cmd

import "github.com/spf13/cobra"

type reconcileOptions struct {
	since  string
	asJSON bool
}

// newReconcileCommand: compares synced documents with what Xero holds now.
// Not available yet: replace RunE when reconciliation lands.
func newReconcileCommand(d *deps) *cobra.Command {
	var o reconcileOptions
	c := &cobra.Command{
		Use:   "reconcile ID [--since DATE] [--json]",
		Short: "Compare synced documents with what Xero holds now",
		Args:  exactArgs(1, "one binding ID"),
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
	c.Flags().StringVar(&o.since, "since", "", "only documents synced on or after DATE (YYYY-MM-DD)")
	c.Flags().BoolVar(&o.asJSON, "json", false, "print a JSON array")
	return c
}
