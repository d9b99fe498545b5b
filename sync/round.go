package sync

import (
	"context"
	"errors"
	"strconv"
	gosync "sync"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	"ledger/xero"
)

// job is one run being worked on in a round.
type job struct {
	run       *domain.SyncRun
	attempted map[string]bool // kinds written before: their outcome may be unknown, look up first
	gen       int             // manual retries: a new Idempotency-Key generation

	inv  *magento.Invoice    // the invoice (invoice.*), or a credit memo's parent invoice
	cm   *magento.CreditMemo // creditmemo.created
	cust *magento.Contact    // customer.upserted
	pay  *magento.Payment    // invoice.paid

	account string // payment routed into this Xero AccountID
	paySkip string // or skipped with this reason
	payErr  error  // Xero's refusal, kept while looking for an earlier payment

	contactKey  string
	contactID   string
	invoiceXref *domain.Xref
	xinv        *xero.Invoice // the Xero invoice as created (AmountDue)
	xrefs       []domain.Xref
	done        bool
	stored      bool // the run's new state is in the database (no longer running there)
}

// round is one pass over a binding's due runs.
type round struct {
	w       *Worker
	ctx     context.Context
	b       *domain.Binding
	t       *domain.Tenant
	ref     *domain.ReferenceCache
	xc      *xero.Client
	mc      *magento.Client
	jobs    []*job
	calls   int
	changed int          // runs whose state changed: the round made progress
	mu      gosync.Mutex // guards changed, limit and storeDown during parallel fetches
	// limit is set when Xero said "no more calls for now" (a 429, a
	// refused consent): the round's remaining writes wait instead of
	// piling onto the limit.
	limit error
	// storeDown is the first fetch error that says the store is down or
	// refuses ledger: the round's remaining fetches fail with it at once
	// instead of each waiting out Magento's timeout.
	storeDown error
}

// blocked fails js with the round's limit error, if there is one, and
// reports whether it did.
func (r *round) blocked(js []*job) bool {
	r.mu.Lock()
	err := r.limit
	r.mu.Unlock()
	if err == nil {
		return false
	}
	r.failAll(js, err)
	return true
}

// entityKey groups the runs that must happen in arrival order.
func entityKey(r *domain.SyncRun) string {
	switch r.Event {
	case domain.EventInvoiceCreated, domain.EventInvoicePaid:
		return "invoice:" + strconv.FormatInt(r.MagentoID, 10)
	case domain.EventCreditmemoCreated:
		return "creditmemo:" + strconv.FormatInt(r.MagentoID, 10)
	}
	return r.Event + ":" + strconv.FormatInt(r.MagentoID, 10)
}

// Round works one batch of a binding's due runs: fetch, decide, contacts,
// invoices, payments, credit notes, customers, finish, mirror. It reports
// whether there were due runs (more may be due now).
func (w *Worker) Round(ctx context.Context, bindingID uint64) (bool, error) {
	db := w.cfg.DB
	now := w.cfg.Now()
	b, err := db.Binding(bindingID)
	if err != nil {
		return false, err
	}
	t, err := db.Tenant(b.TenantID)
	if err != nil {
		return false, err
	}
	if !b.Syncing() || t.Revoked() || t.MagentoStatus == domain.MagentoTokenRevoked {
		w.log.Debug("sync: binding paused", "binding", bindingID, "status", b.Status, "magento", t.MagentoStatus)
		w.pauseFor(bindingID, now)
		return false, nil
	}
	runs, err := db.DueRuns(bindingID, now, w.cfg.RoundSize)
	if err != nil || len(runs) == 0 {
		return false, err
	}
	r := &round{w: w, ctx: ctx, b: b, t: t}
	if r.ref, err = db.Reference(bindingID); err != nil && !domain.IsKind(err, domain.ENotFound) {
		return false, err
	}
	if r.mc, err = w.cfg.Magento(ctx, t); err != nil {
		w.log.Warn("sync: no Magento client; binding paused", "binding", bindingID, "err", err.Error())
		w.pauseFor(bindingID, now)
		return false, nil
	}
	if r.xc, err = w.cfg.Xero(ctx, b); err != nil {
		w.log.Warn("sync: no Xero client; binding paused", "binding", bindingID, "err", err.Error())
		w.pauseFor(bindingID, now)
		return false, nil
	}
	first := map[string]uint64{} // entity → its earliest due run
	for _, run := range runs {
		k := entityKey(run)
		if first[k] != 0 {
			continue // waits for the earlier run of the same entity
		}
		first[k] = run.ID
		r.jobs = append(r.jobs, r.newJob(run))
	}
	if err := r.claim(now); err != nil {
		return false, err
	}
	r.parallel(r.fetch)
	for _, j := range r.open() {
		// A credit memo waits for earlier runs of its invoice (created,
		// paid): it stays queued, untouched, for the next round.
		if j.cm != nil && j.cm.InvoiceID != nil {
			if id := first["invoice:"+strconv.FormatInt(*j.cm.InvoiceID, 10)]; id != 0 && id < j.run.ID {
				j.done = true
			} else if at := r.invoicePending(*j.cm.InvoiceID, j.run.ID); at != nil {
				j.done = true
				r.changed++
				_, err := r.w.cfg.DB.UpdateRun(j.run.ID, func(run *domain.SyncRun) error {
					run.Status, run.NextAttemptAt = domain.RunQueued, at
					return nil
				})
				j.stored = err == nil
			}
		}
	}
	for _, j := range r.open() {
		r.decide(j)
	}
	r.contacts()
	r.invoices()
	r.payments()
	r.creditNotes()
	r.customers()
	for _, j := range r.open() { // nothing may stay half-done
		r.fail(j, errors.New("sync: run left unfinished by the pipeline"))
	}
	r.release()
	r.parallel(r.mirror)
	if r.calls > 0 {
		w.spend(bindingID, r.calls)
	}
	w.pace(bindingID, r.calls)
	return r.changed > 0, nil
}

