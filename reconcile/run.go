package reconcile

import (
	"context"
	"errors"
	gosync "sync"
	"time"

	"golang.org/x/sync/errgroup"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	"ledger/xero"
)

// Deps is what Run needs; cmd wires the same factories the sync worker uses.
type Deps struct {
	DB *store.DB
	// Xero returns the Accounting API client of a binding's organisation.
	Xero func(ctx context.Context, b *domain.Binding) (*xero.Client, error)
	// Magento returns the canonical client of a tenant.
	Magento func(ctx context.Context, t *domain.Tenant) (*magento.Client, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// RecentRuns is how many of the binding's newest runs the coverage
	// report samples invoices from (default 200).
	RecentRuns int
	// Concurrency bounds parallel Magento reads (default 8).
	Concurrency int
	// MaxRuns bounds the runs read from the store (default 100 000).
	MaxRuns int
}

// Run reconciles every document the binding synced since the given time
// (zero: all) and reports drift and mapping coverage. It only reads.
func Run(ctx context.Context, d Deps, bindingID uint64, since time.Time) (*Report, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.RecentRuns <= 0 {
		d.RecentRuns = 200
	}
	if d.Concurrency <= 0 {
		d.Concurrency = 8
	}
	if d.MaxRuns <= 0 {
		d.MaxRuns = 100_000
	}
	b, err := d.DB.Binding(bindingID)
	if err != nil {
		return nil, err
	}
	t, err := d.DB.Tenant(b.TenantID)
	if err != nil {
		return nil, err
	}
	rep := &Report{BindingID: b.ID, GeneratedAt: d.Now().UTC(), Drift: []Drift{}, Problems: []Problem{}}
	if !since.IsZero() {
		s := since.UTC()
		rep.Since = &s
	}
	sc, err := scan(d, b.ID, since)
	if err != nil {
		return nil, err
	}
	f := &fetcher{problems: &rep.Problems}
	if len(sc.invoiceIDs())+len(sc.memos)+len(sc.recent) > 0 {
		mc, err := d.Magento(ctx, t)
		if err != nil {
			return nil, err
		}
		if err := f.fetch(ctx, mc, d.Concurrency, sc); err != nil {
			return nil, err
		}
	}
	if err := compareAll(ctx, d, b, sc, f, rep); err != nil {
		return nil, err
	}
	rep.Coverage = coverage(sc.recent, f.invoices, b.Policy)
	return rep, nil
}

// synced is one synced document found in the runs.
type synced struct {
	runID              uint64
	xeroID, xeroNumber string
	status             string // posting policy's invoice status
}

// scanned is what the binding's runs say.
type scanned struct {
	invoices map[int64]synced // invoice id → invoice.created run (in scope)
	order    []int64
	pay      map[int64]*domain.SyncRun // newest invoice.paid run per invoice
	memos    map[int64]synced
	memoOrd  []int64
	recent   []int64 // invoice ids of the newest runs, for coverage
}

func (s *scanned) invoiceIDs() []int64 { return s.order }

func inScope(r *domain.SyncRun, since time.Time) bool {
	at := r.CreatedAt
	if r.FinishedAt != nil {
		at = *r.FinishedAt
	}
	return since.IsZero() || !at.Before(since)
}

// scan walks the binding's runs newest first.
func scan(d Deps, bindingID uint64, since time.Time) (*scanned, error) {
	sc := &scanned{invoices: map[int64]synced{}, pay: map[int64]*domain.SyncRun{}, memos: map[int64]synced{}}
	seenRecent := map[int64]bool{}
	// Invoices touched by an in-scope payment are checked too.
	paidInScope := map[int64]bool{}
	var before uint64
	n := 0
	for n < d.MaxRuns {
		runs, err := d.DB.ListRuns(store.RunFilter{BindingID: bindingID, BeforeID: before, Limit: 1000})
		if err != nil {
			return nil, err
		}
		if len(runs) == 0 {
			break
		}
		for _, r := range runs {
			n++
			before = r.ID
			isInvoice := r.Event == domain.EventInvoiceCreated || r.Event == domain.EventInvoicePaid
			if isInvoice && n <= d.RecentRuns && !seenRecent[r.MagentoID] {
				seenRecent[r.MagentoID] = true
				sc.recent = append(sc.recent, r.MagentoID)
			}
			switch {
			case r.Event == domain.EventInvoicePaid:
				if sc.pay[r.MagentoID] == nil {
					sc.pay[r.MagentoID] = r
				}
				if r.Status == domain.RunSucceeded && inScope(r, since) {
					paidInScope[r.MagentoID] = true
				}
			case r.Event == domain.EventInvoiceCreated && r.Status == domain.RunSucceeded && r.XeroID != "":
				if _, dup := sc.invoices[r.MagentoID]; !dup {
					sc.invoices[r.MagentoID] = synced{runID: r.ID, xeroID: r.XeroID, xeroNumber: r.XeroNumber, status: r.Policy.InvoiceStatusDefault}
					if inScope(r, since) {
						sc.order = append(sc.order, r.MagentoID)
					}
				}
			case r.Event == domain.EventCreditmemoCreated && r.Status == domain.RunSucceeded && r.XeroID != "":
				if _, dup := sc.memos[r.MagentoID]; !dup && inScope(r, since) {
					sc.memos[r.MagentoID] = synced{runID: r.ID, xeroID: r.XeroID, xeroNumber: r.XeroNumber}
					sc.memoOrd = append(sc.memoOrd, r.MagentoID)
				}
			}
		}
	}
	inOrder := map[int64]bool{}
	for _, id := range sc.order {
		inOrder[id] = true
	}
	for id := range paidInScope {
		if _, ok := sc.invoices[id]; ok && !inOrder[id] {
			sc.order = append(sc.order, id)
		}
	}
	// Keep only in-scope invoices in the map.
	for id := range sc.invoices {
		if !inOrder[id] && !paidInScope[id] {
			delete(sc.invoices, id)
		}
	}
	return sc, nil
}

// fetcher reads Magento's canonical entities in parallel.
type fetcher struct {
	mu       gosync.Mutex
	invoices map[int64]*magento.Invoice
	memos    map[int64]*magento.CreditMemo
	problems *[]Problem
}

func (f *fetcher) problem(kind string, id int64, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	msg := domain.MessageOf(err)
	if domain.IsKind(err, domain.ENotFound) {
		msg = "Magento no longer has this " + kind + " (404); it cannot be compared."
	}
	*f.problems = append(*f.problems, Problem{Kind: kind, MagentoID: id, Message: msg})
}

func (f *fetcher) fetch(ctx context.Context, mc *magento.Client, limit int, sc *scanned) error {
	f.invoices, f.memos = map[int64]*magento.Invoice{}, map[int64]*magento.CreditMemo{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	want := map[int64]bool{}
	var ids []int64
	for _, id := range append(append([]int64(nil), sc.order...), sc.recent...) {
		if !want[id] {
			want[id] = true
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		_, scoped := sc.invoices[id]
		g.Go(func() error {
			inv, err := mc.Invoice(gctx, id)
			if err != nil {
				if fatal(err) {
					return err
				}
				if scoped {
					f.problem(KindInvoice, id, err)
				}
				return nil
			}
			f.mu.Lock()
			f.invoices[id] = inv
			f.mu.Unlock()
			return nil
		})
	}
	for _, id := range sc.memoOrd {
		g.Go(func() error {
			cm, err := mc.CreditMemo(gctx, id)
			if err != nil {
				if fatal(err) {
					return err
				}
				f.problem(KindCreditNote, id, err)
				return nil
			}
			f.mu.Lock()
			f.memos[id] = cm
			f.mu.Unlock()
			return nil
		})
	}
	return g.Wait()
}

// fatal errors end the report: nothing else from this Magento would work.
func fatal(err error) bool {
	return domain.IsKind(err, domain.EUnauthorized) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// compareAll reads the Xero side in batches and compares.
func compareAll(ctx context.Context, d Deps, b *domain.Binding, sc *scanned, f *fetcher, rep *Report) error {
	var invIDs []string
	for _, id := range sc.order {
		if f.invoices[id] != nil {
			invIDs = append(invIDs, sc.invoices[id].xeroID)
		}
	}
	var cnNumbers []string
	for _, id := range sc.memoOrd {
		if f.memos[id] != nil && sc.memos[id].xeroNumber != "" {
			cnNumbers = append(cnNumbers, sc.memos[id].xeroNumber)
		}
	}
	if len(invIDs) == 0 && len(cnNumbers) == 0 {
		return nil
	}
	xc, err := d.Xero(ctx, b)
	if err != nil {
		return err
	}
	xinv := map[string]*xero.Invoice{}
	if len(invIDs) > 0 {
		rep.XeroCalls += xero.LookupCalls(len(invIDs))
		found, err := xc.Invoices(ctx, invIDs)
		if err != nil {
			return xeroError(err)
		}
		for i := range found {
			xinv[found[i].InvoiceID] = &found[i]
		}
	}
	xcn := map[string]*xero.CreditNote{}
	if len(cnNumbers) > 0 {
		rep.XeroCalls += xero.LookupCalls(len(cnNumbers))
		found, err := xc.CreditNotesByNumber(ctx, cnNumbers)
		if err != nil {
			return xeroError(err)
		}
		for i := range found {
			xcn[found[i].CreditNoteNumber] = &found[i]
		}
	}
	for _, id := range sc.order {
		inv := f.invoices[id]
		if inv == nil {
			continue
		}
		s := sc.invoices[id]
		c := invoiceCase{inv: inv, xeroID: s.xeroID, xeroNumber: s.xeroNumber, status: s.status, createdRun: s.runID}
		c.pay, c.payRunID = payOf(sc.pay[id])
		rep.Invoices++
		rep.Drift = append(rep.Drift, compareInvoice(c, xinv[s.xeroID])...)
	}
	for _, id := range sc.memoOrd {
		cm := f.memos[id]
		if cm == nil {
			continue
		}
		s := sc.memos[id]
		rep.CreditNotes++
		x := xcn[s.xeroNumber]
		if x != nil && x.CreditNoteID != s.xeroID {
			x = nil
		}
		rep.Drift = append(rep.Drift, compareCreditNote(cm, s.xeroID, s.xeroNumber, s.runID, x)...)
	}
	return nil
}

func payOf(r *domain.SyncRun) (payState, uint64) {
	if r == nil {
		return payNone, 0
	}
	switch r.Status {
	case domain.RunSucceeded:
		return paySynced, r.ID
	case domain.RunSkipped:
		return paySkipped, r.ID
	}
	return payPending, r.ID
}

// xeroError keeps xero's typed errors out of user messages.
func xeroError(err error) error {
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, xero.ErrReauthRequired) {
		return domain.Wrap(domain.EUnauthorized, err, "Xero refused ledger's connection — reconnect Xero for this binding, then run the reconciliation again.")
	}
	return domain.Wrap(domain.EUnavailable, err, "Xero could not be read just now — try the reconciliation again in a few minutes.")
}
