package sync

import (
	"errors"
	"strconv"
	"strings"

	"ledger/domain"
	"ledger/xero"
)

// invoiceDoc is one Magento invoice to create in Xero, and every job of
// the round that needs it (its invoice.created, an invoice.paid, a credit
// memo of it).
type invoiceDoc struct {
	id     string
	number string
	jobs   []*job
	body   xero.Invoice
	key    string
}

func (d *invoiceDoc) open() []*job {
	var out []*job
	for _, j := range d.jobs {
		if !j.done {
			out = append(out, j)
		}
	}
	return out
}

func (d *invoiceDoc) attempted() bool {
	for _, j := range d.jobs {
		if j.attempted[domain.XrefInvoice] {
			return true
		}
	}
	return false
}

// invoices creates the invoices the round needs (50 per request), adopts
// those Xero already has (after an unknown outcome, or when Xero says the
// number is taken), then finishes the invoice.created runs.
func (r *round) invoices() {
	docs := map[string]*invoiceDoc{}
	var order []*invoiceDoc
	for _, j := range r.open() {
		if j.inv == nil || j.invoiceXref != nil {
			continue
		}
		id := strconv.FormatInt(j.inv.MagentoID, 10)
		d := docs[id]
		if d == nil {
			d = &invoiceDoc{id: id, number: numbered(j.run.Policy.InvoiceNumberPrefix, j.inv.IncrementID)}
			docs[id] = d
			order = append(order, d)
		}
		d.jobs = append(d.jobs, j)
	}
	var lookup, post []*invoiceDoc
	for _, d := range order {
		if x := r.xref(domain.XrefInvoice, d.id); x != nil { // linked meanwhile
			r.adoptInvoice(d, xero.Invoice{InvoiceID: x.XeroID, InvoiceNumber: x.XeroNumber})
			continue
		}
		if d.attempted() {
			lookup = append(lookup, d)
			continue
		}
		post = append(post, d)
	}
	post = append(post, r.lookupInvoices(lookup, false)...)
	var taken []*invoiceDoc
	for _, ch := range chunked(post, r.w.cfg.BatchSize) {
		taken = append(taken, r.postInvoices(ch)...)
	}
	r.lookupInvoices(taken, true)

	for _, j := range r.open() {
		if j.run.Event == domain.EventInvoiceCreated && j.invoiceXref != nil {
			r.succeed(j, domain.XrefInvoice, j.invoiceXref.XeroID, j.invoiceXref.XeroNumber)
		}
	}
}

// lookupInvoices adopts the docs Xero already has by InvoiceNumber and
// returns the others; with mustExist a missing one fails its jobs.
func (r *round) lookupInvoices(ds []*invoiceDoc, mustExist bool) []*invoiceDoc {
	if len(ds) == 0 {
		return nil
	}
	numbers := make([]string, len(ds))
	for i, d := range ds {
		numbers[i] = d.number
	}
	var js []*job
	for _, d := range ds {
		js = append(js, d.open()...)
	}
	if r.blocked(js) {
		return nil
	}
	r.xcall(xero.LookupCalls(len(numbers)))
	found, err := r.xc.InvoicesByNumber(r.ctx, numbers)
	if err != nil {
		for _, d := range ds {
			r.failAll(d.open(), err)
		}
		return nil
	}
	byNumber := map[string]xero.Invoice{}
	for _, v := range found {
		if v.Status != "DELETED" && v.Status != "VOIDED" && v.Type != "ACCPAY" {
			byNumber[v.InvoiceNumber] = v
		}
	}
	var rest []*invoiceDoc
	for _, d := range ds {
		if v, ok := byNumber[d.number]; ok {
			r.step(d.jobs[0], domain.StepPosted, true, "adopted Xero invoice "+v.InvoiceNumber+" made by an earlier attempt")
			r.adoptInvoice(d, v)
			continue
		}
		if mustExist {
			r.failAll(d.open(), domain.Errorf(domain.EInvalid,
				"Xero says invoice number %s is taken but ledger cannot find it — check for a deleted or voided invoice with that number in Xero, then retry", d.number))
			continue
		}
		rest = append(rest, d)
	}
	return rest
}

// postInvoices maps and creates one batch; it returns the docs whose
// number Xero already has.
func (r *round) postInvoices(ds []*invoiceDoc) (taken []*invoiceDoc) {
	var live []*invoiceDoc
	var bodies []xero.Invoice
	var members []string
	for _, d := range ds {
		js := d.open()
		if len(js) == 0 {
			continue
		}
		j := js[0]
		if j.contactID == "" {
			r.failAll(js, errors.New("sync: no contact resolved for invoice "+d.number))
			continue
		}
		body, err := MapInvoice(*j.inv, j.contactID, j.run.Policy, r.ref)
		if err != nil {
			r.failAll(js, err)
			continue
		}
		gen := 0
		for _, j := range js {
			gen = max(gen, j.gen)
		}
		d.body, d.key = body, docKey("invoice", d.id, gen)
		live, bodies, members = append(live, d), append(bodies, body), append(members, d.key)
	}
	if len(live) == 0 {
		return nil
	}
	var js []*job
	for _, d := range live {
		js = append(js, d.open()...)
	}
	if r.blocked(js) {
		return nil
	}
	for _, d := range live {
		r.record(d.open(), domain.XrefInvoice, d.key)
	}
	r.xcall(1)
	out, err := r.xc.CreateInvoices(r.ctx, batchKey("invoice", members), bodies)
	// After an unknown outcome adopt what arrived; the rest retry later.
	lookup := func(ds []*invoiceDoc) []*invoiceDoc { return r.lookupInvoices(ds, false) }
	if !landed("PUT /Invoices", err, len(out), live, lookup, func(d *invoiceDoc, err error) { r.failAll(d.open(), err) }) {
		return nil
	}
	for i, d := range live {
		if e := out[i].Err(i); e != nil {
			if strings.Contains(strings.Join(msgsOf(e), " "), "must be unique") {
				taken = append(taken, d)
				continue
			}
			r.failAll(d.open(), e)
			continue
		}
		r.step(d.jobs[0], domain.StepPosted, true, "Xero invoice "+out[i].InvoiceNumber)
		r.adoptInvoice(d, out[i])
	}
	return taken
}

// adoptInvoice links a Magento invoice to its Xero invoice at once (the
// payment or credit note that needed it may still fail and retry).
func (r *round) adoptInvoice(d *invoiceDoc, v xero.Invoice) {
	x := domain.Xref{BindingID: r.b.ID, Kind: domain.XrefInvoice, MagentoKey: d.id, XeroID: v.InvoiceID, XeroNumber: v.InvoiceNumber}
	if err := r.w.cfg.DB.PutXref(x); err != nil {
		r.failAll(d.open(), err)
		return
	}
	for _, j := range d.open() {
		j.invoiceXref = &x
		vv := v
		j.xinv = &vv
		j.xrefs = append(j.xrefs, x)
	}
}
