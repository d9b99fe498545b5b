package sync

import (
	"testing"

	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

// FuzzMapInvoice builds an invoice from random line amounts (in cents) and
// checks that MapInvoice never panics and either refuses it or balances it
// to the cent.
func FuzzMapInvoice(f *testing.F) {
	f.Add(int64(2), int64(1000), int64(200), int64(360), int64(500), int64(100), int64(0), "")
	f.Add(int64(3), int64(333), int64(0), int64(200), int64(0), int64(0), int64(3), "20.00")
	f.Add(int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), "")
	f.Add(int64(-1), int64(-5), int64(-7), int64(-9), int64(-1), int64(-1), int64(-2), "x")
	f.Fuzz(func(t *testing.T, qty, unitCents, discCents, taxCents, shipCents, shipTaxCents, driftCents int64, rate string) {
		mapsToTheCent(t, qty, decimal.New(unitCents%10_000_000, -2), discCents, taxCents, shipCents, shipTaxCents, driftCents, rate)
	})
}

// FuzzMapInvoiceFourDecimals is FuzzMapInvoice with unit prices in
// ten-thousandths, as Magento keeps them and ledger posts them (unitdp=4).
func FuzzMapInvoiceFourDecimals(f *testing.F) {
	f.Add(int64(1000), int64(125), int64(0), int64(250), int64(0), int64(0), int64(0), "20.00")
	f.Add(int64(7), int64(12345), int64(3), int64(0), int64(499), int64(0), int64(1), "")
	f.Add(int64(3), int64(33333), int64(0), int64(200), int64(0), int64(0), int64(0), "20.00")
	f.Fuzz(func(t *testing.T, qty, unitTenThousandths, discCents, taxCents, shipCents, shipTaxCents, driftCents int64, rate string) {
		mapsToTheCent(t, qty, decimal.New(unitTenThousandths%1_000_000_000, -4), discCents, taxCents, shipCents, shipTaxCents, driftCents, rate)
	})
}

// mapsToTheCent maps an invoice of two equal lines and fails unless it is
// refused with a user-safe message or its Xero total equals grand_total
// with no unit price beyond four decimals.
func mapsToTheCent(t *testing.T, qty int64, unit decimal.Decimal, discCents, taxCents, shipCents, shipTaxCents, driftCents int64, rate string) {
	c := func(n int64) decimal.Decimal { return decimal.New(n%10_000_000, -2) }
	q := decimal.NewFromInt(qty % 1000)
	sub := round2(q.Mul(unit))
	l := magento.Line{SKU: "S", Name: "N", Qty: q, UnitPrice: unit, LineSubtotal: sub,
		LineTax: c(taxCents), LineTotal: sub.Add(c(taxCents)).Sub(c(discCents))}
	inv := magento.Invoice{
		IncrementID: "1", Currency: "GBP", CreatedAt: "2026-01-01T00:00:00Z",
		Lines:          []magento.Line{l, l},
		ShippingAmount: c(shipCents), ShippingTaxAmount: c(shipTaxCents),
		DiscountAmount: c(discCents).Mul(decimal.NewFromInt(-2)),
	}
	inv.GrandTotal = l.LineTotal.Mul(decimal.NewFromInt(2)).Add(c(driftCents % 20))
	if inv.ShippingAmount.IsPositive() {
		inv.GrandTotal = inv.GrandTotal.Add(inv.ShippingAmount).Add(inv.ShippingTaxAmount)
	}
	p := ukPolicy()
	p.TaxRateMap = map[string]string{rate: "RROUTPUT"}
	got, err := MapInvoice(inv, "c", p, testRef())
	if err != nil {
		if domain.KindOf(err) != domain.EInvalid || domain.MessageOf(err) == "" {
			t.Fatalf("error is not a user-safe EInvalid: %v", err)
		}
		return
	}
	if total := XeroTotal(got.LineItems); !total.Equal(inv.GrandTotal) {
		t.Fatalf("XeroTotal %s != grand_total %s", total, inv.GrandTotal)
	}
	for _, li := range got.LineItems {
		if li.UnitAmount != nil && !li.UnitAmount.Equal(li.UnitAmount.Round(4)) {
			t.Fatalf("unit amount %s has more than four decimals", li.UnitAmount)
		}
	}
}

func TestXeroTotal(t *testing.T) {
	tests := []struct {
		name  string
		lines []xero.LineItem
		want  string
	}{
		{"empty", nil, "0"},
		{"rounds each line product", []xero.LineItem{line("a", "3", "3.333", "", "", "0", "")}, "10.00"},
		{"discount and tax", []xero.LineItem{line("a", "2", "10", "2", "", "3.6", "")}, "21.6"},
		{"missing quantity counts as one", []xero.LineItem{{UnitAmount: m("4.5"), TaxAmount: m("0.9")}}, "5.4"},
		{"negative lines", []xero.LineItem{line("a", "1", "10", "", "", "0", ""), line("b", "1", "-1.5", "", "", "0", "")}, "8.5"},
	}
	for _, tt := range tests {
		if got := XeroTotal(tt.lines); !got.Equal(dec(tt.want)) {
			t.Errorf("%s: XeroTotal = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func BenchmarkMapInvoice(b *testing.B) {
	inv := loadInvoice(b, "invoice-bundle-configurable.json")
	p, ref := ukPolicy(), testRef()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MapInvoice(inv, "c", p, ref); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(inv.Lines)), "ns/line")
}
