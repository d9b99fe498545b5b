package cmd

import "github.com/spf13/cobra"

// newBindingDisconnectCommand: the same effect as the dashboard's disconnect.
// Not available yet: replace RunE when disconnecting lands.
func newBindingDisconnectCommand(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "disconnect ID",
		Short: "Disconnect a binding, as the dashboard's disconnect does",
		Args:  exactArgs(1, "one binding ID"),
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
}
