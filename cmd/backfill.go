package cmd

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ledger/store"
)

// backfillTimeout bounds a backfill forwarded to a running server.
const backfillTimeout = 6 * time.Hour

type syncBackfillOptions struct {
	invoices    string
	creditmemos string
	dryRun      bool
	asJSON      bool
}

// newSyncBackfillCommand queues historical Magento entities by id range
// through the normal pipeline (same Idempotency-Keys as Magento's webhooks).
func newSyncBackfillCommand(d *deps) *cobra.Command {
	var o syncBackfillOptions
	c := &cobra.Command{
		Use:   "backfill ID --invoices FROM-TO [--creditmemos FROM-TO] [--dry-run]",
		Short: "Queue historical Magento entities by id range",
		Long: "Walks Magento invoice and credit memo ids in the ranges and queues every one found\n" +
			"exactly as Magento's own webhook would (same Idempotency-Key), so nothing is posted twice\n" +
			"if the webhook arrives too. Gaps (ids Magento does not have) are counted and skipped.\n" +
			"--dry-run only reads: it shows what would be posted, the Xero calls it would cost and the\n" +
			"days it needs within --xero-daily-budget.",
		Args: exactArgs(1, "one binding ID"),
		RunE: func(c *cobra.Command, args []string) error { return runBackfill(d, c, args[0], o) },
	}
	c.Flags().StringVar(&o.invoices, "invoices", "", "Magento invoice id range FROM-TO")
	c.Flags().StringVar(&o.creditmemos, "creditmemos", "", "Magento credit memo id range FROM-TO")
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "only show what would be queued")
	c.Flags().BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	addXeroFlags(c.Flags(), &d.cfg)
	c.Flags().BoolVar(&d.cfg.MagentoAllowPrivate, "magento-allow-private", false, "allow Magento base URLs on loopback or private addresses (tests, local dev)")
	markConfig(c.Flags(), "magento-allow-private", false)
	return c
}

func runBackfill(d *deps, c *cobra.Command, idText string, o syncBackfillOptions) error {
	id, err := parseBindingID(idText)
	if err != nil {
		return err
	}
	if o.invoices == "" && o.creditmemos == "" {
		return usageErrorf("%s needs --invoices FROM-TO or --creditmemos FROM-TO", c.CommandPath())
	}
	job := &backfillJob{bindingID: id, dryRun: o.dryRun, now: d.now}
	for _, f := range []struct {
		name, val string
		into      **idRange
	}{{"invoices", o.invoices, &job.invoices}, {"creditmemos", o.creditmemos, &job.creditmemos}} {
		if f.val == "" {
			continue
		}
		r, err := parseRange(f.name, f.val)
		if err != nil {
			return err
		}
		*f.into = &r
	}
	mode := readWrite
	if o.dryRun {
		mode = readOnly
	}
	var res *backfillResult
	err = d.withDB(c, mode, &forward{timeout: backfillTimeout}, func(db *store.DB) error {
		job.db = db
		job.magento = magentoClients(db, d.allowPrivate())
		job.notify = d.workerNotify()
		stderr := c.ErrOrStderr()
		if isTerminal(stderr) {
			job.progress = newProgressBar(stderr, "backfill", d.now).Update
		}
		var rerr error
		res, rerr = job.run(c.Context())
		if res != nil && rerr != nil {
			printBackfill(c.OutOrStdout(), res) // what was done before the failure
		}
		return rerr
	})
	if err != nil {
		return bindingNotFound(err, id)
	}
	if res.Estimate != nil {
		e := res.Estimate.withBudget(d.dailyBudget())
		res.Estimate = &e
	}
	if o.asJSON {
		return writeJSON(c.OutOrStdout(), res)
	}
	printBackfill(c.OutOrStdout(), res)
	return nil
}

// printBackfill writes the plain summary lines.
func printBackfill(w io.Writer, r *backfillResult) {
	verb := "queued"
	if r.DryRun {
		verb = "would post"
		fmt.Fprintf(w, "dry run for binding %d — nothing was queued\n", r.BindingID)
	}
	for _, k := range []struct {
		name string
		t    kindTally
	}{{"invoices", r.Invoices}, {"payments", r.Payments}, {"credit memos", r.CreditMemos}} {
		if k.t.Scanned == 0 {
			continue
		}
		parts := []string{fmt.Sprintf("%d %s", k.t.Queued, verb)}
		if k.t.Duplicate > 0 {
			parts = append(parts, fmt.Sprintf("%d already received", k.t.Duplicate))
		}
		if k.t.Synced > 0 {
			parts = append(parts, fmt.Sprintf("%d already in Xero", k.t.Synced))
		}
		if k.t.Gaps > 0 {
			parts = append(parts, fmt.Sprintf("%d gaps (not in Magento)", k.t.Gaps))
		}
		if k.t.Cancelled > 0 {
			parts = append(parts, fmt.Sprintf("%d cancelled", k.t.Cancelled))
		}
		reasons := make([]string, 0, len(k.t.Skipped))
		for reason := range k.t.Skipped {
			reasons = append(reasons, reason)
		}
		sort.Strings(reasons)
		for _, reason := range reasons {
			parts = append(parts, fmt.Sprintf("%d skipped by policy (%s)", k.t.Skipped[reason], reason))
		}
		fmt.Fprintf(w, "%-13s %d scanned: %s\n", k.name+":", k.t.Scanned, strings.Join(parts, ", "))
		if len(k.t.Sample) > 0 {
			fmt.Fprintf(w, "%-13s e.g. %s\n", "", strings.Join(k.t.Sample, ", "))
		}
	}
	if e := r.Estimate; e != nil {
		fmt.Fprintf(w, "Xero calls:   %d (contacts %d, invoices %d, payments %d, credit notes %d; batches of up to %d)\n",
			e.Total, e.Contacts, e.Invoices, e.Payments, e.CreditNotes, xeroWriteBatch)
		fmt.Fprintf(w, "Xero budget:  %d day(s) at %d calls a day\n", e.Days, e.DailyBudget)
	}
	if !r.DryRun && len(r.RunIDs) > 0 {
		fmt.Fprintf(w, "%d sync run(s) created; follow them with `ledger sync list --binding %d`\n", len(r.RunIDs), r.BindingID)
	}
}
