package cmd

import "github.com/spf13/cobra"

type syncBackfillOptions struct {
	invoices    string
	creditmemos string
	dryRun      bool
}

// newSyncBackfillCommand: queues historical Magento entities by id range.
// Not available yet: replace RunE when the worker lands.
func newSyncBackfillCommand(d *deps) *cobra.Command {
	var o syncBackfillOptions
	c := &cobra.Command{
		Use:   "backfill ID --invoices FROM-TO [--creditmemos FROM-TO] [--dry-run]",
		Short: "Queue historical Magento entities by id range",
		Args:  exactArgs(1, "one binding ID"),
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
	c.Flags().StringVar(&o.invoices, "invoices", "", "Magento invoice id range FROM-TO")
	c.Flags().StringVar(&o.creditmemos, "creditmemos", "", "Magento credit memo id range FROM-TO")
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "only show what would be queued")
	return c
}
