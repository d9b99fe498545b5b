package sync

import (
	"errors"
	"strconv"
	"strings"

	"ledger/domain"
	"ledger/xero"
)

// payments posts the payments of invoice.paid runs whose invoice is in
// Xero (50 per request), or skips them per the payment routing (§10.3).
// After an unknown outcome, or when Xero says the invoice is already paid,
// the payments of the invoices are looked up (batched) and the one with the Magento
// invoice number as Reference is adopted.
func (r *round) payments() {
	var post, lookup []*job
	for _, j := range r.open() {
		if j.run.Event != domain.EventInvoicePaid {
			continue
		}
		if j.invoiceXref == nil {
			r.fail(j, errors.New("sync: invoice.paid without its invoice in Xero"))
			continue
		}
		if j.paySkip != "" {
			r.skip(j, j.paySkip)
			continue
		}
		idKey := strconv.FormatInt(j.run.MagentoID, 10)
		if x := r.xref(domain.XrefInvoicePayment, idKey); x != nil {
			j.xrefs = append(j.xrefs, *x)
			r.succeed(j, domain.XrefInvoicePayment, x.XeroID, j.invoiceXref.XeroNumber)
			continue
		}
		if j.attempted[domain.XrefInvoicePayment] {
			lookup = append(lookup, j)
			continue
		}
		post = append(post, j)
	}
	post = append(post, r.lookupPayments(r.paidInvoices(lookup, &post), false)...)
	var taken []*job
	for _, ch := range chunked(post, r.w.cfg.BatchSize) {
		taken = append(taken, r.postPayments(ch)...)
	}
	r.lookupPayments(taken, true)
}

// paidInvoices narrows payment lookups: the jobs' invoices are read in
// batches (25 per call) and those with nothing paid yet go straight to
// post — no earlier attempt can have landed there. The rest are returned.
func (r *round) paidInvoices(js []*job, post *[]*job) []*job {
	if len(js) == 0 || r.blocked(js) {
		return nil
	}
	ids := make([]string, len(js))
	for i, j := range js {
		ids[i] = j.invoiceXref.XeroID
	}
	r.xcall(xero.LookupCalls(len(ids)))
	found, err := r.xc.Invoices(r.ctx, ids)
	if err != nil {
		r.failAll(js, err)
		return nil
	}
	byID := map[string]xero.Invoice{}
	for _, v := range found {
		byID[v.InvoiceID] = v
	}
	var rest []*job
	for _, j := range js {
		v, ok := byID[j.invoiceXref.XeroID]
		if ok && v.Status == "AUTHORISED" && (v.AmountPaid == nil || v.AmountPaid.IsZero()) {
			*post = append(*post, j)
			continue
		}
		rest = append(rest, j)
	}
	return rest
}

// lookupPayments adopts payments Xero already has and returns the jobs
// still to post; with mustExist the others fail with Xero's refusal. The
// payments of all the jobs' invoices are read together (25 invoices per
// filtered GET, every page): a job adopts the live payment on its invoice
// whose Reference is its Magento invoice number.
func (r *round) lookupPayments(js []*job, mustExist bool) []*job {
	if len(js) == 0 || r.blocked(js) {
		return nil
	}
	ids := make([]string, 0, len(js))
	seen := map[string]bool{}
	for _, j := range js {
		if id := strings.ToLower(j.invoiceXref.XeroID); !seen[id] {
			seen[id] = true
			ids = append(ids, j.invoiceXref.XeroID)
		}
	}
	r.xcall(xero.LookupCalls(len(ids)))
	ps, err := r.xc.PaymentsForInvoices(r.ctx, ids)
	if err != nil {
		r.failAll(js, err)
		return nil
	}
	taken := map[string]bool{} // a payment is adopted by one job only
	var rest []*job
	for _, j := range js {
		hit := findPayment(ps, j.invoiceXref.XeroID, j.pay.InvoiceIncrementID, taken)
		if hit != nil {
			taken[hit.PaymentID] = true
			r.step(j, domain.StepPosted, true, "adopted Xero payment made by an earlier attempt")
			r.adoptPayment(j, *hit)
			continue
		}
		if mustExist {
			r.fail(j, j.payErr)
			continue
		}
		rest = append(rest, j)
	}
	return rest
}

// findPayment is the first payment not deleted nor taken on invoiceID
// with the reference.
func findPayment(ps []xero.Payment, invoiceID, reference string, taken map[string]bool) *xero.Payment {
	for i := range ps {
		p := &ps[i]
		if p.Invoice != nil && strings.EqualFold(p.Invoice.InvoiceID, invoiceID) &&
			p.Status != "DELETED" && p.Reference == reference && !taken[p.PaymentID] {
			return p
		}
	}
	return nil
}

// postPayments maps and posts one batch; it returns the jobs Xero refused
// because the invoice is no longer open (perhaps paid by an earlier try).
func (r *round) postPayments(js []*job) (taken []*job) {
	var live []*job
	var bodies []xero.Payment
	var members []string
	for _, j := range js {
		body, err := MapPayment(*j.pay, j.invoiceXref.XeroID, j.account, r.ref)
		if err != nil {
			r.fail(j, err)
			continue
		}
		key := docKey("invoice_payment", strconv.FormatInt(j.run.MagentoID, 10), j.gen)
		live, bodies, members = append(live, j), append(bodies, body), append(members, key)
	}
	if len(live) == 0 || r.blocked(live) {
		return nil
	}
	for i, j := range live {
		r.record([]*job{j}, domain.XrefInvoicePayment, members[i])
	}
	r.xcall(1)
	out, err := r.xc.CreatePayments(r.ctx, batchKey("invoice_payment", members), bodies)
	lookup := func(js []*job) []*job { return r.lookupPayments(js, false) }
	if !landed("PUT /Payments", err, len(out), live, lookup, r.fail) {
		return nil
	}
	for i, j := range live {
		if e := out[i].Err(i); e != nil {
			text := strings.Join(msgsOf(e), " ")
			if strings.Contains(text, "exceeds the amount outstanding") || strings.Contains(text, "not of valid status") {
				j.payErr = e
				taken = append(taken, j)
				continue
			}
			r.fail(j, e)
			continue
		}
		r.step(j, domain.StepPosted, true, "Xero payment "+out[i].Amount.StringFixed(2)+" into "+j.account)
		r.adoptPayment(j, out[i])
	}
	return taken
}

func (r *round) adoptPayment(j *job, p xero.Payment) {
	x := domain.Xref{BindingID: r.b.ID, Kind: domain.XrefInvoicePayment, MagentoKey: strconv.FormatInt(j.run.MagentoID, 10), XeroID: p.PaymentID, XeroNumber: j.invoiceXref.XeroNumber}
	j.xrefs = append(j.xrefs, x)
	r.succeed(j, domain.XrefInvoicePayment, p.PaymentID, j.invoiceXref.XeroNumber)
}
