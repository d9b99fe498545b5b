package cmd

import "github.com/spf13/cobra"

func newReferenceCommand(d *deps) *cobra.Command {
	return newGroupCommand("reference", "Manage a binding's cache of Xero reference data",
		newReferenceRefreshCommand(d),
	)
}
