package cmd

import (
	"github.com/spf13/cobra"
)

// newBindingDisconnectCommand: the same effect as the dashboard's disconnect.
func newBindingDisconnectCommand(d *deps) *cobra.Command {
	return newBindingXeroAction(d, "disconnect ID",
		"Disconnect a binding, as the dashboard's disconnect does",
		"binding %d disconnected from Xero; its sync history and cross-references are kept",
		(*XeroVault).Disconnect)
}
