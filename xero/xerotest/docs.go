package xerotest

import (
	"net/http"

	"github.com/shopspring/decimal"

	"ledger/xero"
)

// document points at the fields an invoice and a credit note share: what
// the fake validates, defaults and totals on create.
type document struct {
	typ, number, currency, lineAmountTypes, status, date, statusAttr *string
	contact                                                          **xero.Contact
	lineItems                                                        []xero.LineItem
	hasErrors                                                        *bool
	validationErrors                                                 *[]xero.ValidationMessage
	subTotal, totalTax, total                                        **xero.Money
	updated                                                          **xero.Time
}

// docKind is what differs between creating invoices and credit notes.
type docKind[T any] struct {
	name   string    // "Invoice", in Xero's messages
	types  [2]string // the Types Xero accepts
	prefix string    // of the number Xero gives a document sent without one
	view   func(*T) document
	taken  func(number string) bool // an active document already has it
	settle func(v *T, id string, total decimal.Decimal)
	render func(v T, dp int32) any // the document as Xero answers it, unit prices at dp decimals
}

// writeDocs validates and creates a batch of documents the way Xero does:
// Type, contact, a unique number, a subscribed currency and valid lines;
// DRAFT, Exclusive and today by default; unit prices kept to the request's
// unitDP; totals computed. It answers the batch and returns the documents
// to store: none when one failed, unless summarizeErrors=false. Caller
// holds mu.
func writeDocs[T any](s *Server, w http.ResponseWriter, r *http.Request, o *org, key string, in []T, k docKind[T]) []*T {
	now := s.clock.Now()
	dp := unitDP(r)
	var out []any
	var save []*T
	failed := false
	for _, v := range in {
		d := k.view(&v)
		var problems []string
		if *d.typ != k.types[0] && *d.typ != k.types[1] {
			problems = append(problems, k.name+" Type must be specified")
		}
		contact, msg := s.resolveContact(o, *d.contact)
		if msg != "" {
			problems = append(problems, msg)
		}
		if *d.number != "" && k.taken(*d.number) {
			problems = append(problems, k.name+" # must be unique.")
		}
		if *d.currency == "" {
			*d.currency = o.org.BaseCurrency
		}
		if !subscribed(o, *d.currency) {
			problems = append(problems, "Organisation is not subscribed to currency "+*d.currency)
		}
		if *d.lineAmountTypes == "" {
			*d.lineAmountTypes = "Exclusive"
		}
		sub, tax, lp := s.lines(o, *d.lineAmountTypes, d.lineItems, dp)
		problems = append(problems, lp...)
		if *d.status == "" {
			*d.status = "DRAFT"
		}
		if *d.date == "" {
			*d.date = now.Format("2006-01-02")
		}
		if len(problems) > 0 {
			failed = true
			*d.hasErrors, *d.statusAttr, *d.validationErrors = true, "ERROR", msgs(problems...)
			out = append(out, v)
			continue
		}
		id := newID()
		if *d.number == "" {
			*d.number = k.prefix + id[:4]
		}
		*d.contact = &xero.Contact{ContactID: contact.ContactID, Name: contact.Name, ContactNumber: contact.ContactNumber}
		*d.subTotal, *d.totalTax, *d.total = xero.MoneyPtr(sub), xero.MoneyPtr(tax), xero.MoneyPtr(sub.Add(tax))
		k.settle(&v, id, sub.Add(tax))
		*d.updated = &xero.Time{Time: now}
		*d.statusAttr = "OK"
		nv := v
		save = append(save, &nv)
		out = append(out, k.render(v, dp))
	}
	if failed && r.URL.Query().Get("summarizeErrors") != "false" {
		save = nil
	}
	batch(w, r, key, out, failed, now)
	return save
}
