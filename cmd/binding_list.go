package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
)

func newBindingListCommand(d *deps) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list [--json]",
		Short: "List bindings: tenant, Magento host, provider, Xero org, status, Magento status, last sync",
		Args:  noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			rows := []bindingRow{}
			err := d.withDB(c, readOnly, nil, func(db *store.DB) error {
				bindings, err := db.ListBindings()
				if err != nil {
					return err
				}
				tenants, err := db.ListTenants()
				if err != nil {
					return err
				}
				byID := make(map[string]*domain.Tenant, len(tenants))
				for _, t := range tenants {
					byID[t.ID] = t
				}
				for _, b := range bindings {
					rows = append(rows, newBindingRow(b, byID[b.TenantID]))
				}
				return nil
			})
			if errors.Is(err, errNoDatabase) {
				err = nil // nothing stored yet: an empty list
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.OutOrStdout(), rows)
			}
			tw := newTable(c.OutOrStdout())
			fmt.Fprintln(tw, "ID\tTENANT\tMAGENTO\tPROVIDER\tXERO ORG\tSTATUS\tMAGENTO STATUS\tLAST SYNC")
			for _, r := range rows {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.TenantID, orDash(r.MagentoHost), r.Provider,
					orDash(r.XeroOrgName), r.Status, orDash(r.MagentoStatus), fmtTime(r.LastSyncAt))
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return c
}
