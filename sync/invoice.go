package sync

import (
	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

// MapInvoice builds the ACCREC invoice for a Magento invoice (§10.1):
// InvoiceNumber = prefix + increment_id (never prefixed twice), Reference =
// the order number, Date = created_at in the organisation's time zone,
// DueDate = Date + terms, Status = the policy default, Exclusive lines with
// per-line DiscountAmount, a shipping line, and a rounding line when Xero's
// arithmetic misses grand_total by a few cents.
//
// A header discount larger than the lines' discounts is Magento's shipping
// discount; it becomes the shipping line's DiscountAmount.
func MapInvoice(inv magento.Invoice, contactID string, p domain.Policy, ref *domain.ReferenceCache) (xero.Invoice, error) {
	if err := checkCurrency(inv.Currency, ref); err != nil {
		return xero.Invoice{}, err
	}
	what := "Magento invoice " + inv.IncrementID
	date, err := orgDate(inv.CreatedAt, what, ref)
	if err != nil {
		return xero.Invoice{}, err
	}
	m := lineMapper{p: p, what: what}

	var lines []xero.LineItem
	lineDiscounts := decimal.Zero
	for _, l := range keptLines(inv.Lines) {
		item, err := m.product(l)
		if err != nil {
			return xero.Invoice{}, err
		}
		if item.DiscountAmount != nil {
			lineDiscounts = lineDiscounts.Add(item.DiscountAmount.Decimal)
		}
		lines = append(lines, item)
	}
	if inv.ShippingAmount.IsPositive() {
		shipDiscount := inv.DiscountAmount.Abs().Sub(lineDiscounts)
		if !shipDiscount.IsPositive() || shipDiscount.GreaterThan(inv.ShippingAmount) {
			shipDiscount = decimal.Zero
		}
		item, err := m.charge(DescShipping, inv.ShippingAmount, inv.ShippingTaxAmount, shipDiscount, p.DefaultRevenueAccountCode)
		if err != nil {
			return xero.Invoice{}, err
		}
		lines = append(lines, item)
	}
	if lines, err = m.balance(lines, inv.GrandTotal); err != nil {
		return xero.Invoice{}, err
	}

	status := p.InvoiceStatusDefault
	if status == "" {
		status = domain.InvoiceAuthorised
	}
	return xero.Invoice{
		Type:            "ACCREC",
		InvoiceNumber:   numbered(p.InvoiceNumberPrefix, inv.IncrementID),
		Reference:       inv.OrderIncrementID,
		Contact:         &xero.Contact{ContactID: contactID},
		Date:            ymd(date),
		DueDate:         ymd(date.AddDate(0, 0, p.TermsDays())),
		Status:          status,
		LineAmountTypes: "Exclusive",
		LineItems:       lines,
		CurrencyCode:    inv.Currency,
	}, nil
}
