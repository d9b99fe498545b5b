package sync

import (
	"github.com/shopspring/decimal"

	"ledger/xero"
)

// round2 rounds to cents, half away from zero, as Xero does.
func round2(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

// LineNet is what Xero makes of one Exclusive line before tax:
// round2(Quantity × UnitAmount) − DiscountAmount. A missing Quantity counts
// as 1 and a missing UnitAmount as 0.
func LineNet(l xero.LineItem) decimal.Decimal {
	q := decimal.NewFromInt(1)
	if l.Quantity != nil {
		q = l.Quantity.Decimal
	}
	u := decimal.Zero
	if l.UnitAmount != nil {
		u = l.UnitAmount.Decimal
	}
	net := round2(q.Mul(u))
	if l.DiscountAmount != nil {
		net = net.Sub(round2(l.DiscountAmount.Decimal))
	}
	return net
}

// XeroTotal is the Total Xero computes for Exclusive lines:
// Σ (round2(Quantity × UnitAmount) − DiscountAmount) + Σ TaxAmount.
func XeroTotal(lines []xero.LineItem) decimal.Decimal {
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(LineNet(l))
		if l.TaxAmount != nil {
			total = total.Add(round2(l.TaxAmount.Decimal))
		}
	}
	return total
}
