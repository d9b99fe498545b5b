package cmd

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
)

type syncListOptions struct {
	binding string
	status  string
	asJSON  bool
}

// runRow is one line of `ledger sync list`.
type runRow struct {
	ID            uint64     `json:"id"`
	BindingID     uint64     `json:"binding_id"`
	Event         string     `json:"event"`
	MagentoID     int64      `json:"magento_id"`
	MagentoNumber string     `json:"magento_number"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	ErrorClass    string     `json:"error_class"`
	ErrorMessage  string     `json:"error_message"`
	SkipReason    string     `json:"skip_reason"`
	XeroType      string     `json:"xero_type"`
	XeroID        string     `json:"xero_id"`
	XeroNumber    string     `json:"xero_number"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	FinishedAt    *time.Time `json:"finished_at"`
	MirroredAt    *time.Time `json:"mirrored_at"`
}

func newRunRow(r *domain.SyncRun) runRow {
	return runRow{ID: r.ID, BindingID: r.BindingID, Event: r.Event, MagentoID: r.MagentoID, MagentoNumber: r.MagentoNumber,
		Status: string(r.Status), Attempts: r.Attempts, ErrorClass: r.ErrorClass, ErrorMessage: r.ErrorMessage, SkipReason: r.SkipReason,
		XeroType: r.XeroType, XeroID: r.XeroID, XeroNumber: r.XeroNumber, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		NextAttemptAt: r.NextAttemptAt, FinishedAt: r.FinishedAt, MirroredAt: r.MirroredAt}
}

// newSyncListCommand: sync runs, newest first.
func newSyncListCommand(d *deps) *cobra.Command {
	var o syncListOptions
	c := &cobra.Command{
		Use:   "list [--binding ID] [--status S] [--json]",
		Short: "List sync runs, newest first",
		Args:  noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			f := store.RunFilter{Status: domain.RunStatus(o.status), Limit: 1000}
			if o.binding != "" {
				id, err := parseBindingID(o.binding)
				if err != nil {
					return err
				}
				f.BindingID = id
			}
			if o.status != "" && !f.Status.Valid() {
				return usageErrorf("--status %q is not a run status (queued, running, succeeded, failed, skipped_by_policy, dead_lettered)", o.status)
			}
			rows := []runRow{}
			err := d.withDB(c, readOnly, nil, func(db *store.DB) error {
				if f.BindingID != 0 {
					if _, err := db.Binding(f.BindingID); err != nil {
						return err
					}
				}
				runs, err := db.ListRuns(f)
				for _, r := range runs {
					rows = append(rows, newRunRow(r))
				}
				return err
			})
			if errors.Is(err, errNoDatabase) {
				err = nil
			}
			if err != nil {
				return err
			}
			if o.asJSON {
				return writeJSON(c.OutOrStdout(), rows)
			}
			tw := newTable(c.OutOrStdout())
			fmt.Fprintln(tw, "ID\tBINDING\tEVENT\tMAGENTO\tSTATUS\tATTEMPTS\tXERO\tDETAIL\tCREATED\tFINISHED")
			for _, r := range rows {
				magento := fmt.Sprint(r.MagentoID)
				if r.MagentoNumber != "" {
					magento += " #" + r.MagentoNumber
				}
				xero := orDash(r.XeroNumber)
				if r.XeroID != "" {
					xero = r.XeroType + " " + orDash(r.XeroNumber) + " " + r.XeroID
				}
				detail := r.SkipReason
				if r.ErrorClass != "" {
					detail = r.ErrorClass + ": " + r.ErrorMessage
				}
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", r.ID, r.BindingID, r.Event, magento, r.Status, r.Attempts,
					xero, orDash(detail), fmtTime(&r.CreatedAt), fmtTime(r.FinishedAt))
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&o.binding, "binding", "", "only runs of this binding ID")
	c.Flags().StringVar(&o.status, "status", "", "only runs in this status (queued, running, succeeded, failed, skipped_by_policy, dead_lettered)")
	c.Flags().BoolVar(&o.asJSON, "json", false, "print a JSON array")
	return c
}
