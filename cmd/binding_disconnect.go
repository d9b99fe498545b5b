package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"ledger/store"
)

// xeroCommandTimeout bounds a forwarded command that calls Xero.
const xeroCommandTimeout = 2 * time.Minute

// newBindingDisconnectCommand: the same effect as the dashboard's disconnect.
func newBindingDisconnectCommand(d *deps) *cobra.Command {
	c := &cobra.Command{
		Use:   "disconnect ID",
		Short: "Disconnect a binding, as the dashboard's disconnect does",
		Args:  exactArgs(1, "one binding ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseBindingID(args[0])
			if err != nil {
				return err
			}
			err = d.withDB(c, readWrite, &forward{timeout: xeroCommandTimeout}, func(db *store.DB) error {
				return d.vault(db).Disconnect(c.Context(), id)
			})
			if err != nil {
				return bindingNotFound(err, id)
			}
			_, err = fmt.Fprintf(c.OutOrStdout(), "binding %d disconnected from Xero; its sync history and cross-references are kept\n", id)
			return err
		},
	}
	addXeroFlags(c.Flags(), &d.cfg)
	return c
}