// invoicePending reports whether an invoice.* run of the invoice that
// arrived before run `before` is still queued (e.g. a payment waiting for
// a retry): a credit memo allocated first would leave it nothing to pay.
// It returns when the credit memo may look again, or nil.
func (r *round) invoicePending(invoiceID int64, before uint64) *time.Time {
	runs, err := r.w.cfg.DB.ListRuns(store.RunFilter{BindingID: r.b.ID, MagentoID: invoiceID, Status: domain.RunQueued, BeforeID: before, Limit: 10})
	if err != nil {
		return nil
	}
	var at *time.Time
	for _, q := range runs {
		if (q.Event == domain.EventInvoiceCreated || q.Event == domain.EventInvoicePaid) && q.NextAttemptAt != nil {
			t := q.NextAttemptAt.Add(time.Second)
			if at == nil || t.After(*at) {
				at = &t
			}
		}
	}
	return at
}

// pauseFor parks a binding until the slow timer or a Notify.
func (w *Worker) pauseFor(id uint64, now time.Time) {
	w.mu.Lock()
	w.notBefore[id] = now.Add(w.cfg.Recheck)
	w.mu.Unlock()
}

func (r *round) newJob(run *domain.SyncRun) *job {
	j := &job{run: run, attempted: map[string]bool{}}
	if as, err := r.w.cfg.DB.Attempts(run.ID); err == nil {
		for _, a := range as {
			j.attempted[a.Kind] = true
		}
	}
	for _, s := range run.Timeline {
		if s.Step == domain.StepRetry && s.Detail == manualRetry {
			j.gen++
		}
	}
	return j
}

func (r *round) open() []*job {
	var out []*job
	for _, j := range r.jobs {
		if !j.done {
			out = append(out, j)
		}
	}
	return out
}

// parallel runs fn for every open job, FetchConcurrency at a time.
func (r *round) parallel(fn func(*job)) {
	sem := make(chan struct{}, r.w.cfg.FetchConcurrency)
	var wg gosync.WaitGroup
	for _, j := range r.jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func(j *job) {
			defer wg.Done()
			defer func() { <-sem }()
			fn(j)
		}(j)
	}
	wg.Wait()
}

// xcall counts Accounting API calls.
func (r *round) xcall(n int) { r.calls += n }

func (r *round) xref(kind, key string) *domain.Xref {
	x, err := r.w.cfg.DB.Xref(r.b.ID, kind, key)
	if err != nil {
		return nil
	}
	return x
}

func (r *round) step(j *job, step string, ok bool, detail string) {
	j.run.Timeline = append(j.run.Timeline, domain.RunStep{At: r.w.cfg.Now().UTC(), Step: step, OK: ok, Detail: detail})
}

