package xero_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"ledger/xero"
	"ledger/xero/xerotest"
)

func d(s string) *xero.Money { return xero.MoneyPtr(decimal.RequireFromString(s)) }

func TestReferenceCacheCalls(t *testing.T) {
	srv, c, _, _ := setup(t, xerotest.Options{})
	ctx := context.Background()
	org, err := c.Organisation(ctx)
	if err != nil || org.BaseCurrency != "GBP" || org.CreatedDateUTC == nil || org.CreatedDateUTC.IsZero() {
		t.Fatalf("organisation = %+v, %v", org, err)
	}
	accts, err := c.Accounts(ctx)
	if err != nil || len(accts) < 2 {
		t.Fatalf("accounts: %v %v", accts, err)
	}
	taxes, err := c.TaxRates(ctx)
	if err != nil || taxes[0].TaxType != "OUTPUT2" || !taxes[0].EffectiveRate.Equal(decimal.NewFromInt(20)) {
		t.Fatalf("tax rates: %+v %v", taxes, err)
	}
	for _, f := range []func(context.Context) error{
		func(ctx context.Context) error { _, err := c.BrandingThemes(ctx); return err },
		func(ctx context.Context) error { _, err := c.TrackingCategories(ctx); return err },
		func(ctx context.Context) error { _, err := c.Currencies(ctx); return err },
	} {
		if err := f(ctx); err != nil {
			t.Fatal(err)
		}
	}
	calls := srv.Calls()
	n := 0
	for _, k := range []string{"GET /Organisation", "GET /Accounts", "GET /TaxRates", "GET /BrandingThemes", "GET /TrackingCategories", "GET /Currencies"} {
		n += calls[k]
	}
	if n != 6 {
		t.Errorf("reference cache took %d calls, want 6: %v", n, calls)
	}
	t.Logf("connect: 1 token + 1 connections + %d reference GETs", n)
}

