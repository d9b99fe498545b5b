package sync

import (
	"errors"
	"strconv"
	"strings"

	"ledger/domain"
	"ledger/xero"
)

// creditNotes creates the ACCRECCREDIT credit notes of creditmemo.created
// runs (50 per request), adopting ones Xero already has by number, then
// allocates each to its Xero invoice while that invoice has money due.
func (r *round) creditNotes() {
	var post, lookup []*job
	for _, j := range r.open() {
		if j.run.Event != domain.EventCreditmemoCreated {
			continue
		}
		if j.cm.InvoiceID != nil && *j.cm.InvoiceID > 0 && j.invoiceXref == nil {
			r.fail(j, errors.New("sync: credit memo without its invoice in Xero"))
			continue
		}
		if j.attempted[domain.XrefCreditNote] || r.xref(domain.XrefCreditNote, strconv.FormatInt(j.run.MagentoID, 10)) != nil {
			lookup = append(lookup, j)
			continue
		}
		post = append(post, j)
	}
	created := map[*job]xero.CreditNote{}
	post = append(post, r.lookupCreditNotes(lookup, false, created)...)
	var taken []*job
	for _, ch := range chunked(post, r.w.cfg.BatchSize) {
		taken = append(taken, r.postCreditNotes(ch, created)...)
	}
	r.lookupCreditNotes(taken, true, created)
	r.allocate(created)
}

func cnNumber(j *job) string { return numbered(j.run.Policy.InvoiceNumberPrefix, j.cm.IncrementID) }

func (r *round) lookupCreditNotes(js []*job, mustExist bool, created map[*job]xero.CreditNote) []*job {
	if len(js) == 0 {
		return nil
	}
	numbers := make([]string, len(js))
	for i, j := range js {
		numbers[i] = cnNumber(j)
	}
	if r.blocked(js) {
		return nil
	}
	r.xcall(xero.LookupCalls(len(numbers)))
	found, err := r.xc.CreditNotesByNumber(r.ctx, numbers)
	if err != nil {
		r.failAll(js, err)
		return nil
	}
	byNumber := map[string]xero.CreditNote{}
	for _, c := range found {
		if c.Status != "DELETED" && c.Status != "VOIDED" {
			byNumber[c.CreditNoteNumber] = c
		}
	}
	var rest []*job
	for _, j := range js {
		if c, ok := byNumber[cnNumber(j)]; ok {
			if r.adoptCreditNote(j, c) {
				created[j] = c
			}
			continue
		}
		if mustExist {
			r.fail(j, domain.Errorf(domain.EInvalid,
				"Xero says credit note number %s is taken but ledger cannot find it — check for a deleted or voided credit note with that number in Xero, then retry", cnNumber(j)))
			continue
		}
		rest = append(rest, j)
	}
	return rest
}

func (r *round) postCreditNotes(js []*job, created map[*job]xero.CreditNote) (taken []*job) {
	var live []*job
	var bodies []xero.CreditNote
	var members []string
	for _, j := range js {
		if j.contactID == "" {
			r.fail(j, errors.New("sync: no contact resolved for credit memo "+j.cm.IncrementID))
			continue
		}
		body, err := MapCreditNote(*j.cm, j.contactID, j.run.Policy, r.ref)
		if err != nil {
			r.fail(j, err)
			continue
		}
		key := docKey("credit_note", strconv.FormatInt(j.run.MagentoID, 10), j.gen)
		live, bodies, members = append(live, j), append(bodies, body), append(members, key)
	}
	if len(live) == 0 || r.blocked(live) {
		return nil
	}
	for i, j := range live {
		r.record([]*job{j}, domain.XrefCreditNote, members[i])
	}
	r.xcall(1)
	out, err := r.xc.CreateCreditNotes(r.ctx, batchKey("credit_note", members), bodies)
	lookup := func(js []*job) []*job { return r.lookupCreditNotes(js, false, created) }
	if !landed("PUT /CreditNotes", err, len(out), live, lookup, r.fail) {
		return nil
	}
	for i, j := range live {
		if e := out[i].Err(i); e != nil {
			if strings.Contains(strings.Join(msgsOf(e), " "), "must be unique") {
				taken = append(taken, j)
				continue
			}
			r.fail(j, e)
			continue
		}
		r.step(j, domain.StepPosted, true, "Xero credit note "+out[i].CreditNoteNumber)
		if r.adoptCreditNote(j, out[i]) {
			created[j] = out[i]
		}
	}
	return taken
}

