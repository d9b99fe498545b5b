package xerotest

import (
	"net/http"

	"ledger/xero"
)

// writeInvoices creates invoices (PUT, and POST without an InvoiceID).
// Caller holds mu.
func (s *Server) writeInvoices(w http.ResponseWriter, r *http.Request, o *org, body []byte) {
	var in struct{ Invoices []xero.Invoice }
	if !decodeBatch(w, body, &in) {
		return
	}
	now := s.clock.Now()
	var out []any
	var save []*xero.Invoice
	failed := false
	for _, v := range in.Invoices {
		var problems []string
		if v.Type != "ACCREC" && v.Type != "ACCPAY" {
			problems = append(problems, "Invoice Type must be specified")
		}
		contact, msg := s.resolveContact(o, v.Contact)
		if msg != "" {
			problems = append(problems, msg)
		}
		if v.InvoiceNumber != "" {
			for _, x := range o.invoices {
				if x.InvoiceNumber == v.InvoiceNumber && x.Status != "DELETED" && x.Status != "VOIDED" {
					problems = append(problems, "Invoice # must be unique.")
					break
				}
			}
		}
		if v.CurrencyCode == "" {
			v.CurrencyCode = o.org.BaseCurrency
		}
		if !subscribed(o, v.CurrencyCode) {
			problems = append(problems, "Organisation is not subscribed to currency "+v.CurrencyCode)
		}
		if v.LineAmountTypes == "" {
			v.LineAmountTypes = "Exclusive"
		}
		sub, tax, lp := s.lines(o, v.LineAmountTypes, v.LineItems)
		problems = append(problems, lp...)
		if v.Status == "" {
			v.Status = "DRAFT"
		}
		if v.Date == "" {
			v.Date = now.Format("2006-01-02")
		}
		if len(problems) > 0 {
			failed = true
			v.HasErrors, v.StatusAttributeString, v.ValidationErrors = true, "ERROR", msgs(problems...)
			out = append(out, v)
			continue
		}
		v.InvoiceID = newID()
		if v.InvoiceNumber == "" {
			v.InvoiceNumber = "INV-" + v.InvoiceID[:4]
		}
		v.Contact = &xero.Contact{ContactID: contact.ContactID, Name: contact.Name, ContactNumber: contact.ContactNumber}
		v.SubTotal, v.TotalTax, v.Total = xero.MoneyPtr(sub), xero.MoneyPtr(tax), xero.MoneyPtr(sub.Add(tax))
		v.AmountDue, v.AmountPaid, v.AmountCredited = xero.MoneyPtr(sub.Add(tax)), zero(), zero()
		v.UpdatedDateUTC = &xero.Time{Time: now}
		v.StatusAttributeString = "OK"
		nv := v
		save = append(save, &nv)
		out = append(out, renderInvoice(v))
	}
	if failed && r.URL.Query().Get("summarizeErrors") != "false" {
		save = nil
	}
	o.invoices = append(o.invoices, save...)
	batch(w, r, "Invoices", out, failed, now)
}

// writeCreditNotes creates credit notes. Caller holds mu.
func (s *Server) writeCreditNotes(w http.ResponseWriter, r *http.Request, o *org, body []byte) {
	var in struct{ CreditNotes []xero.CreditNote }
	if !decodeBatch(w, body, &in) {
		return
	}
	now := s.clock.Now()
	var out []any
	var save []*xero.CreditNote
	failed := false
	for _, v := range in.CreditNotes {
		var problems []string
		if v.Type != "ACCRECCREDIT" && v.Type != "ACCPAYCREDIT" {
			problems = append(problems, "Credit Note Type must be specified")
		}
		contact, msg := s.resolveContact(o, v.Contact)
		if msg != "" {
			problems = append(problems, msg)
		}
		if v.CreditNoteNumber != "" {
			for _, x := range o.creditNotes {
				if x.CreditNoteNumber == v.CreditNoteNumber && x.Status != "DELETED" && x.Status != "VOIDED" {
					problems = append(problems, "Credit Note # must be unique.")
					break
				}
			}
		}
		if v.CurrencyCode == "" {
			v.CurrencyCode = o.org.BaseCurrency
		}
		if !subscribed(o, v.CurrencyCode) {
			problems = append(problems, "Organisation is not subscribed to currency "+v.CurrencyCode)
		}
		if v.LineAmountTypes == "" {
			v.LineAmountTypes = "Exclusive"
		}
		sub, tax, lp := s.lines(o, v.LineAmountTypes, v.LineItems)
		problems = append(problems, lp...)
		if v.Status == "" {
			v.Status = "DRAFT"
		}
		if v.Date == "" {
			v.Date = now.Format("2006-01-02")
		}
		if len(problems) > 0 {
			failed = true
			v.HasErrors, v.StatusAttributeString, v.ValidationErrors = true, "ERROR", msgs(problems...)
			out = append(out, v)
			continue
		}
		v.CreditNoteID = newID()
		if v.CreditNoteNumber == "" {
			v.CreditNoteNumber = "CN-" + v.CreditNoteID[:4]
		}
		v.Contact = &xero.Contact{ContactID: contact.ContactID, Name: contact.Name, ContactNumber: contact.ContactNumber}
		v.SubTotal, v.TotalTax, v.Total = xero.MoneyPtr(sub), xero.MoneyPtr(tax), xero.MoneyPtr(sub.Add(tax))
		v.RemainingCredit = xero.MoneyPtr(sub.Add(tax))
		v.UpdatedDateUTC = &xero.Time{Time: now}
		v.StatusAttributeString = "OK"
		nv := v
		save = append(save, &nv)
		rv := v
		rv.Date = msDate(rv.Date)
		out = append(out, rv)
	}
	if failed && r.URL.Query().Get("summarizeErrors") != "false" {
		save = nil
	}
	o.creditNotes = append(o.creditNotes, save...)
	batch(w, r, "CreditNotes", out, failed, now)
}
