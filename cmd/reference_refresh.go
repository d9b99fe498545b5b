package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"ledger/store"
)

// newReferenceRefreshCommand rebuilds the binding's reference cache now.
func newReferenceRefreshCommand(d *deps) *cobra.Command {
	c := &cobra.Command{
		Use:   "refresh ID",
		Short: "Rebuild a binding's Xero reference cache now",
		Args:  exactArgs(1, "one binding ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseBindingID(args[0])
			if err != nil {
				return err
			}
			err = d.withDB(c, readWrite, &forward{timeout: xeroCommandTimeout}, func(db *store.DB) error {
				return d.vault(db).RefreshReference(c.Context(), id)
			})
			if err != nil {
				return bindingNotFound(err, id)
			}
			_, err = fmt.Fprintf(c.OutOrStdout(), "reference data of binding %d refreshed from Xero\n", id)
			return err
		},
	}
	addXeroFlags(c.Flags(), &d.cfg)
	return c
}
