package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	gosync "sync"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
)

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
	if !run.Mirrorable() {
		return magento.SyncState{}, false
	}
	entity := domain.MirrorEntity(run.Event)
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
	if w.mirrorsHeld(run.TenantID) {
		// The store's Magento is failing: the run waits in the index for
		// the resender instead of costing the round a timeout.
		return
	}
	defer w.lockMirror(run.ID)()
	err := mc.PostSyncState(ctx, s)
	w.noteMirror(run.TenantID, err)
	now := w.cfg.Now().UTC()
	_, uerr := w.cfg.DB.UpdateRun(run.ID, func(r *domain.SyncRun) error {
		recordMirror(r, now, s, err)
		return nil
	})
	if err != nil {
		w.log.Warn("sync: mirror to Magento failed; will resend", "run", run.ID, "err", err.Error())
	}
	if uerr != nil {
		w.fail(uerr)
	}
}

// recordMirror notes one sync-state callback on r: MirroredAt when Magento
// took it (the run leaves the store's index of runs to mirror), and a
// timeline step either way. A failure right after a failure replaces that
// step, so a long Magento outage does not grow the run's record.
func recordMirror(r *domain.SyncRun, at time.Time, s magento.SyncState, err error) {
	if err == nil {
		r.MirroredAt = &at
	}
	step := domain.RunStep{At: at, Step: domain.StepMirrored, OK: err == nil, Detail: s.SyncStatus + mirrorDetail(err)}
	if n := len(r.Timeline); err != nil && n > 0 && r.Timeline[n-1].Step == domain.StepMirrored && !r.Timeline[n-1].OK {
		r.Timeline[n-1] = step
		return
	}
	r.Timeline = append(r.Timeline, step)
}

// lockMirror serialises the callbacks of one run and returns its unlock:
// a round posts and records a run's outcome under it, and the resender
// re-reads the run and posts under it, so an outcome read before a retry
// never reaches Magento after the retry's own (Magento keeps whichever
// callback came last). The lock is the run's alone: a callback that hangs
// holds up no other run's.
func (w *Worker) lockMirror(runID uint64) (unlock func()) {
	w.mu.Lock()
	l := w.mirrorLocks[runID]
	if l == nil {
		l = &runLock{}
		w.mirrorLocks[runID] = l
	}
	l.users++
	w.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		w.mu.Lock()
		if l.users--; l.users == 0 {
			delete(w.mirrorLocks, runID)
		}
		w.mu.Unlock()
	}
}

// runLock is one run's mirror lock; users counts who holds or waits for it.
type runLock struct {
	mu    gosync.Mutex
	users int
}

// Mirror holds: after a callback to a store's Magento fails as unreachable
// (network, timeout, 5xx) or refused (401), its callbacks wait — the slow
// timer, doubling with each failure in a row up to maxMirrorHold — so a
// dead store costs one timeout per hold, not one per run.
const maxMirrorHold = 10 * time.Minute

type mirrorHold struct {
	until time.Time
	fails int
}

