package sync

import (
	"ledger/domain"
)

// finish commits a job's run and its xrefs in one transaction.
func (r *round) finish(j *job) {
	j.done = true
	r.mu.Lock()
	r.changed++
	r.mu.Unlock()
	err := r.w.cfg.DB.FinishRun(j.run, j.xrefs)
	j.stored = err == nil
	if err != nil {
		if j.run.Status == domain.RunSucceeded && domain.IsKind(err, domain.EConflict) {
			// An xref collision: the document cannot be linked; fail the run.
			j.run.Status = domain.RunQueued
			j.xrefs = nil
			j.done = false
			r.fail(j, err)
			return
		}
		r.w.fail(err)
	}
}

func (r *round) succeed(j *job, xeroType, xeroID, xeroNumber string) {
	now := r.w.cfg.Now().UTC()
	run := j.run
	run.Status, run.SkipReason, run.ErrorClass, run.ErrorMessage = domain.RunSucceeded, "", "", ""
	run.XeroType, run.XeroID, run.XeroNumber = xeroType, xeroID, xeroNumber
	run.Attempts++
	run.NextAttemptAt, run.FinishedAt, run.MirroredAt = nil, &now, nil
	r.finish(j)
}

func (r *round) skip(j *job, reason string) {
	now := r.w.cfg.Now().UTC()
	run := j.run
	run.Status, run.SkipReason, run.ErrorClass, run.ErrorMessage = domain.RunSkipped, reason, "", ""
	if j.invoiceXref != nil {
		run.XeroType, run.XeroID, run.XeroNumber = domain.XrefInvoice, j.invoiceXref.XeroID, j.invoiceXref.XeroNumber
	}
	run.Attempts++
	run.NextAttemptAt, run.FinishedAt, run.MirroredAt = nil, &now, nil
	r.step(j, domain.StepSkipped, true, reason)
	r.finish(j)
}

// fail handles a job's error: transient ones are retried with backoff
// (rate limits and pauses without counting an attempt) until maxRetryAge,
// then dead-lettered; the rest fail at once.
func (r *round) fail(j *job, err error) {
	if j.done {
		return
	}
	now := r.w.cfg.Now().UTC()
	f := classify(err, now)
	if f.class == domain.ClassRateLimited || f.pause == "xero" {
		r.mu.Lock()
		r.limit = err
		r.mu.Unlock()
	}
	if r.w.cfg.ObserveXero != nil {
		r.w.cfg.ObserveXero(r.b.ID, err)
	}
	if f.pause != "" {
		r.w.pauseFor(r.b.ID, now)
		if f.pause == "magento" {
			_, _ = r.w.cfg.DB.UpdateTenant(r.t.ID, func(t *domain.Tenant) error {
				t.MagentoStatus = domain.MagentoTokenRevoked
				return nil
			})
		}
	}
	run := j.run
	run.ErrorClass, run.ErrorMessage = f.errorCode(), f.message
	r.w.log.Info("sync: run failed", "run", run.ID, "event", run.Event, "class", f.class, "transient", f.transient, "err", err.Error())
	switch {
	case f.transient && f.free:
		at := f.until
		if !at.After(now) {
			at = now.Add(r.w.cfg.Recheck)
		}
		run.Status, run.NextAttemptAt = domain.RunQueued, &at
		r.step(j, domain.StepRetry, false, f.message)
	case f.transient && now.Sub(run.CreatedAt) < maxRetryAge:
		run.Attempts++
		at := now.Add(nextDelay(run.Attempts, r.w.cfg.Jitter()))
		run.Status, run.NextAttemptAt = domain.RunQueued, &at
		r.step(j, domain.StepRetry, false, f.message)
	default:
		run.Attempts++
		run.Status = domain.RunFailed
		if f.transient {
			run.Status = domain.RunDeadLettered
		}
		run.NextAttemptAt, run.FinishedAt, run.MirroredAt = nil, &now, nil
		if j.invoiceXref != nil && run.XeroID == "" {
			run.XeroType, run.XeroID, run.XeroNumber = domain.XrefInvoice, j.invoiceXref.XeroID, j.invoiceXref.XeroNumber
		}
		r.step(j, domain.StepFailed, false, f.message)
	}
	r.finish(j)
}

// failAll fails every job of a set with the same error.
func (r *round) failAll(js []*job, err error) {
	for _, j := range js {
		r.fail(j, err)
	}
}
