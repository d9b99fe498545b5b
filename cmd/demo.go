package cmd

import "github.com/spf13/cobra"

// newDemoCommand: ledger with built-in Magento and Xero emulators and a
// stream of sample orders. Not available yet: replace RunE when the
// emulators land.
func newDemoCommand(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Run ledger with built-in Magento and Xero emulators and a stream of sample orders",
		Args:  noArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
}
