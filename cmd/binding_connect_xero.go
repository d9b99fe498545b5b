package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"ledger/dashboard"
	"ledger/domain"
	"ledger/store"
)

// newBindingConnectXeroCommand prints one URL; opening it in any browser
// within 10 minutes connects the binding (single use).
//
// The URL points at ledger (<public-url>/oauth/xero/start?state=…), not at
// Xero: the state is stored (sealed, hashed) in the database whether or not
// a server runs, and the server that receives the click builds Xero's
// authorize URL with its own client id, scopes and a fresh PKCE verifier.
// So the link works in any browser, needs no ledger login (it is the
// capability: 256 random bits, 10 minutes, one use), and follows the
// server's Xero configuration rather than this shell's.
func newBindingConnectXeroCommand(d *deps) *cobra.Command {
	c := &cobra.Command{
		Use:   "connect-xero ID",
		Short: "Print a single-use URL that connects a binding to a Xero organisation",
		Args:  exactArgs(1, "one binding ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseBindingID(args[0])
			if err != nil {
				return err
			}
			var link string
			err = d.withDB(c, readWrite, nil, func(db *store.DB) error {
				b, err := db.Binding(id)
				if err != nil {
					return err
				}
				if b.Status == domain.BindingActive {
					return domain.Errorf(domain.EConflict, "binding %d is already connected to %s; disconnect it first to connect again", id, b.XeroOrgName)
				}
				link, err = dashboard.NewConnectLink(db, d.publicURL(), id, d.now())
				return err
			})
			if err != nil {
				return bindingNotFound(err, id)
			}
			_, err = fmt.Fprintln(c.OutOrStdout(), link)
			return err
		},
	}
	addXeroFlags(c.Flags(), &d.cfg)
	return c
}

// bindingNotFound names the binding in a not-found error.
func bindingNotFound(err error, id uint64) error {
	if domain.IsKind(err, domain.ENotFound) {
		return domain.Wrap(domain.ENotFound, err, "there is no binding %d; `ledger binding list` shows the bindings", id)
	}
	return err
}
