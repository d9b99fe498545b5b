package cmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
)

type bindingPairOptions struct {
	magentoURL   string
	code         string
	owner        string
	asJSON       bool
	publicURL    string
	allowPrivate bool
}

// pairForwardTimeout is how long a pairing forwarded to the server may take.
const pairForwardTimeout = pairTimeout + 5*time.Second

// newBindingPairCommand performs the pairing call to Magento and prints the
// tenant_id and binding id ({"tenant_id":…,"binding_id":…} with --json).
// Inside a running server (forwarded over the admin socket) the server's
// --public-url and --magento-allow-private apply unless given here.
func newBindingPairCommand(d *deps) *cobra.Command {
	var o bindingPairOptions
	c := &cobra.Command{
		Use:   "pair --magento-url URL --code CODE --owner EMAIL [--json]",
		Short: "Pair a Magento store running the Byte8 modules",
		Long: "pair sends the pairing code to the Magento store's Byte8 Xero module, which then\n" +
			"sends its events to --public-url. Generate the code in the Magento admin under\n" +
			"Stores → Configuration → Byte8 → Xero; it is valid for 30 minutes and works once.\n" +
			"Pairing a store that is already paired rotates its key.",
		Example: "  ledger binding pair --magento-url https://shop.example.com --code 9c1f0e6b2a7d4c3e8f5a1b2c3d4e5f60 \\\n" +
			"    --owner merchant@example.com --public-url https://ledger.example.com",
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return d.bindingPair(c, &o) },
	}
	f := c.Flags()
	f.StringVar(&o.magentoURL, "magento-url", "", "base URL of the Magento store")
	f.StringVar(&o.code, "code", "", "pairing code shown in the Magento admin")
	f.StringVar(&o.owner, "owner", "", "email of the dashboard user who owns the store")
	f.BoolVar(&o.asJSON, "json", false, `print {"tenant_id":…,"binding_id":…}`)
	f.StringVar(&o.publicURL, "public-url", "", "how Magento reaches ledger, sent as ledger_base_url (default: the server's, else http://"+DefaultAddr+")")
	f.BoolVar(&o.allowPrivate, "magento-allow-private", false, "allow a Magento URL on a loopback, private or link-local address")
	markConfig(f, "public-url", false)
	markConfig(f, "magento-allow-private", false)
	return c
}

func (d *deps) bindingPair(c *cobra.Command, o *bindingPairOptions) error {
	var missing []string
	for _, m := range []struct{ flag, v string }{{"--magento-url", o.magentoURL}, {"--code", o.code}, {"--owner", o.owner}} {
		if strings.TrimSpace(m.v) == "" {
			missing = append(missing, m.flag)
		}
	}
	if len(missing) > 0 {
		return usageErrorf("%s required", strings.Join(missing, ", ")+pluralVerb(len(missing)))
	}
	email, err := normaliseEmail(o.owner)
	if err != nil {
		return err
	}
	flags := c.Flags()
	var out pairOutcome
	err = d.withDB(c, readWrite, &forward{timeout: pairForwardTimeout}, func(db *store.DB) error {
		p := &pairer{db: db, publicURL: o.publicURL, allowPrivate: o.allowPrivate, now: d.now, log: d.log}
		if d.app != nil {
			if !flags.Changed("public-url") {
				p.publicURL = d.app.Config.PublicURL
			}
			p.allowPrivate = p.allowPrivate || d.app.Config.MagentoAllowPrivate
		}
		if p.publicURL == "" {
			p.publicURL = "http://" + DefaultAddr
			fmt.Fprintf(c.ErrOrStderr(), "warning: no --public-url given; Magento will send its events to %s\n", p.publicURL)
		}
		p.publicURL = strings.TrimRight(p.publicURL, "/")
		if !strings.HasPrefix(p.publicURL, "http://") && !strings.HasPrefix(p.publicURL, "https://") {
			return usageErrorf("--public-url must start with http:// or https://")
		}
		u, _, err := db.UserByEmail(email)
		if domain.IsKind(err, domain.ENotFound) {
			return domain.Errorf(domain.EInvalid, "there is no user %s; add one first with `ledger user add %s --role merchant`", email, email)
		}
		if err != nil {
			return err
		}
		out, err = p.Pair(c.Context(), o.magentoURL, o.code, u)
		return err
	})
	if err != nil {
		return err
	}
	for _, w := range out.Warnings {
		fmt.Fprintf(c.ErrOrStderr(), "warning: %s\n", w)
	}
	if o.asJSON {
		return writeJSON(c.OutOrStdout(), out)
	}
	_, err = fmt.Fprintf(c.OutOrStdout(), "tenant_id %s\nbinding_id %d\nmagento_connection_status %s\n", out.TenantID, out.BindingID, out.MagentoStatus)
	return err
}

func pluralVerb(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}