func TestWritesTotalsAndPerElementErrors(t *testing.T) {
	srv, c, _, _ := setup(t, xerotest.Options{})
	ctx := context.Background()
	tenant := c.TenantID()

	cs, err := c.CreateContacts(ctx, "contact:1", []xero.Contact{{Name: "Ada Ltd", ContactNumber: "1"}, {Name: "Ada Ltd", ContactNumber: "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if cs[0].Err(0) != nil || cs[0].ContactID == "" {
		t.Fatalf("contact 0: %+v", cs[0])
	}
	var ve *xero.ValidationError
	if err := cs[1].Err(1); !errors.As(err, &ve) || ve.Elements[0].Index != 1 ||
		ve.Messages()[0] != "The contact name Ada Ltd is already assigned to another contact. The contact name must be unique across all active contacts." {
		t.Fatalf("contact 1 err = %v", err)
	}

	inv := xero.Invoice{Type: "ACCREC", InvoiceNumber: "INV-100", Contact: &xero.Contact{ContactID: cs[0].ContactID},
		Date: "2026-04-29", DueDate: "2026-05-13", Status: "AUTHORISED", LineAmountTypes: "Exclusive", CurrencyCode: "GBP",
		LineItems: []xero.LineItem{
			{Description: "Widget", Quantity: d("3"), UnitAmount: d("9.995"), DiscountAmount: d("1.00"), AccountCode: "200", TaxType: "OUTPUT2"},
			{Description: "Shipping", Quantity: d("1"), UnitAmount: d("5.00"), AccountCode: "200", TaxType: "NONE"},
		}}
	bad := inv
	bad.InvoiceNumber, bad.CurrencyCode = "INV-101", "EUR"
	got, err := c.CreateInvoices(ctx, "invoice:100", []xero.Invoice{inv, bad})
	if err != nil {
		t.Fatal(err)
	}
	// 3 × 9.995 = 29.985 → 29.99 − 1.00 = 28.99; tax 20 % = 5.80; + 5.00 shipping.
	want := struct{ Sub, Tax, Total, Date string }{"33.99", "5.8", "39.79", "2026-04-29"}
	have := struct{ Sub, Tax, Total, Date string }{got[0].SubTotal.String(), got[0].TotalTax.String(), got[0].Total.String(), got[0].Date}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	if err := got[1].Err(1); err == nil || !errors.As(err, &ve) || ve.Messages()[0] != "Organisation is not subscribed to currency EUR" {
		t.Errorf("EUR invoice err = %v", err)
	}

	// Same Idempotency-Key → same answer, no new invoice.
	again, err := c.CreateInvoices(ctx, "invoice:100", []xero.Invoice{inv})
	if err != nil || again[0].InvoiceID != got[0].InvoiceID || len(srv.Invoices(tenant)) != 1 {
		t.Fatalf("replay: %v %v, invoices %d", again, err, len(srv.Invoices(tenant)))
	}
	dup, err := c.CreateInvoices(ctx, "invoice:100b", []xero.Invoice{inv})
	if err != nil || dup[0].Err(0) == nil || dup[0].ValidationErrors[0].Message != "Invoice # must be unique." {
		t.Fatalf("duplicate number: %+v %v", dup, err)
	}

	bank := srv.Account(tenant, xerotest.BankAccountCode)
	sales := srv.Account(tenant, xerotest.RevenueAccountCode)
	ps, err := c.CreatePayments(ctx, "invoice_payment:100", []xero.Payment{
		{Invoice: &xero.Invoice{InvoiceID: got[0].InvoiceID}, Account: &xero.AccountRef{AccountID: sales.AccountID}, Date: "2026-04-29", Amount: d("39.79"), Reference: "100"},
		{Invoice: &xero.Invoice{InvoiceID: got[0].InvoiceID}, Account: &xero.AccountRef{AccountID: bank.AccountID}, Date: "2026-04-29", Amount: d("99.00"), Reference: "100"},
	})
	if err != nil || ps[0].Err(0) == nil || ps[1].Err(1) == nil {
		t.Fatalf("bad payments accepted: %+v %v", ps, err)
	}

	cn, err := c.CreateCreditNotes(ctx, "credit_note:7", []xero.CreditNote{{Type: "ACCRECCREDIT", CreditNoteNumber: "CN-7", Contact: &xero.Contact{ContactID: cs[0].ContactID},
		Date: "2026-04-30", Status: "AUTHORISED", LineAmountTypes: "Exclusive", Reference: "INV-100",
		LineItems: []xero.LineItem{{Description: "Refund", Quantity: d("1"), UnitAmount: d("10.00"), AccountCode: "200", TaxType: "OUTPUT2"}}}})
	if err != nil || cn[0].Err(0) != nil || !cn[0].Total.Equal(decimal.RequireFromString("12")) {
		t.Fatalf("credit note: %+v %v", cn, err)
	}
	al, err := c.AllocateCreditNote(ctx, "alloc:7", cn[0].CreditNoteID, xero.Allocation{Invoice: &xero.Invoice{InvoiceID: got[0].InvoiceID}, Amount: *d("12.00"), Date: "2026-04-30"})
	if err != nil || al.Date != "2026-04-30" {
		t.Fatalf("allocation: %+v %v", al, err)
	}
	ps, err = c.CreatePayments(ctx, "invoice_payment:100b", []xero.Payment{
		{Invoice: &xero.Invoice{InvoiceID: got[0].InvoiceID}, Account: &xero.AccountRef{AccountID: bank.AccountID}, Date: "2026-04-29", Amount: d("27.79"), Reference: "100"}})
	if err != nil || ps[0].Err(0) != nil {
		t.Fatalf("payment: %+v %v", ps, err)
	}

	// Lookups.
	byNum, err := c.InvoicesByNumber(ctx, []string{"INV-100", "NOPE"})
	if err != nil || len(byNum) != 1 || byNum[0].Status != "PAID" || !byNum[0].AmountDue.IsZero() || byNum[0].DueDate != "2026-05-13" {
		t.Fatalf("by number: %+v %v", byNum, err)
	}
	byID, err := c.Invoices(ctx, []string{got[0].InvoiceID})
	if err != nil || len(byID) != 1 {
		t.Fatalf("by id: %v %v", byID, err)
	}
	pays, err := c.PaymentsForInvoices(ctx, []string{got[0].InvoiceID})
	if err != nil || len(pays) != 1 || pays[0].Date != "2026-04-29" {
		t.Fatalf("payments for invoice: %+v %v", pays, err)
	}
	if cr, err := c.CreditNotesByNumber(ctx, []string{"CN-7"}); err != nil || len(cr) != 1 || cr[0].Status != "PAID" {
		t.Fatalf("credit notes by number: %+v %v", cr, err)
	}
	if cn, err := c.ContactsByNumber(ctx, []string{"1", "2"}); err != nil || len(cn) != 1 {
		t.Fatalf("contacts by number: %+v %v", cn, err)
	}
	if cn, err := c.ContactsByName(ctx, []string{`Ada Ltd`, `Q "quoted"`}); err != nil || len(cn) != 1 {
		t.Fatalf("contacts by name: %+v %v", cn, err)
	}

	// Drift planted in Xero is visible to reads.
	total := decimal.RequireFromString("1.00")
	srv.PlantDrift(tenant, "INV-100", &total, "VOIDED")
	if v, _ := c.InvoicesByNumber(ctx, []string{"INV-100"}); v[0].Status != "VOIDED" || !v[0].Total.Equal(total) {
		t.Errorf("drift not visible: %+v", v[0])
	}
	if v := srv.Violations(); len(v) != 0 {
		t.Errorf("ledger's requests violate the OpenAPI: %v", v)
	}
}

func TestMalformedRequestIsCaught(t *testing.T) {
	srv, c, _, _ := setup(t, xerotest.Options{})
	_, err := c.CreateInvoices(context.Background(), "k", []xero.Invoice{{Type: "BOGUS"}})
	if err == nil {
		t.Fatal("malformed invoice accepted")
	}
	if v := srv.Violations(); len(v) != 1 {
		t.Fatalf("violations = %v, want 1", v)
	}
}

func TestFaults(t *testing.T) {
	srv, c, _, _ := setup(t, xerotest.Options{})
	ctx := context.Background()
	var un *xero.UnavailableError
	srv.SetFault(&xerotest.Fault{Status: 503, Times: 1})
	if _, err := c.Accounts(ctx); !errors.As(err, &un) || un.StatusCode != 503 {
		t.Fatalf("503: %v", err)
	}
	// Go's transport itself retries a dropped request carrying an
	// Idempotency-Key once, so drop twice to surface the unknown outcome.
	srv.SetFault(&xerotest.Fault{Drop: true, Times: 2})
	inv := xero.Invoice{Type: "ACCREC", InvoiceNumber: "D-1", Contact: &xero.Contact{Name: "Drop Co"}, Status: "AUTHORISED",
		LineItems: []xero.LineItem{{Description: "x", Quantity: d("1"), UnitAmount: d("1")}}}
	_, err := c.CreateInvoices(ctx, "invoice:d1", []xero.Invoice{inv})
	if !errors.As(err, &un) || !un.Sent {
		t.Fatalf("dropped: err = %v, want UnavailableError{Sent:true}", err)
	}
	// Retrying with the same key replays the applied outcome: still one invoice.
	got, err := c.CreateInvoices(ctx, "invoice:d1", []xero.Invoice{inv})
	if err != nil || got[0].Err(0) != nil || len(srv.Invoices(c.TenantID())) != 1 {
		t.Fatalf("retry after drop: %+v %v (invoices %d)", got, err, len(srv.Invoices(c.TenantID())))
	}
}
