package cmd

import "github.com/spf13/cobra"

func newBindingCommand(d *deps) *cobra.Command {
	return newGroupCommand("binding", "Pair Magento stores, connect Xero and inspect bindings",
		newBindingPairCommand(d),
		newBindingConnectXeroCommand(d),
		newBindingListCommand(d),
		newBindingShowCommand(d),
		newBindingSetCommand(d),
		newBindingDisconnectCommand(d),
	)
}
