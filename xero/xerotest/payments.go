package xerotest

import (
	"net/http"
	"strings"

	"ledger/xero"
)

// writePayments applies payments: the invoice must be AUTHORISED, the
// account BANK (or payments-enabled), the amount within AmountDue.
// Caller holds mu.
func (s *Server) writePayments(w http.ResponseWriter, r *http.Request, o *org, body []byte) {
	var in struct{ Payments []xero.Payment }
	if !decodeBatch(w, body, &in) {
		return
	}
	now := s.clock.Now()
	var out []any
	failed := false
	type apply struct {
		p   xero.Payment
		inv *xero.Invoice
	}
	var todo []apply
	for _, p := range in.Payments {
		var problems []string
		var inv *xero.Invoice
		if p.Invoice != nil {
			for _, v := range o.invoices {
				if (p.Invoice.InvoiceID != "" && v.InvoiceID == p.Invoice.InvoiceID) || (p.Invoice.InvoiceID == "" && p.Invoice.InvoiceNumber != "" && v.InvoiceNumber == p.Invoice.InvoiceNumber) {
					inv = v
				}
			}
		}
		switch {
		case inv == nil:
			problems = append(problems, "Invoice could not be found")
		case inv.Status != "AUTHORISED":
			problems = append(problems, "Invoice not of valid status for modification")
		case p.Amount == nil || !p.Amount.IsPositive():
			problems = append(problems, "Payment amount must be greater than zero")
		case p.Amount.GreaterThan(dec(inv.AmountDue)):
			problems = append(problems, "Payment amount exceeds the amount outstanding on this document")
		}
		var acct *xero.Account
		if p.Account != nil {
			acct = findAccount(o, p.Account.AccountID, p.Account.Code)
		}
		if acct == nil {
			problems = append(problems, "Account could not be found")
		} else if acct.Type != "BANK" && !acct.EnablePaymentsToAccount {
			problems = append(problems, "Payments can only be made to BANK accounts or accounts with EnablePaymentsToAccount set (BANKACCOUNT_NOT_VALID_FOR_PAYMENT)")
		}
		if p.Date == "" {
			p.Date = now.Format("2006-01-02")
		}
		if len(problems) > 0 {
			failed = true
			p.HasValidationErrors, p.StatusAttributeString, p.ValidationErrors = true, "ERROR", msgs(problems...)
			out = append(out, p)
			continue
		}
		p.PaymentID, p.Status, p.StatusAttributeString = newID(), "AUTHORISED", "OK"
		p.Account = &xero.AccountRef{AccountID: acct.AccountID, Code: acct.Code}
		todo = append(todo, apply{p, inv})
		rp := p
		rp.Date = msDate(p.Date)
		rp.Invoice = &xero.Invoice{InvoiceID: inv.InvoiceID, InvoiceNumber: inv.InvoiceNumber}
		out = append(out, rp)
	}
	if !failed || r.URL.Query().Get("summarizeErrors") == "false" {
		for _, a := range todo {
			a.p.Invoice = &xero.Invoice{InvoiceID: a.inv.InvoiceID, InvoiceNumber: a.inv.InvoiceNumber}
			np := a.p
			o.payments = append(o.payments, &np)
			a.inv.AmountPaid = xero.MoneyPtr(dec(a.inv.AmountPaid).Add(a.p.Amount.Decimal))
			a.inv.AmountDue = xero.MoneyPtr(dec(a.inv.AmountDue).Sub(a.p.Amount.Decimal))
			if a.inv.AmountDue.IsZero() {
				a.inv.Status = "PAID"
			}
		}
	}
	batch(w, r, "Payments", out, failed, now)
}

// allocate applies a credit note to an invoice. Caller holds mu.
func (s *Server) allocate(w http.ResponseWriter, r *http.Request, o *org, cnID string, body []byte) {
	var in struct{ Allocations []xero.Allocation }
	if !decodeBatch(w, body, &in) {
		return
	}
	now := s.clock.Now()
	var cn *xero.CreditNote
	for _, c := range o.creditNotes {
		if strings.EqualFold(c.CreditNoteID, cnID) {
			cn = c
		}
	}
	if cn == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"Title": "Not Found", "Status": 404})
		return
	}
	var out []any
	failed := false
	for _, a := range in.Allocations {
		var problems []string
		var inv *xero.Invoice
		for _, v := range o.invoices {
			if a.Invoice != nil && v.InvoiceID == a.Invoice.InvoiceID {
				inv = v
			}
		}
		switch {
		case cn.Status != "AUTHORISED":
			problems = append(problems, "Credit note must be AUTHORISED to be allocated")
		case inv == nil:
			problems = append(problems, "Invoice could not be found")
		case inv.Status != "AUTHORISED":
			problems = append(problems, "Invoice not of valid status for modification")
		case !a.Amount.IsPositive() || a.Amount.GreaterThan(dec(cn.RemainingCredit)) || a.Amount.GreaterThan(dec(inv.AmountDue)):
			problems = append(problems, "The amount allocated exceeds the remaining credit or the amount due")
		}
		if len(problems) > 0 {
			failed = true
			a.StatusAttributeString, a.ValidationErrors = "ERROR", msgs(problems...)
			out = append(out, a)
			continue
		}
		a.AllocationID = newID()
		a.StatusAttributeString = "OK"
		cn.RemainingCredit = xero.MoneyPtr(dec(cn.RemainingCredit).Sub(a.Amount.Decimal))
		if cn.RemainingCredit.IsZero() {
			cn.Status = "PAID"
		}
		inv.AmountCredited = xero.MoneyPtr(dec(inv.AmountCredited).Add(a.Amount.Decimal))
		inv.AmountDue = xero.MoneyPtr(dec(inv.AmountDue).Sub(a.Amount.Decimal))
		if inv.AmountDue.IsZero() {
			inv.Status = "PAID"
		}
		stored := a
		stored.Invoice = &xero.Invoice{InvoiceID: inv.InvoiceID, InvoiceNumber: inv.InvoiceNumber}
		cn.Allocations = append(cn.Allocations, stored)
		stored.Date = msDate(stored.Date)
		out = append(out, stored)
	}
	batch(w, r, "Allocations", out, failed, now)
}
