package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ledger/reconcile"
	"ledger/store"
)

// reconcileTimeout bounds a reconciliation forwarded to a running server.
const reconcileTimeout = 15 * time.Minute

type reconcileOptions struct {
	since  string
	asJSON bool
}

// newReconcileCommand compares synced documents with what Xero holds now.
func newReconcileCommand(d *deps) *cobra.Command {
	var o reconcileOptions
	c := &cobra.Command{
		Use:   "reconcile ID [--since DATE] [--json]",
		Short: "Compare synced documents with what Xero holds now",
		Long: "Compares every invoice and credit note the binding synced (since DATE) with Xero:\n" +
			"Total, AmountDue and Status against Magento's canonical entity, and lists each drift\n" +
			"with what to do. Also lists the tax rates and payment methods of recent orders that\n" +
			"the binding's policy does not map. Only reads; writes nothing to Xero or Magento.",
		Args: exactArgs(1, "one binding ID"),
		RunE: func(c *cobra.Command, args []string) error { return runReconcile(d, c, args[0], o) },
	}
	c.Flags().StringVar(&o.since, "since", "", "only documents synced on or after DATE (YYYY-MM-DD)")
	c.Flags().BoolVar(&o.asJSON, "json", false, "print the report as JSON")
	addXeroFlags(c.Flags(), &d.cfg)
	c.Flags().BoolVar(&d.cfg.MagentoAllowPrivate, "magento-allow-private", false, "allow Magento base URLs on loopback or private addresses (tests, local dev)")
	markConfig(c.Flags(), "magento-allow-private", false)
	return c
}

// parseSince reads --since: a UTC date, or "" for everything.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, usageErrorf("--since %q is not a date — use YYYY-MM-DD", s)
	}
	return t, nil
}

func runReconcile(d *deps, c *cobra.Command, idText string, o reconcileOptions) error {
	id, err := parseBindingID(idText)
	if err != nil {
		return err
	}
	since, err := parseSince(o.since)
	if err != nil {
		return err
	}
	var rep *reconcile.Report
	// Read-write: reading Xero may rotate the binding's refresh token.
	err = d.withDB(c, readWrite, &forward{timeout: reconcileTimeout}, func(db *store.DB) error {
		var rerr error
		rep, rerr = reconcile.Run(c.Context(), d.reconcileDeps(db), id, since)
		return rerr
	})
	if err != nil {
		return bindingNotFound(err, id)
	}
	if o.asJSON {
		return writeJSON(c.OutOrStdout(), rep)
	}
	return printReconcile(c.OutOrStdout(), rep)
}

// reconcileDeps wires reconciliation to the same factories as the worker.
func (d *deps) reconcileDeps(db *store.DB) reconcile.Deps {
	return reconcile.Deps{DB: db, Xero: xeroClients(d.vault(db)), Magento: magentoClients(db, d.allowPrivate()), Now: d.now}
}

// printReconcile writes the text report.
func printReconcile(w io.Writer, r *reconcile.Report) error {
	scope := "everything synced"
	if r.Since != nil {
		scope = "synced since " + r.Since.Format(time.DateOnly)
	}
	fmt.Fprintf(w, "binding %d: %d invoice(s) and %d credit note(s) %s checked with %d Xero call(s)\n",
		r.BindingID, r.Invoices, r.CreditNotes, scope, r.XeroCalls)
	if len(r.Drift) == 0 {
		fmt.Fprintln(w, "no drift: Xero matches Magento")
	} else {
		fmt.Fprintf(w, "\n%d drift(s):\n", len(r.Drift))
		tw := newTable(w)
		fmt.Fprintln(tw, "KIND\tMAGENTO\tXERO\tFIELD\tMAGENTO VALUE\tXERO VALUE\tWHAT TO DO")
		for _, x := range r.Drift {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.Kind, orDash(x.MagentoNumber), orDash(x.XeroNumber), x.Field, x.MagentoValue, x.XeroValue, x.Action)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(w, "\n%d document(s) could not be checked:\n", len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintf(w, "  %s %d: %s\n", p.Kind, p.MagentoID, p.Message)
		}
	}
	cov := r.Coverage
	fmt.Fprintf(w, "\nmapping coverage of %d recent invoice(s):\n", cov.InvoicesSampled)
	if len(cov.TaxRates) == 0 && len(cov.PaymentMethods) == 0 {
		fmt.Fprintln(w, "  every tax rate and payment method seen is mapped")
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "  UNMAPPED\tVALUE\tINVOICES\tEXAMPLES\tMEANWHILE")
	for _, u := range cov.TaxRates {
		then := "uses default_xero_tax_type " + u.Fallback
		if u.Fallback == "" {
			then = "fails — add it to tax_rate_map"
		}
		fmt.Fprintf(tw, "  tax rate\t%s%%\t%d\t%s\t%s\n", u.Rate, u.Invoices, strings.Join(u.Examples, ", "), then)
	}
	for _, u := range cov.PaymentMethods {
		then := "paid into default_bank_account_id"
		if u.Fallback == "" {
			then = "not paid in Xero (payment_method_not_mapped)"
		}
		fmt.Fprintf(tw, "  payment method\t%s\t%d\t%s\t%s\n", u.Method, u.Invoices, strings.Join(u.Examples, ", "), then)
	}
	return tw.Flush()
}
