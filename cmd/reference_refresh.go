package cmd

import "github.com/spf13/cobra"

// newReferenceRefreshCommand: rebuilds the binding's reference cache now.
// Not available yet: replace RunE when the reference cache lands.
func newReferenceRefreshCommand(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "refresh ID",
		Short: "Rebuild a binding's Xero reference cache now",
		Args:  exactArgs(1, "one binding ID"),
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
}
