package xerotest

import (
	"net/http"

	"github.com/shopspring/decimal"

	"ledger/xero"
)

// writeInvoices creates invoices (PUT, and POST without an InvoiceID).
// Caller holds mu.
func (s *Server) writeInvoices(w http.ResponseWriter, r *http.Request, o *org, body []byte) {
	var in struct{ Invoices []xero.Invoice }
	if !decodeBatch(w, body, &in) {
		return
	}
	o.invoices = append(o.invoices, writeDocs(s, w, r, o, "Invoices", in.Invoices, docKind[xero.Invoice]{
		name: "Invoice", types: [2]string{"ACCREC", "ACCPAY"}, prefix: "INV-",
		view: func(v *xero.Invoice) document {
			return document{&v.Type, &v.InvoiceNumber, &v.CurrencyCode, &v.LineAmountTypes, &v.Status, &v.Date, &v.StatusAttributeString,
				&v.Contact, v.LineItems, &v.HasErrors, &v.ValidationErrors, &v.SubTotal, &v.TotalTax, &v.Total, &v.UpdatedDateUTC}
		},
		taken: func(number string) bool {
			for _, x := range o.invoices {
				if x.InvoiceNumber == number && x.Status != "DELETED" && x.Status != "VOIDED" {
					return true
				}
			}
			return false
		},
		settle: func(v *xero.Invoice, id string, total decimal.Decimal) {
			v.InvoiceID = id
			v.AmountDue, v.AmountPaid, v.AmountCredited = xero.MoneyPtr(total), zero(), zero()
		},
		render: func(v xero.Invoice, dp int32) any { return renderInvoice(v, dp) },
	})...)
}

// writeCreditNotes creates credit notes. Caller holds mu.
func (s *Server) writeCreditNotes(w http.ResponseWriter, r *http.Request, o *org, body []byte) {
	var in struct{ CreditNotes []xero.CreditNote }
	if !decodeBatch(w, body, &in) {
		return
	}
	o.creditNotes = append(o.creditNotes, writeDocs(s, w, r, o, "CreditNotes", in.CreditNotes, docKind[xero.CreditNote]{
		name: "Credit Note", types: [2]string{"ACCRECCREDIT", "ACCPAYCREDIT"}, prefix: "CN-",
		view: func(v *xero.CreditNote) document {
			return document{&v.Type, &v.CreditNoteNumber, &v.CurrencyCode, &v.LineAmountTypes, &v.Status, &v.Date, &v.StatusAttributeString,
				&v.Contact, v.LineItems, &v.HasErrors, &v.ValidationErrors, &v.SubTotal, &v.TotalTax, &v.Total, &v.UpdatedDateUTC}
		},
		taken: func(number string) bool {
			for _, x := range o.creditNotes {
				if x.CreditNoteNumber == number && x.Status != "DELETED" && x.Status != "VOIDED" {
					return true
				}
			}
			return false
		},
		settle: func(v *xero.CreditNote, id string, total decimal.Decimal) {
			v.CreditNoteID = id
			v.RemainingCredit = xero.MoneyPtr(total)
		},
		render: func(v xero.CreditNote, dp int32) any { return renderCreditNote(v, dp) },
	})...)
}