// adoptCreditNote links the credit note at once, so a failed allocation
// retries without creating it again.
func (r *round) adoptCreditNote(j *job, c xero.CreditNote) bool {
	x := domain.Xref{BindingID: r.b.ID, Kind: domain.XrefCreditNote, MagentoKey: strconv.FormatInt(j.run.MagentoID, 10), XeroID: c.CreditNoteID, XeroNumber: c.CreditNoteNumber}
	if err := r.w.cfg.DB.PutXref(x); err != nil {
		r.fail(j, err)
		return false
	}
	j.xrefs = append(j.xrefs, x)
	return true
}

// allocate applies each new credit note to its invoice while money is due,
// then finishes the runs.
func (r *round) allocate(created map[*job]xero.CreditNote) {
	var ids []string
	for j := range created {
		if j.invoiceXref != nil && !j.done {
			ids = append(ids, j.invoiceXref.XeroID)
		}
	}
	invoices := map[string]xero.Invoice{}
	var js []*job
	for j := range created {
		js = append(js, j)
	}
	if r.blocked(js) {
		return
	}
	if len(ids) > 0 {
		r.xcall(xero.LookupCalls(len(ids)))
		found, err := r.xc.Invoices(r.ctx, ids)
		if err != nil {
			for j := range created {
				r.fail(j, err)
			}
			return
		}
		for _, v := range found {
			invoices[v.InvoiceID] = v
		}
	}
	for _, j := range r.jobs {
		c, ok := created[j]
		if !ok || j.done {
			continue
		}
		if j.invoiceXref != nil {
			if err := r.allocateOne(j, c, invoices[j.invoiceXref.XeroID]); err != nil {
				r.fail(j, err)
				continue
			}
		}
		r.succeed(j, domain.XrefCreditNote, c.CreditNoteID, c.CreditNoteNumber)
	}
}

func (r *round) allocateOne(j *job, c xero.CreditNote, inv xero.Invoice) error {
	for _, a := range c.Allocations {
		if a.Invoice != nil && a.Invoice.InvoiceID == inv.InvoiceID {
			return nil // allocated by an earlier attempt
		}
	}
	a := AllocationFor(c, inv)
	if a == nil {
		return nil
	}
	key := docKey("credit_note_allocation", strconv.FormatInt(j.run.MagentoID, 10), j.gen)
	r.mu.Lock()
	limit := r.limit
	r.mu.Unlock()
	if limit != nil {
		return limit
	}
	r.record([]*job{j}, "credit_note_allocation", key)
	r.xcall(1)
	got, err := r.xc.AllocateCreditNote(r.ctx, key, c.CreditNoteID, *a)
	var ve *xero.ValidationError
	if errors.As(err, &ve) {
		// The credit note stands; the merchant can allocate it by hand.
		r.step(j, domain.StepPosted, false, "allocation refused: "+quoteXero(ve.Messages()))
		return nil
	}
	if err != nil {
		return err
	}
	r.step(j, domain.StepPosted, true, "allocated "+got.Amount.StringFixed(2)+" to invoice "+j.invoiceXref.XeroNumber)
	return nil
}

// customers finishes customer.upserted runs with their contact.
func (r *round) customers() {
	for _, j := range r.open() {
		if j.run.Event == domain.EventCustomerUpserted && j.contactID != "" {
			r.step(j, domain.StepPosted, true, "Xero contact "+j.contactKey)
			r.succeed(j, domain.XrefContact, j.contactID, "")
		}
	}
}
