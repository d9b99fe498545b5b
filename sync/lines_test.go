package sync

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/sync/synctest"
	"ledger/xero"
)

// posted is what an accountant reads on a Xero line.
type posted struct{ Desc, Qty, Unit, Line string }

func postedLines(ls []xero.LineItem) []posted {
	var out []posted
	for _, l := range ls {
		p := posted{Desc: l.Description, Qty: l.Quantity.String(), Unit: l.UnitAmount.String(), Line: LineNet(l).String()}
		if l.LineAmount != nil { // Xero's own figure, when it answered one
			p.Line = l.LineAmount.String()
		}
		out = append(out, p)
	}
	return out
}

// subCentCases are Magento lines whose unit price has more than two
// decimals (Magento keeps four), and what Xero must show for them.
var subCentCases = []struct {
	name string
	line magento.Line // LineTotal = subtotal + tax: no discount
	want []posted
}{
	{
		name: "1000 × 0.0125 keeps its quantity and unit price",
		line: edgeLine("SCREW", "1000", "0.0125", "12.5", "2.5", "15"),
		want: []posted{{"SCREW", "1000", "0.0125", "12.5"}},
	},
	{
		name: "3 × 3.3333 is 9.9999, which Xero rounds to Magento's 10.00",
		line: edgeLine("THIRD", "3", "3.3333", "10", "2", "12"),
		want: []posted{{"THIRD", "3", "3.3333", "10"}},
	},
	{
		name: "7 × 0.0001 is 0.00 in both",
		line: edgeLine("SPECK", "7", "0.0001", "0", "0", "0"),
		want: []posted{{"SPECK", "7", "0.0001", "0"}},
	},
	{
		name: "7 × 1.2345 is 8.6415, 8.64 in both",
		line: edgeLine("BOLT", "7", "1.2345", "8.64", "1.73", "10.37"),
		want: []posted{{"BOLT", "7", "1.2345", "8.64"}},
	},
	{
		name: "subtotal ÷ qty exact at 4 dp replaces a unit price that misses it",
		line: edgeLine("NUT", "4", "0.1234", "0.5", "0.1", "0.6"),
		want: []posted{{"NUT", "4", "0.125", "0.5"}},
	},
	{
		name: "a one-cent miss Magento rounded differently goes to a rounding line",
		line: edgeLine("TRIO", "3", "3.33", "10", "2", "12"),
		want: []posted{{"TRIO", "3", "3.33", "9.99"}, {"Rounding", "1", "0.01", "0.01"}},
	},
	{
		name: "zero-priced line (bundle parent) posts a unit amount of 0",
		line: edgeLine("KIT", "1", "50", "0", "0", "0"),
		want: []posted{{"KIT", "1", "0", "0"}},
	},
	{
		name: "beyond 4 decimals and a large qty: one unit of line_subtotal, exact",
		line: edgeLine("FINE", "1000", "0.01255", "12.55", "2.51", "15.06"),
		want: []posted{{"FINE — 1000 × 0.01255", "1", "12.55", "12.55"}},
	},
}

// The mapping keeps Magento's quantity and its unit price at up to four
// decimals; Xero's total of the lines is Magento's grand total to the cent.
func TestProductLineSubCentPrices(t *testing.T) {
	for _, tt := range subCentCases {
		t.Run(tt.name, func(t *testing.T) {
			inv := subCentInvoice(t, tt.line)
			p := ukPolicy()
			got, err := MapInvoice(inv, "c", p, testRef())
			if err != nil {
				t.Fatalf("MapInvoice: %v", err)
			}
			if diff := cmp.Diff(tt.want, postedLines(got.LineItems)); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if total := XeroTotal(got.LineItems); !total.Equal(inv.GrandTotal) {
				t.Errorf("XeroTotal = %s, Magento grand_total = %s", total, inv.GrandTotal)
			}
		})
	}
}

// The same lines posted to the strict fake Xero (with unitdp=4) come out
// with the same quantity and unit price, and Xero's own Total equals
// Magento's grand_total to the cent; so do credit notes.
func TestSubCentPricesInXero(t *testing.T) {
	for _, tt := range subCentCases {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, synctest.Options{})
			inv := subCentInvoice(t, tt.line)
			e.Magento.AddInvoice(inv)
			cm := magentotest.CreditMemoNoInvoice()
			cm.Currency, cm.Lines, cm.ShippingAmount, cm.GrandTotal = "GBP", []magento.Line{skuOnly(tt.line)}, dec("0"), inv.GrandTotal
			e.Magento.AddCreditMemo(cm)
			inID := e.Accept(domain.EventInvoiceCreated, inv.MagentoID, `{"paid":true}`)[0]
			cmID := e.Accept(domain.EventCreditmemoCreated, cm.MagentoID, "")[0]
			e.runOnce()
			for _, id := range []uint64{inID, cmID} {
				if r := e.Run(id); r.Status != domain.RunSucceeded {
					t.Fatalf("run %s: %s %s", r.Event, r.Status, r.ErrorMessage)
				}
			}
			v, ok := invoiceByNumber(e, inv.IncrementID)
			if !ok {
				t.Fatal("invoice not in Xero")
			}
			if diff := cmp.Diff(tt.want, postedLines(v.LineItems)); diff != "" {
				t.Errorf("Xero invoice lines (-want +got):\n%s", diff)
			}
			wantTotal(t, "invoice", v.Total, inv.GrandTotal.String())
			cns := e.Xero.CreditNotes(e.Org)
			if len(cns) != 1 {
				t.Fatalf("%d credit notes", len(cns))
			}
			if diff := cmp.Diff(tt.want, postedLines(cns[0].LineItems)); diff != "" {
				t.Errorf("Xero credit note lines (-want +got):\n%s", diff)
			}
			wantTotal(t, "credit note", cns[0].Total, cm.GrandTotal.String())
			if v := e.Xero.Violations(); len(v) > 0 {
				t.Errorf("OpenAPI violations: %v", v)
			}
		})
	}
}

// subCentInvoice is invoice 42 with l as its only line (described by its
// SKU alone): no shipping, no discount, grand_total = line_total.
func subCentInvoice(t *testing.T, l magento.Line) magento.Invoice {
	t.Helper()
	inv := loadInvoice(t, "invoice-6.5-example.json")
	inv.Lines = []magento.Line{skuOnly(l)}
	inv.ShippingAmount, inv.ShippingTaxAmount, inv.DiscountAmount = dec("0"), dec("0"), dec("0")
	inv.Subtotal, inv.TaxAmount, inv.GrandTotal = l.LineSubtotal, l.LineTax, l.LineTotal
	return inv
}

// skuOnly drops a line's name, so its Xero description is the SKU alone.
func skuOnly(l magento.Line) magento.Line { l.Name = ""; return l }

// A rounding line goes to rounding_account_code when it is set.
func TestRoundingLineAccount(t *testing.T) {
	p := ukPolicy()
	p.RoundingAccountCode = "260"
	inv := subCentInvoice(t, edgeLine("TRIO", "3", "3.33", "10", "2", "12"))
	got, err := MapInvoice(inv, "c", p, testRef())
	if err != nil {
		t.Fatalf("MapInvoice: %v", err)
	}
	want := []xero.LineItem{
		line("TRIO", "3", "3.33", "", "OUTPUT2", "2", "200"),
		line("Rounding", "1", "0.01", "", "NONE", "0", "260"),
	}
	if diff := cmp.Diff(want, got.LineItems, moneyEq); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}
