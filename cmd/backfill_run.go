package cmd

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	ledgersync "ledger/sync"
)

// backfillJob is one `ledger sync backfill` invocation.
type backfillJob struct {
	db      *store.DB
	magento func(ctx context.Context, t *domain.Tenant) (*magento.Client, error)
	now     func() time.Time
	notify  func(bindingIDs ...uint64) // wakes an in-process worker; may be nil
	// progress is told after each id (done of total); may be nil.
	progress func(done, total int64)

	bindingID   uint64
	invoices    *idRange
	creditmemos *idRange
	dryRun      bool
}

// sampleSize is how many numbers per kind a dry run shows.
const sampleSize = 5

// kindTally counts one entity kind of a backfill.
type kindTally struct {
	Scanned   int64          `json:"scanned"`
	Gaps      int64          `json:"gaps"`      // Magento answered 404
	Cancelled int64          `json:"cancelled"` // invoices Magento never publishes
	Synced    int64          `json:"already_synced"`
	Queued    int64          `json:"queued"`    // events accepted (or, dry run, that would be)
	Duplicate int64          `json:"duplicate"` // keys accepted before (a webhook came too)
	Skipped   map[string]int `json:"skipped_by_policy"`
	Sample    []string       `json:"sample"`
}

func newTally() kindTally { return kindTally{Skipped: map[string]int{}, Sample: []string{}} }

// backfillResult is what a backfill did or, dry run, would do.
type backfillResult struct {
	BindingID   uint64        `json:"binding_id"`
	DryRun      bool          `json:"dry_run"`
	Invoices    kindTally     `json:"invoices"`
	Payments    kindTally     `json:"payments"`
	CreditMemos kindTally     `json:"creditmemos"`
	RunIDs      []uint64      `json:"run_ids,omitempty"`
	Estimate    *xeroEstimate `json:"xero_estimate,omitempty"`
}

// run walks the ranges and queues (or, dry run, judges) every entity found.
func (j *backfillJob) run(ctx context.Context) (*backfillResult, error) {
	b, err := j.db.Binding(j.bindingID)
	if err != nil {
		return nil, err
	}
	t, err := j.db.Tenant(b.TenantID)
	if err != nil {
		return nil, err
	}
	if t.Revoked() {
		return nil, domain.Errorf(domain.EConflict, "the Magento store of binding %d is disconnected — pair it again before a backfill", b.ID)
	}
	mc, err := j.magento(ctx, t)
	if err != nil {
		return nil, err
	}
	res := &backfillResult{BindingID: b.ID, DryRun: j.dryRun, Invoices: newTally(), Payments: newTally(), CreditMemos: newTally()}
	est := newEstimator(b.Policy)
	total := int64(0)
	for _, r := range []*idRange{j.invoices, j.creditmemos} {
		if r != nil {
			total += r.Len()
		}
	}
	done := int64(0)
	step := func() {
		done++
		if j.progress != nil {
			j.progress(done, total)
		}
	}
	if r := j.invoices; r != nil {
		for id := r.From; id <= r.To; id++ {
			if err := ctx.Err(); err != nil {
				return res, stoppedAt(err, "invoices", id, r.To)
			}
			if err := j.invoice(ctx, mc, b, id, res, est); err != nil {
				return res, stoppedAt(err, "invoices", id, r.To)
			}
			step()
		}
	}
	if r := j.creditmemos; r != nil {
		for id := r.From; id <= r.To; id++ {
			if err := ctx.Err(); err != nil {
				return res, stoppedAt(err, "creditmemos", id, r.To)
			}
			if err := j.creditmemo(ctx, mc, b, id, res, est); err != nil {
				return res, stoppedAt(err, "creditmemos", id, r.To)
			}
			step()
		}
	}
	if j.dryRun {
		e := est.estimate()
		res.Estimate = &e
	} else if len(res.RunIDs) > 0 && j.notify != nil {
		j.notify(b.ID)
	}
	return res, nil
}

// stoppedAt says where to resume after a failure.
func stoppedAt(err error, flag string, id, to int64) error {
	return domain.Wrap(domain.KindOf(err), err, "%s Everything before Magento id %d was handled; resume with --%s %d-%d.",
		domain.MessageOf(err), id, flag, id, to)
}

func (j *backfillJob) envelope(id, website, storeID int64, payload any) domain.Envelope {
	p, _ := json.Marshal(payload)
	return domain.Envelope{MagentoEntityID: id, WebsiteID: website, StoreID: storeID,
		OccurredAt: j.now().UTC().Format("2006-01-02T15:04:05Z"), Payload: p}
}

