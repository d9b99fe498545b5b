package reconcile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

func m(s string) *xero.Money { return xero.MoneyPtr(decimal.RequireFromString(s)) }

func TestCompareInvoice(t *testing.T) {
	inv := func(state, total string) *magento.Invoice {
		return &magento.Invoice{MagentoID: 1, IncrementID: "0001", State: state, GrandTotal: decimal.RequireFromString(total)}
	}
	type fields struct{ Field, Want, Got string }
	tests := []struct {
		name string
		c    invoiceCase
		x    *xero.Invoice
		want []fields
	}{
		{"paid and paid", invoiceCase{inv: inv("paid", "10"), pay: paySynced}, &xero.Invoice{Status: "PAID", Total: m("10.00"), AmountDue: m("0")}, nil},
		{"open and authorised", invoiceCase{inv: inv("open", "10")}, &xero.Invoice{Status: "AUTHORISED", Total: m("10"), AmountDue: m("10")}, nil},
		{"open, submitted is fine", invoiceCase{inv: inv("open", "10")}, &xero.Invoice{Status: "SUBMITTED", Total: m("10"), AmountDue: m("10")}, nil},
		{"draft policy", invoiceCase{inv: inv("open", "10"), status: domain.InvoiceDraft}, &xero.Invoice{Status: "DRAFT", Total: m("10"), AmountDue: m("10")}, nil},
		{"skipped payment stays authorised", invoiceCase{inv: inv("paid", "10"), pay: paySkipped}, &xero.Invoice{Status: "AUTHORISED", Total: m("10"), AmountDue: m("10")}, nil},
		{"credited in full", invoiceCase{inv: inv("open", "10")}, &xero.Invoice{Status: "PAID", Total: m("10"), AmountDue: m("0"), AmountCredited: m("10")}, nil},
		{"partly credited", invoiceCase{inv: inv("open", "10")}, &xero.Invoice{Status: "AUTHORISED", Total: m("10"), AmountDue: m("6"), AmountCredited: m("4")}, nil},
		{"payment removed", invoiceCase{inv: inv("paid", "10"), pay: paySynced}, &xero.Invoice{Status: "AUTHORISED", Total: m("10"), AmountDue: m("10")},
			[]fields{{FieldStatus, "PAID", "AUTHORISED"}, {FieldAmountDue, "0.00", "10.00"}}},
		{"payment never arrived", invoiceCase{inv: inv("paid", "10"), pay: payNone}, &xero.Invoice{Status: "AUTHORISED", Total: m("10"), AmountDue: m("10")},
			[]fields{{FieldStatus, "PAID", "AUTHORISED"}, {FieldAmountDue, "0.00", "10.00"}}},
		{"paid in Xero only", invoiceCase{inv: inv("open", "10")}, &xero.Invoice{Status: "PAID", Total: m("10"), AmountDue: m("0")},
			[]fields{{FieldStatus, "AUTHORISED", "PAID"}, {FieldAmountDue, "10.00", "0.00"}}},
		{"total edited", invoiceCase{inv: inv("open", "10")}, &xero.Invoice{Status: "AUTHORISED", Total: m("12"), AmountDue: m("10")},
			[]fields{{FieldTotal, "10.00", "12.00"}}},
		{"sub-cent is not drift", invoiceCase{inv: inv("open", "10.001")}, &xero.Invoice{Status: "AUTHORISED", Total: m("10.00"), AmountDue: m("10.00")}, nil},
		{"no total from Xero", invoiceCase{inv: inv("open", "10")}, &xero.Invoice{Status: "AUTHORISED", AmountDue: m("10")},
			[]fields{{FieldTotal, "10.00", "(none)"}}},
		{"voided", invoiceCase{inv: inv("open", "10")}, &xero.Invoice{Status: "VOIDED", Total: m("10"), AmountDue: m("0")},
			[]fields{{FieldStatus, "AUTHORISED", "VOIDED"}}},
		{"gone", invoiceCase{inv: inv("open", "10")}, nil, []fields{{FieldMissing, "exists", "not found"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []fields
			for _, d := range compareInvoice(tt.c, tt.x) {
				if d.Action == "" {
					t.Errorf("drift on %s has no action", d.Field)
				}
				got = append(got, fields{d.Field, d.MagentoValue, d.XeroValue})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("drift (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareCreditNote(t *testing.T) {
	cm := &magento.CreditMemo{MagentoID: 8, IncrementID: "0008", GrandTotal: decimal.RequireFromString("17.8")}
	tests := []struct {
		name string
		x    *xero.CreditNote
		want []string
	}{
		{"authorised", &xero.CreditNote{Status: "AUTHORISED", Total: m("17.80")}, nil},
		{"allocated", &xero.CreditNote{Status: "PAID", Total: m("17.80")}, nil},
		{"edited", &xero.CreditNote{Status: "AUTHORISED", Total: m("20")}, []string{FieldTotal}},
		{"voided", &xero.CreditNote{Status: "VOIDED", Total: m("17.8")}, []string{FieldStatus}},
		{"gone", nil, []string{FieldMissing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range compareCreditNote(cm, "cn-id", "0008", 3, tt.x) {
				got = append(got, d.Field)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCoverageRespectsMaps(t *testing.T) {
	card, po := "stripe_payments", "purchaseorder"
	invs := map[int64]*magento.Invoice{
		1: {IncrementID: "1", PaymentMethod: &card, Lines: []magento.Line{{LineSubtotal: decimal.NewFromInt(10), LineTax: decimal.NewFromInt(2), LineTotal: decimal.NewFromInt(12)}}},
		2: {IncrementID: "2", PaymentMethod: &po, Lines: []magento.Line{{LineSubtotal: decimal.NewFromInt(10), LineTax: decimal.RequireFromString("0.5"), LineTotal: decimal.RequireFromString("10.5")}}},
	}
	p := domain.DefaultPolicy()
	p.TaxRateMap = map[string]string{"20.00": "OUTPUT2"}
	p.PaymentMethodMap = map[string]*string{po: nil} // explicit don't auto-pay counts as mapped
	got := coverage([]int64{1, 2, 3}, invs, p)
	want := Coverage{
		InvoicesSampled: 2,
		TaxRates:        []UnmappedRate{{Rate: "5.00", Invoices: 1, Examples: []string{"2"}}},
		PaymentMethods:  []UnmappedMethod{{Method: card, Invoices: 1, Examples: []string{"1"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
}