// fetch reads the canonical entities of a job (concurrently with others).
// A document already in Xero needs no fetch: the run is a replay.
func (r *round) fetch(j *job) {
	if j.done {
		return
	}
	id := j.run.MagentoID
	idKey := strconv.FormatInt(id, 10)
	var err error
	switch j.run.Event {
	case domain.EventInvoiceCreated:
		if x := r.xref(domain.XrefInvoice, idKey); x != nil {
			j.invoiceXref = x
			j.xrefs = append(j.xrefs, *x)
			r.succeed(j, domain.XrefInvoice, x.XeroID, x.XeroNumber)
			return
		}
		j.inv, err = fetchOne(r, r.mc.Invoice, id)
	case domain.EventInvoicePaid:
		j.invoiceXref = r.xref(domain.XrefInvoice, idKey)
		if j.invoiceXref != nil {
			j.xrefs = append(j.xrefs, *j.invoiceXref)
			if x := r.xref(domain.XrefInvoicePayment, idKey); x != nil && !j.attempted[domain.XrefInvoicePayment] {
				j.xrefs = append(j.xrefs, *x)
				r.succeed(j, domain.XrefInvoicePayment, x.XeroID, j.invoiceXref.XeroNumber)
				return
			}
		} else if j.inv, err = fetchOne(r, r.mc.Invoice, id); err != nil {
			break
		}
		j.pay, err = fetchOne(r, r.mc.Payment, id)
	case domain.EventCreditmemoCreated:
		if x := r.xref(domain.XrefCreditNote, idKey); x != nil && !j.attempted[domain.XrefCreditNote] && !j.attempted["credit_note_allocation"] {
			j.xrefs = append(j.xrefs, *x)
			r.succeed(j, domain.XrefCreditNote, x.XeroID, x.XeroNumber)
			return
		}
		if j.cm, err = fetchOne(r, r.mc.CreditMemo, id); err != nil {
			break
		}
		if j.cm.InvoiceID != nil && *j.cm.InvoiceID > 0 {
			pk := strconv.FormatInt(*j.cm.InvoiceID, 10)
			if j.invoiceXref = r.xref(domain.XrefInvoice, pk); j.invoiceXref == nil {
				j.inv, err = fetchOne(r, r.mc.Invoice, *j.cm.InvoiceID)
			}
		}
	case domain.EventCustomerUpserted:
		if id < 1 {
			err = domain.Errorf(domain.EInvalid, "customer.upserted names customer id %d; guests are synced with their invoices, nothing to do here", id)
			break
		}
		j.cust, err = fetchOne(r, r.mc.Customer, id)
	default:
		r.skip(j, domain.SkipNotHandledEvent)
		return
	}
	if err != nil {
		r.step(j, domain.StepFetched, false, domain.MessageOf(err))
		r.fail(j, err)
		return
	}
	detail := ""
	switch {
	case j.inv != nil && j.run.Event != domain.EventCreditmemoCreated:
		detail = "invoice " + j.inv.IncrementID
		j.run.MagentoNumber = j.inv.IncrementID
	case j.cm != nil:
		detail = "credit memo " + j.cm.IncrementID
		j.run.MagentoNumber = j.cm.IncrementID
	case j.cust != nil:
		detail = "customer " + j.cust.Email
	}
	r.step(j, domain.StepFetched, true, detail)
}

// fetchOne reads one entity from the round's store, unless an earlier
// fetch of the round found the store down; the first such failure is kept
// for the rest (they are retried with it, with backoff, like the first).
func fetchOne[T any](r *round, get func(context.Context, int64) (T, error), id int64) (T, error) {
	r.mu.Lock()
	down := r.storeDown
	r.mu.Unlock()
	if down != nil {
		var zero T
		return zero, down
	}
	v, err := get(r.ctx, id)
	if tenantWide(err) {
		r.mu.Lock()
		if r.storeDown == nil {
			r.storeDown = err
		}
		r.mu.Unlock()
	}
	return v, err
}

// decide applies the run's snapshot policy, then payment routing.
func (r *round) decide(j *job) {
	var inv *magento.Invoice
	if j.run.Event != domain.EventCreditmemoCreated {
		inv = j.inv
	}
	if reason := Decide(j.run.Event, j.run.Envelope, j.run.Policy, inv, j.cm); reason != "" {
		r.skip(j, reason)
		return
	}
	if j.run.Event == domain.EventInvoicePaid {
		j.account, j.paySkip = RoutePayment(j.pay.Method, j.run.Policy)
	}
}
