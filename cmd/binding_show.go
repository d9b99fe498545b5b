package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
)

func newBindingShowCommand(d *deps) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "show ID [--json]",
		Short: "Show one binding with its sync policy and reference cache age (never a secret)",
		Args:  exactArgs(1, "one binding ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseBindingID(args[0])
			if err != nil {
				return err
			}
			var detail bindingShow
			err = d.withDB(c, readOnly, nil, func(db *store.DB) error {
				var ref *domain.ReferenceCache
				if detail.bindingDetail, ref, err = loadBindingDetail(db, id, d.now()); err != nil {
					return err
				}
				detail.StaleSettings = staleSettings(detail.Policy, ref)
				return nil
			})
			if errors.Is(err, errNoDatabase) || domain.IsKind(err, domain.ENotFound) {
				return domain.Wrap(domain.ENotFound, err, "there is no binding %d; `ledger binding list` shows the bindings", id)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.OutOrStdout(), detail)
			}
			if err := printBindingDetail(c, detail.bindingDetail); err != nil {
				return err
			}
			return printStaleSettings(c.OutOrStdout(), detail.StaleSettings)
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// parseBindingID reads a binding id argument.
func parseBindingID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, domain.Errorf(domain.EInvalid, "%q is not a binding id; `ledger binding list` shows the ids", s)
	}
	return id, nil
}

func printBindingDetail(c *cobra.Command, b *bindingDetail) error {
	w := newTable(c.OutOrStdout())
	age := "never fetched"
	if b.ReferenceCacheAgeSecs != nil {
		age = (time.Duration(*b.ReferenceCacheAgeSecs) * time.Second).String() + " (fetched " + fmtTime(b.ReferenceFetchedAt) + ")"
	}
	for _, kv := range [][2]string{
		{"id", strconv.FormatUint(b.ID, 10)},
		{"tenant", b.TenantID},
		{"magento url", orDash(b.MagentoURL)},
		{"magento status", orDash(b.MagentoStatus)},
		{"provider", b.Provider},
		{"xero org", orDash(b.XeroOrgName)},
		{"xero tenant id", orDash(b.XeroTenantID)},
		{"status", b.Status},
		{"created", fmtTime(&b.CreatedAt)},
		{"connected", fmtTime(b.ConnectedAt)},
		{"last sync", fmtTime(b.LastSyncAt)},
		{"reference cache age", age},
	} {
		fmt.Fprintf(w, "%s:\t%s\n", kv[0], kv[1])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	pol, err := json.MarshalIndent(b.Policy, "  ", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(c.OutOrStdout(), "policy:\n  %s\n", pol)
	return err
}
