package cmd

import "github.com/spf13/cobra"

// newBindingSetCommand: sets one sync-policy key (VALUE is JSON; a bare word
// is a string), validated like the settings form; errors name the code
// (not_in_reference, invalid_format, out_of_range).
// The work is runBindingSet (sync_binding_set.go).
func newBindingSetCommand(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "set ID KEY VALUE",
		Short: "Set one sync-policy key of a binding (VALUE is JSON; a bare word is a string)",
		Args:  exactArgs(3, "ID KEY VALUE"),
		RunE:  func(c *cobra.Command, args []string) error { return runBindingSet(d, c, args) },
	}
}
