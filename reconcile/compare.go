package reconcile

import (
	"fmt"

	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

// payState is what became of a Magento invoice's invoice.paid event.
type payState int

const (
	payNone    payState = iota // no invoice.paid run: the event never reached ledger
	paySynced                  // the payment was posted to Xero
	paySkipped                 // the policy skipped it (e.g. payment_method_not_mapped)
	payPending                 // queued, running, failed or dead-lettered
)

// invoiceCase is everything known of one synced invoice.
type invoiceCase struct {
	inv        *magento.Invoice
	xeroID     string
	xeroNumber string
	status     string // the policy's xero_invoice_status_default at posting
	pay        payState
	payRunID   uint64
	createdRun uint64
}

func money(m *xero.Money) (decimal.Decimal, bool) {
	if m == nil {
		return decimal.Zero, false
	}
	return m.Decimal, true
}

func fixed(d decimal.Decimal) string { return d.StringFixed(2) }

func moneyText(m *xero.Money) string {
	if d, ok := money(m); ok {
		return fixed(d)
	}
	return "(none)"
}

func sameMoney(a decimal.Decimal, m *xero.Money) bool {
	d, ok := money(m)
	return ok && a.Round(2).Equal(d.Round(2))
}

// expectInvoice is what Xero should show for c: paid invoices are PAID with
// nothing due; unpaid ones keep the posting status with the total (less
// what Xero says was credited) due. A payment the policy skipped leaves
// the invoice unpaid in Xero on purpose.
func expectInvoice(c invoiceCase, credited decimal.Decimal) (status string, due decimal.Decimal) {
	total := c.inv.GrandTotal
	if c.inv.State == "paid" && c.pay != paySkipped {
		return "PAID", decimal.Zero
	}
	due = total.Sub(credited)
	if !due.IsPositive() {
		if total.IsPositive() {
			return "PAID", decimal.Zero
		}
		due = decimal.Zero
	}
	status = c.status
	if status == "" {
		status = domain.InvoiceAuthorised
	}
	return status, due
}

// compareInvoice lists how x (nil: Xero did not return it) differs from c.
func compareInvoice(c invoiceCase, x *xero.Invoice) []Drift {
	base := Drift{Kind: KindInvoice, MagentoID: c.inv.MagentoID, MagentoNumber: c.inv.IncrementID, XeroID: c.xeroID, XeroNumber: c.xeroNumber}
	if x == nil {
		d := base
		d.Field, d.MagentoValue, d.XeroValue = FieldMissing, "exists", "not found"
		d.Action = fmt.Sprintf("Xero no longer has invoice %s — check it was not deleted or archived in Xero, then retry run %d (Sync history → Retry, or `ledger sync retry %d`) to post it again.", c.xeroNumber, c.createdRun, c.createdRun)
		return []Drift{d}
	}
	var out []Drift
	if !sameMoney(c.inv.GrandTotal, x.Total) {
		d := base
		d.Field, d.MagentoValue, d.XeroValue = FieldTotal, fixed(c.inv.GrandTotal), moneyText(x.Total)
		d.Action = "The invoice was changed after it was synced — correct it in Xero to match Magento (or void it in Xero and retry its run)."
		out = append(out, d)
	}
	credited, _ := money(x.AmountCredited)
	status, due := expectInvoice(c, credited)
	if x.Status == "VOIDED" || x.Status == "DELETED" {
		d := base
		d.Field, d.MagentoValue, d.XeroValue = FieldStatus, status, x.Status
		d.Action = fmt.Sprintf("The invoice was %s in Xero — if that was a mistake, retry run %d (Sync history → Retry, or `ledger sync retry %d`) to post it again.", lower(x.Status), c.createdRun, c.createdRun)
		return append(out, d)
	}
	if x.Status != status && !(status == domain.InvoiceAuthorised && x.Status == domain.InvoiceSubmitted) {
		d := base
		d.Field, d.MagentoValue, d.XeroValue = FieldStatus, status, x.Status
		d.Action = statusAction(c, status, x.Status)
		out = append(out, d)
	}
	if !sameMoney(due, x.AmountDue) {
		d := base
		d.Field, d.MagentoValue, d.XeroValue = FieldAmountDue, fixed(due), moneyText(x.AmountDue)
		d.Action = dueAction(c, due)
		out = append(out, d)
	}
	return out
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func statusAction(c invoiceCase, want, got string) string {
	if want == "PAID" {
		return payAction(c)
	}
	if got == "PAID" {
		return "Xero shows the invoice paid but Magento does not — check the payment recorded in Xero and remove it if it is wrong."
	}
	return "The invoice's status was changed in Xero — set it back to " + want + " in Xero, or leave it if the change was intended."
}

func dueAction(c invoiceCase, due decimal.Decimal) string {
	if due.IsZero() {
		return payAction(c)
	}
	return "A payment or credit was added to or removed from the invoice in Xero — check its payments and allocations against Magento."
}

// payAction says why an invoice Magento has paid is not paid in Xero.
func payAction(c invoiceCase) string {
	switch c.pay {
	case payPending:
		return fmt.Sprintf("The payment has not reached Xero yet — open run %d in Sync history, fix what it names, then retry it.", c.payRunID)
	case payNone:
		return fmt.Sprintf("ledger never received the payment of invoice %s — ask whoever runs ledger to queue it again with `ledger sync backfill BINDING --invoices %d-%d`.", c.inv.IncrementID, c.inv.MagentoID, c.inv.MagentoID)
	}
	return "The payment was removed in Xero — apply it again in Xero, or delete any partial payment and retry the payment run."
}

// compareCreditNote lists how x (nil: not found) differs from cm.
func compareCreditNote(cm *magento.CreditMemo, xeroID, xeroNumber string, runID uint64, x *xero.CreditNote) []Drift {
	base := Drift{Kind: KindCreditNote, MagentoID: cm.MagentoID, MagentoNumber: cm.IncrementID, XeroID: xeroID, XeroNumber: xeroNumber}
	if x == nil {
		d := base
		d.Field, d.MagentoValue, d.XeroValue = FieldMissing, "exists", "not found"
		d.Action = fmt.Sprintf("Xero no longer has credit note %s — check it was not deleted in Xero, then retry run %d (Sync history → Retry, or `ledger sync retry %d`) to post it again.", xeroNumber, runID, runID)
		return []Drift{d}
	}
	var out []Drift
	if !sameMoney(cm.GrandTotal, x.Total) {
		d := base
		d.Field, d.MagentoValue, d.XeroValue = FieldTotal, fixed(cm.GrandTotal), moneyText(x.Total)
		d.Action = "The credit note was changed after it was synced — correct it in Xero to match Magento's refund."
		out = append(out, d)
	}
	if x.Status != domain.InvoiceAuthorised && x.Status != "PAID" {
		d := base
		d.Field, d.MagentoValue, d.XeroValue = FieldStatus, "AUTHORISED or PAID", x.Status
		d.Action = fmt.Sprintf("The credit note is %s in Xero — if that was a mistake, retry run %d (Sync history → Retry, or `ledger sync retry %d`) to post it again.", lower(x.Status), runID, runID)
		out = append(out, d)
	}
	return out
}