// tenantWide reports a failure that says nothing about the run itself:
// the store is unreachable, overloaded or refuses ledger (network error,
// timeout, 429, 502, 503, 504, 401), so its other calls would fail alike.
// A refusal of one payload (4xx) or a 500 — Magento's answer to an
// exception, which may be this entity's own — is the run's problem.
func tenantWide(err error) bool {
	switch {
	case err == nil:
		return false
	case domain.IsKind(err, domain.EUnauthorized):
		return true
	case !domain.IsKind(err, domain.EUnavailable):
		return false
	}
	var h *magento.HTTPError
	if !errors.As(err, &h) {
		return true
	}
	switch h.Status {
	case 0, http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// noteMirror records the outcome of a callback to tenant's Magento.
func (w *Worker) noteMirror(tenant string, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !tenantWide(err) {
		if err == nil {
			delete(w.holds, tenant)
		}
		return
	}
	h := w.holds[tenant]
	h.fails++
	d := w.cfg.Recheck << min(h.fails-1, 16)
	if d <= 0 || d > maxMirrorHold {
		d = maxMirrorHold
	}
	h.until = w.cfg.Now().Add(d)
	w.holds[tenant] = h
}

// mirrorsHeld reports whether tenant's callbacks wait for now.
func (w *Worker) mirrorsHeld(tenant string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	h, ok := w.holds[tenant]
	return ok && w.cfg.Now().Before(h.until)
}

func mirrorDetail(err error) string {
	if err == nil {
		return ""
	}
	return ": " + domain.MessageOf(err)
}

// Resending reads the store's index of runs still to mirror a page at a
// time. A slow-timer tick sends at most resendPerBinding callbacks per
// binding, so a Magento that stays down costs each tick the same however
// long its backlog grows.
const (
	resendPage       = 500
	resendPerBinding = 500
)

// resendMirrors sends the sync state of terminal runs whose mirror failed,
// finished before cutoff, oldest first: up to resendPerBinding per binding,
// or all of them (at start, after a crash). It reads only runs still to
// mirror (store.UnmirroredRuns), never a binding's whole history.
func (w *Worker) resendMirrors(ctx context.Context, cutoff time.Time, all bool) {
	clients := map[string]*magento.Client{} // by tenant; nil: not to be called
	sent := map[uint64]int{}                // callbacks per binding this tick
	for after := uint64(0); ctx.Err() == nil; {
		runs, err := w.cfg.DB.UnmirroredRuns(cutoff, after, resendPage)
		if err != nil {
			w.fail(err)
			return
		}
		var tenants []string
		byTenant := map[string][]*domain.SyncRun{}
		for _, r := range runs {
			if !all && sent[r.BindingID] >= resendPerBinding {
				continue
			}
			sent[r.BindingID]++
			if byTenant[r.TenantID] == nil {
				tenants = append(tenants, r.TenantID)
			}
			byTenant[r.TenantID] = append(byTenant[r.TenantID], r)
		}
		for _, id := range tenants {
			mc, ok := clients[id]
			if !ok {
				mc = w.mirrorClient(ctx, id)
				clients[id] = mc
			}
			// A failure on an earlier page holds the store for the
			// rest of the tick too.
			if mc != nil && !w.mirrorsHeld(id) {
				w.resend(ctx, mc, byTenant[id])
			}
		}
		if len(runs) < resendPage {
			return
		}
		after = runs[len(runs)-1].ID
	}
}

// mirrorClient is the Magento client of a tenant that may be told of its
// runs, or nil: a disconnected tenant, or one whose Magento refused
// ledger's token, is not called (its runs wait in the index).
func (w *Worker) mirrorClient(ctx context.Context, tenantID string) *magento.Client {
	if w.mirrorsHeld(tenantID) {
		return nil
	}
	t, err := w.cfg.DB.Tenant(tenantID)
	if err != nil || t.Revoked() || t.MagentoStatus == domain.MagentoTokenRevoked {
		return nil
	}
	mc, err := w.cfg.Magento(ctx, t)
	if err != nil {
		return nil
	}
	return mc
}

// resend posts the sync state of one tenant's runs, then records every
// outcome in one transaction (one fsync, not one per run). A run that
// changed meanwhile (retried, finished again) is left alone: its new
// outcome is mirrored when it finishes.
func (w *Worker) resend(ctx context.Context, mc *magento.Client, runs []*domain.SyncRun) {
	type outcome struct {
		s        magento.SyncState
		err      error
		at       time.Time
		finished time.Time
	}
	done := make(map[uint64]outcome, len(runs))
	ids := make([]uint64, 0, len(runs))
	for _, r := range runs {
		if ctx.Err() != nil {
			break
		}
		s, sent, err := w.resendOne(ctx, mc, r)
		if !sent {
			continue
		}
		done[r.ID] = outcome{s: s, err: err, at: w.cfg.Now().UTC(), finished: *r.FinishedAt}
		ids = append(ids, r.ID)
		if tenantWide(err) {
			break // the store is down: its other runs wait for the hold to end
		}
	}
	if len(ids) == 0 {
		return
	}
	_, err := w.cfg.DB.UpdateRuns(ids, func(r *domain.SyncRun) error {
		o := done[r.ID]
		if r.MirroredAt == nil && r.FinishedAt != nil && r.FinishedAt.Equal(o.finished) {
			recordMirror(r, o.at, o.s, o.err)
		}
		return nil
	})
	if err != nil {
		w.fail(err)
	}
}

// resendOne posts run's sync state unless it changed since the resender
// read it (mirrored by its round, retried, finished again): the run is
// read again under its mirror lock, so a newer outcome already sent is
// never overwritten with this one. sent is false when nothing was sent.
func (w *Worker) resendOne(ctx context.Context, mc *magento.Client, run *domain.SyncRun) (s magento.SyncState, sent bool, err error) {
	defer w.lockMirror(run.ID)()
	cur, err := w.cfg.DB.Run(run.ID)
	if err != nil || cur.MirroredAt != nil || cur.FinishedAt == nil || !cur.FinishedAt.Equal(*run.FinishedAt) {
		return s, false, nil
	}
	if s, sent = SyncState(w.cfg.DB, cur); !sent {
		return s, false, nil
	}
	if newer, nerr := w.cfg.DB.NewerMirrored(cur); nerr == nil && newer != 0 {
		// Magento already has a newer state of this row (the invoice's
		// payment went through while its creation's callback failed):
		// sending this one now would overwrite it.
		now := w.cfg.Now().UTC()
		if _, uerr := w.cfg.DB.UpdateRun(run.ID, func(r *domain.SyncRun) error {
			if r.MirroredAt == nil {
				r.MirroredAt = &now
				r.Timeline = append(r.Timeline, domain.RunStep{At: now, Step: domain.StepMirrored, OK: true,
					Detail: fmt.Sprintf("not sent: run %d already told Magento a newer state", newer)})
			}
			return nil
		}); uerr != nil {
			w.fail(uerr)
		}
		return s, false, nil
	}
	err = mc.PostSyncState(ctx, s)
	w.noteMirror(run.TenantID, err)
	if err != nil {
		w.log.Warn("sync: mirror to Magento failed; will resend", "run", run.ID, "err", err.Error())
	}
	return s, true, err
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
