package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"ledger/store"
)

func newKeyCommand(d *deps) *cobra.Command {
	return newGroupCommand("key", "Manage the data keys that seal secrets",
		newKeyRotateCommand(d),
	)
}

type keyRotateOptions struct{ rewrap bool }

func newKeyRotateCommand(d *deps) *cobra.Command {
	var o keyRotateOptions
	c := &cobra.Command{
		Use:   "rotate [--rewrap]",
		Short: "Add a new data key; old secrets still open, --rewrap re-encrypts them all",
		Long: "rotate adds a new data key to the keyring; new secrets are sealed with it and\n" +
			"old ones still open. With --rewrap every sealed secret is re-encrypted under\n" +
			"the new key in the same transaction.",
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fwd := &forward{}
			if o.rewrap {
				fwd.timeout = longCommandTimeout
			}
			return d.withDB(c, readWrite, fwd, func(db *store.DB) error {
				term, n, err := db.RotateKey(o.rewrap)
				if err != nil {
					return err
				}
				d.log.Info("data key rotated", "term", term, "rewrapped", n)
				if o.rewrap {
					_, err = fmt.Fprintf(c.OutOrStdout(), "new data key term %d; re-encrypted %d secrets\n", term, n)
				} else {
					_, err = fmt.Fprintf(c.OutOrStdout(), "new data key term %d\n", term)
				}
				return err
			})
		},
	}
	c.Flags().BoolVar(&o.rewrap, "rewrap", false, "re-encrypt every sealed secret under the new key")
	return c
}
