package xero_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/xero"
	"ledger/xero/xerotest"
)

// queryLog records each request's "METHOD /path" and its unitdp parameter.
type queryLog struct {
	mu   sync.Mutex
	next http.RoundTripper
	seen map[string]string
}

func (q *queryLog) RoundTrip(r *http.Request) (*http.Response, error) {
	q.mu.Lock()
	q.seen[r.Method+" "+r.URL.Path] = r.URL.Query().Get("unitdp")
	q.mu.Unlock()
	return q.next.RoundTrip(r)
}

// Invoices and credit notes travel with unitdp=4, so Xero keeps a unit
// price of 0.0125 instead of rounding it to 0.01; calls whose operation
// does not list unitdp in Xero's OpenAPI (payments, allocations, contacts)
// do not carry it.
func TestDocumentsUseFourDecimalUnitAmounts(t *testing.T) {
	srv, c, store, _ := setup(t, xerotest.Options{})
	ctx := context.Background()
	log := &queryLog{next: srv.Client().Transport, seen: map[string]string{}}
	cfg := srv.Config(redirect)
	c = xero.NewClient(cfg, xero.NewTokenSource(cfg, store, t.Name()), c.TenantID(), nil, &http.Client{Transport: log})

	cs, err := c.CreateContacts(ctx, "contact:1", []xero.Contact{{Name: "Ada Ltd", ContactNumber: "1"}})
	if err != nil || cs[0].Err(0) != nil {
		t.Fatalf("contact: %+v %v", cs, err)
	}
	screws := []xero.LineItem{{Description: "Screw", Quantity: d("1000"), UnitAmount: d("0.0125"), AccountCode: "200", TaxType: "NONE"}}
	inv, err := c.CreateInvoices(ctx, "invoice:1", []xero.Invoice{{Type: "ACCREC", InvoiceNumber: "INV-1", Contact: &xero.Contact{ContactID: cs[0].ContactID},
		Date: "2026-04-29", DueDate: "2026-05-13", Status: "AUTHORISED", LineAmountTypes: "Exclusive", LineItems: screws}})
	if err != nil || inv[0].Err(0) != nil {
		t.Fatalf("invoice: %+v %v", inv, err)
	}
	cn, err := c.CreateCreditNotes(ctx, "credit_note:1", []xero.CreditNote{{Type: "ACCRECCREDIT", CreditNoteNumber: "CN-1", Contact: &xero.Contact{ContactID: cs[0].ContactID},
		Date: "2026-04-30", Status: "AUTHORISED", LineAmountTypes: "Exclusive", LineItems: screws}})
	if err != nil || cn[0].Err(0) != nil {
		t.Fatalf("credit note: %+v %v", cn, err)
	}
	byNum, err := c.InvoicesByNumber(ctx, []string{"INV-1"})
	if err != nil || len(byNum) != 1 {
		t.Fatalf("invoices by number: %+v %v", byNum, err)
	}
	byID, err := c.Invoices(ctx, []string{inv[0].InvoiceID})
	if err != nil || len(byID) != 1 {
		t.Fatalf("invoices by id: %+v %v", byID, err)
	}
	cnByNum, err := c.CreditNotesByNumber(ctx, []string{"CN-1"})
	if err != nil || len(cnByNum) != 1 {
		t.Fatalf("credit notes by number: %+v %v", cnByNum, err)
	}
	if _, err := c.AllocateCreditNote(ctx, "alloc:1", cn[0].CreditNoteID, xero.Allocation{Invoice: &xero.Invoice{InvoiceID: inv[0].InvoiceID}, Amount: *d("12.50"), Date: "2026-04-30"}); err != nil {
		t.Fatalf("allocation: %v", err)
	}
	if _, err := c.PaymentsForInvoices(ctx, []string{inv[0].InvoiceID}); err != nil {
		t.Fatalf("payments: %v", err)
	}

	want := map[string]string{
		"POST /api.xro/2.0/Contacts":                                          "",
		"PUT /api.xro/2.0/Invoices":                                           "4",
		"GET /api.xro/2.0/Invoices":                                           "4",
		"PUT /api.xro/2.0/CreditNotes":                                        "4",
		"GET /api.xro/2.0/CreditNotes":                                        "4",
		"PUT /api.xro/2.0/CreditNotes/" + cn[0].CreditNoteID + "/Allocations": "",
		"GET /api.xro/2.0/Payments":                                           "",
	}
	if diff := cmp.Diff(want, log.seen); diff != "" {
		t.Errorf("unitdp per request (-want +got):\n%s", diff)
	}

	// Every answer keeps the four-decimal unit price; Xero's amounts stay at cents.
	type amounts struct{ Qty, Unit, Line, Total string }
	got := map[string]amounts{}
	note := func(what string, l xero.LineItem, total *xero.Money) {
		got[what] = amounts{l.Quantity.String(), l.UnitAmount.String(), l.LineAmount.String(), total.String()}
	}
	note("created invoice", inv[0].LineItems[0], inv[0].Total)
	note("invoice by number", byNum[0].LineItems[0], byNum[0].Total)
	note("invoice by id", byID[0].LineItems[0], byID[0].Total)
	note("created credit note", cn[0].LineItems[0], cn[0].Total)
	note("credit note by number", cnByNum[0].LineItems[0], cnByNum[0].Total)
	screw := amounts{"1000", "0.0125", "12.5", "12.5"}
	wantAmounts := map[string]amounts{"created invoice": screw, "invoice by number": screw, "invoice by id": screw, "created credit note": screw, "credit note by number": screw}
	if diff := cmp.Diff(wantAmounts, got); diff != "" {
		t.Errorf("line amounts (-want +got):\n%s", diff)
	}
	if v := srv.Violations(); len(v) != 0 {
		t.Errorf("requests violate the OpenAPI: %v", v)
	}
}
