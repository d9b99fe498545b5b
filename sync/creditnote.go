package sync

import (
	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

// MapCreditNote builds the ACCRECCREDIT credit note for a Magento credit
// memo. CreditNoteNumber follows the invoice prefix rule; Reference is the
// parent invoice's Xero number, or the credit note's own number when the
// memo was made from the order (§12 #13). Lines are mapped like an
// invoice's (UnitAmount with a per-line DiscountAmount, not netted), then a
// shipping-refund line, "Adjustment refund" (+adjustment_positive) and
// "Adjustment fee" (−adjustment_negative) lines on
// refund_adjustment_account_code (else the default revenue account), and a
// rounding line if Xero's arithmetic misses grand_total by a few cents.
func MapCreditNote(cm magento.CreditMemo, contactID string, p domain.Policy, ref *domain.ReferenceCache) (xero.CreditNote, error) {
	if err := checkCurrency(cm.Currency, ref); err != nil {
		return xero.CreditNote{}, err
	}
	what := "Magento credit memo " + cm.IncrementID
	date, err := orgDate(cm.CreatedAt, what, ref)
	if err != nil {
		return xero.CreditNote{}, err
	}
	m := lineMapper{p: p, what: what}

	var lines []xero.LineItem
	for _, l := range keptLines(cm.Lines) {
		item, err := m.product(l)
		if err != nil {
			return xero.CreditNote{}, err
		}
		lines = append(lines, item)
	}
	type extra struct {
		desc        string
		amount, tax decimal.Decimal
		account     string
	}
	adjAccount := p.RefundAdjustmentAccountCode
	if adjAccount == "" {
		adjAccount = p.DefaultRevenueAccountCode
	}
	extras := []extra{
		{DescShippingRefund, cm.ShippingAmount, cm.ShippingTaxAmount, p.DefaultRevenueAccountCode},
		{DescAdjustmentRefund, cm.AdjustmentPositive.Abs(), decimal.Zero, adjAccount},
		{DescAdjustmentFee, cm.AdjustmentNegative.Abs().Neg(), decimal.Zero, adjAccount},
	}
	for _, e := range extras {
		if e.amount.IsZero() && e.tax.IsZero() {
			continue
		}
		item, err := m.charge(e.desc, e.amount, e.tax, decimal.Zero, e.account)
		if err != nil {
			return xero.CreditNote{}, err
		}
		lines = append(lines, item)
	}
	if lines, err = m.balance(lines, cm.GrandTotal); err != nil {
		return xero.CreditNote{}, err
	}

	number := numbered(p.InvoiceNumberPrefix, cm.IncrementID)
	reference := number
	if cm.InvoiceIncrementID != nil && *cm.InvoiceIncrementID != "" {
		reference = numbered(p.InvoiceNumberPrefix, *cm.InvoiceIncrementID)
	}
	status := p.InvoiceStatusDefault
	if status == "" {
		status = domain.InvoiceAuthorised
	}
	return xero.CreditNote{
		Type:             "ACCRECCREDIT",
		CreditNoteNumber: number,
		Reference:        reference,
		Contact:          &xero.Contact{ContactID: contactID},
		Date:             ymd(date),
		Status:           status,
		LineAmountTypes:  "Exclusive",
		LineItems:        lines,
		CurrencyCode:     cm.Currency,
	}, nil
}

// AllocationFor applies a credit note to the invoice it refunds while that
// invoice still has money due: amount = min(remaining credit, AmountDue),
// dated the later of the two documents' dates. It returns nil when nothing
// can be allocated: nothing due, a credit note or invoice that is not
// AUTHORISED (Xero allocates only between approved documents), or
// different currencies.
func AllocationFor(cn xero.CreditNote, invoice xero.Invoice) *xero.Allocation {
	if invoice.AmountDue == nil || !invoice.AmountDue.IsPositive() || invoice.InvoiceID == "" {
		return nil
	}
	if cn.Status != domain.InvoiceAuthorised || (invoice.Status != "" && invoice.Status != domain.InvoiceAuthorised) {
		return nil
	}
	if cn.CurrencyCode != "" && invoice.CurrencyCode != "" && cn.CurrencyCode != invoice.CurrencyCode {
		return nil
	}
	var credit decimal.Decimal
	switch {
	case cn.RemainingCredit != nil:
		credit = cn.RemainingCredit.Decimal
	case cn.Total != nil:
		credit = cn.Total.Decimal
	default:
		credit = XeroTotal(cn.LineItems)
	}
	if !credit.IsPositive() {
		return nil
	}
	date := cn.Date
	if invoice.Date > date && len(invoice.Date) == len("2006-01-02") {
		date = invoice.Date
	}
	return &xero.Allocation{
		Invoice: &xero.Invoice{InvoiceID: invoice.InvoiceID},
		Amount:  xero.M(decimal.Min(credit, invoice.AmountDue.Decimal)),
		Date:    date,
	}
}
