package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"ledger/store"
)

// xeroCommandTimeout bounds a forwarded command that calls Xero.
const xeroCommandTimeout = 2 * time.Minute

// newBindingXeroAction builds a command that runs one vault action on a
// binding (disconnect, reference refresh) — through the running server's
// vault when one serves this data dir, else over the database — and prints
// done (formatted with the binding id).
func newBindingXeroAction(d *deps, use, short, done string, action func(v *XeroVault, ctx context.Context, id uint64) error) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(1, "one binding ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseBindingID(args[0])
			if err != nil {
				return err
			}
			err = d.withDB(c, readWrite, &forward{timeout: xeroCommandTimeout}, func(db *store.DB) error {
				return action(d.vault(db), c.Context(), id)
			})
			if err != nil {
				return bindingNotFound(err, id)
			}
			_, err = fmt.Fprintf(c.OutOrStdout(), done+"\n", id)
			return err
		},
	}
	addXeroFlags(c.Flags(), &d.cfg)
	return c
}
