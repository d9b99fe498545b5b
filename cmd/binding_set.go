package cmd

import "github.com/spf13/cobra"

// newBindingSetCommand: sets one sync-policy key (VALUE is JSON; a bare word
// is a string), validated like the settings form; errors name the code
// (not_in_reference, invalid_format, out_of_range).
// Not available yet: replace RunE when policy validation lands.
func newBindingSetCommand(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "set ID KEY VALUE",
		Short: "Set one sync-policy key of a binding (VALUE is JSON; a bare word is a string)",
		Args:  exactArgs(3, "ID KEY VALUE"),
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
}