// accept queues one event with Magento's own Idempotency-Key.
func (j *backfillJob) accept(ctx context.Context, t *kindTally, res *backfillResult, tenantID, event string, env domain.Envelope) error {
	r, err := j.db.AcceptEvent(ctx, store.AcceptRequest{TenantID: tenantID, Event: event,
		IdempotencyKey: event + ":" + strconv.FormatInt(env.MagentoEntityID, 10), Envelope: env})
	if err != nil {
		return err
	}
	if r.Duplicate {
		t.Duplicate++
		return nil
	}
	t.Queued++
	res.RunIDs = append(res.RunIDs, r.RunIDs...)
	return nil
}

func sample(t *kindTally, number string) {
	if len(t.Sample) < sampleSize {
		t.Sample = append(t.Sample, number)
	}
}

// synced reports whether the binding already has a Xero document for the entity.
func (j *backfillJob) synced(bindingID uint64, kind string, id int64) (bool, error) {
	_, err := j.db.Xref(bindingID, kind, strconv.FormatInt(id, 10))
	if domain.IsKind(err, domain.ENotFound) {
		return false, nil
	}
	return err == nil, err
}

func (j *backfillJob) invoice(ctx context.Context, mc *magento.Client, b *domain.Binding, id int64, res *backfillResult, est *estimator) error {
	t := &res.Invoices
	t.Scanned++
	inv, err := mc.Invoice(ctx, id)
	if domain.IsKind(err, domain.ENotFound) {
		t.Gaps++
		return nil
	}
	if err != nil {
		return err
	}
	if inv.State == "cancelled" {
		t.Cancelled++ // Magento never publishes cancelled invoices
		return nil
	}
	paid := inv.State == "paid"
	created := j.envelope(id, inv.WebsiteID, inv.StoreID, map[string]any{"increment_id": inv.IncrementID, "paid": paid})
	paidEnv := j.envelope(id, inv.WebsiteID, inv.StoreID, map[string]any{"increment_id": inv.IncrementID})
	if !j.dryRun {
		sample(t, inv.IncrementID)
		if err := j.accept(ctx, t, res, b.TenantID, domain.EventInvoiceCreated, created); err != nil {
			return err
		}
		if paid {
			res.Payments.Scanned++
			sample(&res.Payments, inv.IncrementID)
			return j.accept(ctx, &res.Payments, res, b.TenantID, domain.EventInvoicePaid, paidEnv)
		}
		return nil
	}
	done, err := j.synced(b.ID, domain.XrefInvoice, id)
	if err != nil {
		return err
	}
	if done {
		t.Synced++
	} else if reason := ledgersync.Decide(domain.EventInvoiceCreated, created, b.Policy, inv, nil); reason != "" {
		t.Skipped[reason]++
	} else {
		t.Queued++
		sample(t, inv.IncrementID)
		est.invoice(inv)
	}
	if !paid {
		return nil
	}
	p := &res.Payments
	p.Scanned++
	paidDone, err := j.synced(b.ID, domain.XrefInvoicePayment, id)
	if err != nil {
		return err
	}
	switch {
	case paidDone:
		p.Synced++
	case ledgersync.Decide(domain.EventInvoicePaid, paidEnv, b.Policy, inv, nil) != "":
		p.Skipped[ledgersync.Decide(domain.EventInvoicePaid, paidEnv, b.Policy, inv, nil)]++
	default:
		method := ""
		if inv.PaymentMethod != nil {
			method = *inv.PaymentMethod
		}
		if _, skip := ledgersync.RoutePayment(method, b.Policy); skip != "" {
			p.Skipped[skip]++
			return nil
		}
		p.Queued++
		sample(p, inv.IncrementID)
		est.payment()
	}
	return nil
}

func (j *backfillJob) creditmemo(ctx context.Context, mc *magento.Client, b *domain.Binding, id int64, res *backfillResult, est *estimator) error {
	t := &res.CreditMemos
	t.Scanned++
	cm, err := mc.CreditMemo(ctx, id)
	if domain.IsKind(err, domain.ENotFound) {
		t.Gaps++
		return nil
	}
	if err != nil {
		return err
	}
	env := j.envelope(id, cm.WebsiteID, cm.StoreID, map[string]any{"increment_id": cm.IncrementID})
	if !j.dryRun {
		sample(t, cm.IncrementID)
		return j.accept(ctx, t, res, b.TenantID, domain.EventCreditmemoCreated, env)
	}
	done, err := j.synced(b.ID, domain.XrefCreditNote, id)
	switch {
	case err != nil:
		return err
	case done:
		t.Synced++
	default:
		if reason := ledgersync.Decide(domain.EventCreditmemoCreated, env, b.Policy, nil, cm); reason != "" {
			t.Skipped[reason]++
			return nil
		}
		t.Queued++
		sample(t, cm.IncrementID)
		est.creditNote(cm)
	}
	return nil
}
