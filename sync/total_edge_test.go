package sync

import (
	"testing"

	"github.com/shopspring/decimal"

	"ledger/magento"
)

// edgeLine builds a Magento line from its wire amounts.
func edgeLine(sku, qty, unit, sub, tax, total string) magento.Line {
	return magento.Line{SKU: sku, Name: sku, Qty: dec(qty), UnitPrice: dec(unit),
		LineSubtotal: dec(sub), LineTax: dec(tax), LineTotal: dec(total)}
}

// TestMapInvoiceTotalsEdgeCases: whatever Magento's arithmetic, the Total
// Xero computes from the mapped lines equals grand_total to the cent.
func TestMapInvoiceTotalsEdgeCases(t *testing.T) {
	tests := []struct {
		name                                string
		lines                               []magento.Line
		ship, shipTax, discount, grandTotal string
	}{
		{name: "4-decimal unit price, large qty", lines: []magento.Line{edgeLine("SCREW", "1000", "0.0125", "12.5", "2.5", "15")},
			grandTotal: "15"},
		{name: "4-decimal unit price, qty 7", lines: []magento.Line{edgeLine("BOLT", "7", "1.2345", "8.64", "1.73", "10.37")},
			grandTotal: "10.37"},
		{name: "fractional qty", lines: []magento.Line{edgeLine("CLOTH", "2.5", "3.99", "9.98", "2", "11.98")},
			grandTotal: "11.98"},
		{name: "100% discount", lines: []magento.Line{edgeLine("FREE", "1", "10", "10", "0", "0")},
			discount: "-10", grandTotal: "0"},
		{name: "tax on shipping only", lines: []magento.Line{edgeLine("BOOK", "1", "12", "12", "0", "12")},
			ship: "5", shipTax: "1", grandTotal: "18"},
		{name: "grand total 0, no lines", grandTotal: "0"},
		{name: "positive header discount normalised", lines: []magento.Line{edgeLine("TEE", "2", "10", "20", "3.6", "21.6")},
			ship: "5", shipTax: "1", discount: "-2", grandTotal: "27.6"},
		{name: "many tiny lines", lines: []magento.Line{
			edgeLine("A", "3", "0.3333", "1", "0.2", "1.2"),
			edgeLine("B", "3", "0.6667", "2", "0.4", "2.4"),
			edgeLine("C", "9", "0.1111", "1", "0.2", "1.2"),
		}, grandTotal: "4.8"},
	}
	or0 := func(s string) decimal.Decimal {
		if s == "" {
			return decimal.Zero
		}
		return dec(s)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := loadInvoice(t, "invoice-6.5-example.json")
			inv.Lines = tt.lines
			inv.ShippingAmount, inv.ShippingTaxAmount = or0(tt.ship), or0(tt.shipTax)
			inv.DiscountAmount, inv.GrandTotal = or0(tt.discount), dec(tt.grandTotal)
			got, err := MapInvoice(inv, "c", ukPolicy(), testRef())
			if err != nil {
				t.Fatalf("MapInvoice: %v", err)
			}
			if total := XeroTotal(got.LineItems); !total.Equal(inv.GrandTotal) {
				t.Errorf("XeroTotal = %s, want grand_total %s", total, inv.GrandTotal)
			}
			for _, l := range got.LineItems {
				if l.UnitAmount != nil && !l.UnitAmount.Round(4).Equal(l.UnitAmount.Decimal) {
					t.Errorf("line %q UnitAmount %s has more than 4 decimals", l.Description, l.UnitAmount)
				}
				if l.Quantity != nil && !l.Quantity.Round(4).Equal(l.Quantity.Decimal) {
					t.Errorf("line %q Quantity %s has more than 4 decimals", l.Description, l.Quantity)
				}
			}
		})
	}
}
