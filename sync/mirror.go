package sync

import (
	"context"
	"strconv"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
)

// mirrorEntity is the sync-state entity type of an event (§7.3): every
// invoice.* event writes the invoice's row.
func mirrorEntity(event string) string {
	switch event {
	case domain.EventInvoiceCreated, domain.EventInvoicePaid:
		return "invoice"
	case domain.EventCreditmemoCreated:
		return "creditmemo"
	case domain.EventCustomerUpserted:
		return "customer"
	}
	return ""
}

// mirrorable reports whether Magento is told of run's outcome (without
// reading the store, so resendMirrors can sift many runs cheaply).
func mirrorable(run *domain.SyncRun) bool {
	return mirrorEntity(run.Event) != "" && run.BindingID != 0 && run.MagentoID >= 1 && run.Status.Terminal()
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// SyncState is what Magento is told of a terminal run. The provider ids
// always come from the entity's xref, so every callback resends them
// (§12 #10: a synced payment keeps the invoice's synced + InvoiceID; a
// skipped payment shows skipped + payment_method_not_mapped, still with
// the InvoiceID).
func SyncState(db *store.DB, run *domain.SyncRun) (magento.SyncState, bool) {
	if !mirrorable(run) {
		return magento.SyncState{}, false
	}
	entity := mirrorEntity(run.Event)
	s := magento.SyncState{EntityType: entity, MagentoEntityID: run.MagentoID, Provider: domain.ProviderXero}
	if run.FinishedAt != nil {
		s.LastSyncAt = magento.FormatSyncTime(*run.FinishedAt)
	}
	key := strconv.FormatInt(run.MagentoID, 10)
	kind := map[string]string{"invoice": domain.XrefInvoice, "creditmemo": domain.XrefCreditNote, "customer": domain.XrefContact}[entity]
	if x, err := db.Xref(run.BindingID, kind, key); err == nil {
		s.ProviderEntityID, s.ProviderReference = strp(x.XeroID), strp(x.XeroNumber)
	}
	switch run.Status {
	case domain.RunSucceeded:
		s.SyncStatus = "synced"
	case domain.RunSkipped:
		s.SyncStatus, s.SkipReason = "skipped", strp(run.SkipReason)
	default:
		s.SyncStatus, s.ErrorCode = "failed", strp(run.ErrorClass)
		if s.ErrorCode == nil {
			s.ErrorCode = strp(domain.ClassInternal)
		}
	}
	return s, true
}

// mirror tells Magento a finished job's outcome; a failure leaves
// MirroredAt unset and the slow timer sends it again (never re-posting to
// Xero).
func (r *round) mirror(j *job) {
	if !j.done || !j.run.Status.Terminal() {
		return
	}
	r.w.mirrorRun(r.ctx, r.mc, j.run)
	if r.w.cfg.Finished != nil {
		r.w.cfg.Finished(j.run)
	}
}

func (w *Worker) mirrorRun(ctx context.Context, mc *magento.Client, run *domain.SyncRun) {
	s, ok := SyncState(w.cfg.DB, run)
	if !ok {
		return
	}
	err := mc.PostSyncState(ctx, s)
	now := w.cfg.Now().UTC()
	_, uerr := w.cfg.DB.UpdateRun(run.ID, func(r *domain.SyncRun) error {
		if err == nil {
			r.MirroredAt = &now
		}
		r.Timeline = append(r.Timeline, domain.RunStep{At: now, Step: domain.StepMirrored, OK: err == nil, Detail: s.SyncStatus + mirrorDetail(err)})
		return nil
	})
	if err != nil {
		w.log.Warn("sync: mirror to Magento failed; will resend", "run", run.ID, "err", err.Error())
	}
	if uerr != nil {
		w.fail(uerr)
	}
}

func mirrorDetail(err error) string {
	if err == nil {
		return ""
	}
	return ": " + domain.MessageOf(err)
}

// resendMirrors sends the sync state of terminal runs whose mirror failed,
// finished before cutoff: the newest 500 runs of each binding, or all of
// them (at start, after a crash).
func (w *Worker) resendMirrors(ctx context.Context, cutoff time.Time, all bool) {
	bindings, err := w.cfg.DB.ListBindings()
	if err != nil {
		w.fail(err)
		return
	}
	for _, b := range bindings {
		if ctx.Err() != nil {
			return
		}
		var todo []*domain.SyncRun
		for before := uint64(0); ; {
			runs, err := w.cfg.DB.ListRuns(store.RunFilter{BindingID: b.ID, BeforeID: before, Limit: 500})
			if err != nil {
				w.fail(err)
				return
			}
			for _, r := range runs {
				if mirrorable(r) && r.MirroredAt == nil && r.FinishedAt != nil && r.FinishedAt.Before(cutoff) {
					todo = append(todo, r)
				}
			}
			if !all || len(runs) < 500 {
				break
			}
			before = runs[len(runs)-1].ID
		}
		if len(todo) == 0 {
			continue
		}
		t, err := w.cfg.DB.Tenant(b.TenantID)
		if err != nil || t.Revoked() || t.MagentoStatus == domain.MagentoTokenRevoked {
			continue
		}
		mc, err := w.cfg.Magento(ctx, t)
		if err != nil {
			continue
		}
		for _, r := range todo {
			w.mirrorRun(ctx, mc, r)
		}
	}
}

// Requeue puts a failed, dead-lettered or skipped run back in the queue to
// run at once with the binding's current policy, and a new Idempotency-Key
// generation so Xero does not replay the refusal. Magento learns the new
// outcome when it finishes.
func Requeue(db *store.DB, runID uint64, now time.Time) (*domain.SyncRun, error) {
	b := (*domain.Binding)(nil)
	run, err := db.Run(runID)
	if err != nil {
		return nil, err
	}
	if run.BindingID != 0 {
		if b, err = db.Binding(run.BindingID); err != nil {
			return nil, err
		}
	}
	return db.UpdateRun(runID, func(r *domain.SyncRun) error {
		switch {
		case r.BindingID == 0 || !domain.HandledEvent(r.Event):
			return domain.Errorf(domain.EConflict, "sync run %d has nothing to sync (%s); it cannot be retried", r.ID, r.SkipReason)
		case r.Status == domain.RunQueued || r.Status == domain.RunRunning:
			return domain.Errorf(domain.EConflict, "sync run %d is already queued", r.ID)
		case r.Status == domain.RunSucceeded:
			return domain.Errorf(domain.EConflict, "sync run %d already succeeded; there is nothing to retry", r.ID)
		}
		r.Status, r.SkipReason, r.ErrorClass, r.ErrorMessage = domain.RunQueued, "", "", ""
		r.NextAttemptAt, r.FinishedAt, r.MirroredAt = nil, nil, nil
		r.Attempts = 0
		r.Policy = b.Policy
		r.Timeline = append(r.Timeline, domain.RunStep{At: now.UTC(), Step: domain.StepRetry, OK: true, Detail: manualRetry})
		return nil
	})
}

// Retry requeues a run and wakes the worker.
func (w *Worker) Retry(_ context.Context, runID uint64) error {
	run, err := Requeue(w.cfg.DB, runID, w.cfg.Now())
	if err != nil {
		return err
	}
	w.Notify(run.BindingID)
	return nil
}
