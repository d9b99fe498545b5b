package sync

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

func TestMapCreditNoteFixtures(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		policy  func(p *domain.Policy)
		want    xero.CreditNote
	}{
		{
			name: "offline refund without an invoice references itself", fixture: "creditmemo-offline.json",
			policy: func(p *domain.Policy) { p.InvoiceNumberPrefix = "M-" },
			want: xero.CreditNote{
				Type: "ACCRECCREDIT", CreditNoteNumber: "M-000000001", Reference: "M-000000001",
				Contact: &xero.Contact{ContactID: "c-1"}, Date: "2021-04-06", Status: "AUTHORISED",
				LineAmountTypes: "Exclusive", CurrencyCode: "USD",
				LineItems: []xero.LineItem{
					line("simple_1 (simple_1)", "1", "100", "", "NONE", "0", "200"),
					line("Shipping refund", "1", "5", "", "NONE", "0", "200"),
				},
			},
		},
		{
			name: "with invoice, discount, shipping tax and adjustments", fixture: "creditmemo-adjustments.json",
			policy: func(p *domain.Policy) { p.InvoiceNumberPrefix = "M-"; p.RefundAdjustmentAccountCode = "260" },
			want: xero.CreditNote{
				Type: "ACCRECCREDIT", CreditNoteNumber: "M-000000012", Reference: "M-000000042",
				Contact: &xero.Contact{ContactID: "c-1"}, Date: "2026-05-02", Status: "AUTHORISED",
				LineAmountTypes: "Exclusive", CurrencyCode: "GBP",
				LineItems: []xero.LineItem{
					line("T-shirt M (TEE-M)", "1", "10", "1", "OUTPUT2", "1.8", "200"),
					line("Shipping refund", "1", "5", "", "OUTPUT2", "1", "200"),
					line("Adjustment refund", "1", "3", "", "NONE", "0", "260"),
					line("Adjustment fee", "1", "-1.5", "", "NONE", "0", "260"),
				},
			},
		},
		{
			name: "adjustments fall back to the revenue account; rounding line", fixture: "creditmemo-adjustments.json",
			policy: func(p *domain.Policy) { p.InvoiceStatusDefault = domain.InvoiceDraft },
			want: xero.CreditNote{
				Type: "ACCRECCREDIT", CreditNoteNumber: "000000012", Reference: "000000042",
				Contact: &xero.Contact{ContactID: "c-1"}, Date: "2026-05-02", Status: "DRAFT",
				LineAmountTypes: "Exclusive", CurrencyCode: "GBP",
				LineItems: []xero.LineItem{
					line("T-shirt M (TEE-M)", "1", "10", "1", "OUTPUT2", "1.8", "200"),
					line("Shipping refund", "1", "5", "", "OUTPUT2", "1", "200"),
					line("Adjustment refund", "1", "3", "", "NONE", "0", "200"),
					line("Adjustment fee", "1", "-1.5", "", "NONE", "0", "200"),
					line("Rounding", "1", "0.01", "", "NONE", "0", "200"),
				},
			},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cm := load[magento.CreditMemo](t, tt.fixture)
			if i == 2 {
				cm.GrandTotal = cm.GrandTotal.Add(dec("0.01")) // Magento rounded one cent differently
			}
			p := ukPolicy()
			tt.policy(&p)
			got, err := MapCreditNote(cm, "c-1", p, testRef())
			if err != nil {
				t.Fatalf("MapCreditNote: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, moneyEq); diff != "" {
				t.Errorf("MapCreditNote (-want +got):\n%s", diff)
			}
			if total := XeroTotal(got.LineItems); !total.Equal(cm.GrandTotal) {
				t.Errorf("XeroTotal = %s, Magento grand_total = %s", total, cm.GrandTotal)
			}
		})
	}
}

func TestMapCreditNoteCurrencyNotEnabled(t *testing.T) {
	cm := load[magento.CreditMemo](t, "creditmemo-offline.json")
	cm.Currency = "EUR"
	_, err := MapCreditNote(cm, "c", ukPolicy(), testRef())
	if domain.CodeOf(err) != "currency_not_enabled" {
		t.Fatalf("err = %v, want currency_not_enabled", err)
	}
}

func TestAllocationFor(t *testing.T) {
	cn := xero.CreditNote{CreditNoteID: "cn-1", Status: "AUTHORISED", Date: "2026-05-02", CurrencyCode: "GBP", Total: m("18.30")}
	inv := func(due string, status string) xero.Invoice {
		i := xero.Invoice{InvoiceID: "inv-1", Status: status, Date: "2026-04-29", CurrencyCode: "GBP"}
		if due != "" {
			i.AmountDue = m(due)
		}
		return i
	}
	tests := []struct {
		name string
		cn   xero.CreditNote
		inv  xero.Invoice
		want *xero.Allocation
	}{
		{"partially due: allocate the due amount", cn, inv("10.00", "AUTHORISED"),
			&xero.Allocation{Invoice: &xero.Invoice{InvoiceID: "inv-1"}, Amount: *m("10.00"), Date: "2026-05-02"}},
		{"more due than credit: allocate the whole credit", cn, inv("27.60", "AUTHORISED"),
			&xero.Allocation{Invoice: &xero.Invoice{InvoiceID: "inv-1"}, Amount: *m("18.30"), Date: "2026-05-02"}},
		{"remaining credit wins over total", func() xero.CreditNote { c := cn; c.RemainingCredit = m("5"); return c }(), inv("27.60", "AUTHORISED"),
			&xero.Allocation{Invoice: &xero.Invoice{InvoiceID: "inv-1"}, Amount: *m("5"), Date: "2026-05-02"}},
		{"later invoice date", cn, func() xero.Invoice { i := inv("1", ""); i.Date = "2026-05-03"; return i }(),
			&xero.Allocation{Invoice: &xero.Invoice{InvoiceID: "inv-1"}, Amount: *m("1"), Date: "2026-05-03"}},
		{"paid invoice", cn, inv("0", "PAID"), nil},
		{"amount due unknown", cn, inv("", "AUTHORISED"), nil},
		{"draft credit note", func() xero.CreditNote { c := cn; c.Status = "DRAFT"; return c }(), inv("10", "AUTHORISED"), nil},
		{"draft invoice", cn, inv("10", "DRAFT"), nil},
		{"other currency", cn, func() xero.Invoice { i := inv("10", "AUTHORISED"); i.CurrencyCode = "EUR"; return i }(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, AllocationFor(tt.cn, tt.inv), moneyEq); diff != "" {
				t.Errorf("AllocationFor (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllocationForMappedCreditNote(t *testing.T) {
	cm := load[magento.CreditMemo](t, "creditmemo-adjustments.json")
	cn, err := MapCreditNote(cm, "c", ukPolicy(), testRef())
	if err != nil {
		t.Fatal(err)
	}
	got := AllocationFor(cn, xero.Invoice{InvoiceID: "inv-1", Status: "AUTHORISED", AmountDue: m("27.60"), Date: "2026-04-29"})
	want := &xero.Allocation{Invoice: &xero.Invoice{InvoiceID: "inv-1"}, Amount: *m("18.30"), Date: "2026-05-02"}
	if diff := cmp.Diff(want, got, moneyEq); diff != "" {
		t.Errorf("AllocationFor (-want +got):\n%s", diff)
	}
}
