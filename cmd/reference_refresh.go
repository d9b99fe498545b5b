package cmd

import (
	"github.com/spf13/cobra"
)

// newReferenceRefreshCommand rebuilds the binding's reference cache now.
func newReferenceRefreshCommand(d *deps) *cobra.Command {
	return newBindingXeroAction(d, "refresh ID",
		"Rebuild a binding's Xero reference cache now",
		"reference data of binding %d refreshed from Xero",
		(*XeroVault).RefreshReference)
}
