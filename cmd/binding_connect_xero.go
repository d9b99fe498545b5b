package cmd

import "github.com/spf13/cobra"

// newBindingConnectXeroCommand: prints one authorize URL; opening it in any
// browser within 10 minutes connects the binding (single use).
// Not available yet: replace RunE when the xero OAuth flow lands.
func newBindingConnectXeroCommand(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "connect-xero ID",
		Short: "Print a single-use URL that connects a binding to a Xero organisation",
		Args:  exactArgs(1, "one binding ID"),
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
}
