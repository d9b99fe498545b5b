package cmd

import "github.com/spf13/cobra"

type bindingPairOptions struct {
	magentoURL string
	code       string
	owner      string
	asJSON     bool
}

// newBindingPairCommand: performs the pairing call to Magento and prints the
// tenant_id and binding id ({"tenant_id":…,"binding_id":…} with --json).
// Not available yet: replace RunE when the magento package can pair.
func newBindingPairCommand(d *deps) *cobra.Command {
	var o bindingPairOptions
	c := &cobra.Command{
		Use:   "pair --magento-url URL --code CODE --owner EMAIL [--json]",
		Short: "Pair a Magento store running the Byte8 modules",
		Args:  noArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return notAvailable(c) },
	}
	c.Flags().StringVar(&o.magentoURL, "magento-url", "", "base URL of the Magento store")
	c.Flags().StringVar(&o.code, "code", "", "pairing code shown in the Magento admin")
	c.Flags().StringVar(&o.owner, "owner", "", "email of the dashboard user who owns the store")
	c.Flags().BoolVar(&o.asJSON, "json", false, `print {"tenant_id":…,"binding_id":…}`)
	return c
}
