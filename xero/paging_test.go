package xero_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/xero"
	"ledger/xero/xerotest"
)

// TestLookupsFollowPages: every look-up reads all pages of matches from a
// fake that pages like Xero (100 per page), so the last match is found.
func TestLookupsFollowPages(t *testing.T) {
	srv, c, _, _ := setup(t, xerotest.Options{})
	ctx := context.Background()
	tenant := c.TenantID()

	// One invoice of 250.00 paid in 250 payments of 1.00, all Reference "100".
	cs, err := c.CreateContacts(ctx, "contact:pager", []xero.Contact{{Name: "Pager Ltd", ContactNumber: "P-1"}})
	if err != nil || cs[0].Err(0) != nil {
		t.Fatalf("contact: %+v %v", cs, err)
	}
	invs, err := c.CreateInvoices(ctx, "invoice:pager", []xero.Invoice{{Type: "ACCREC", InvoiceNumber: "INV-P", Contact: &xero.Contact{ContactID: cs[0].ContactID},
		Date: "2026-04-29", DueDate: "2026-05-13", Status: "AUTHORISED", LineAmountTypes: "NoTax", CurrencyCode: "GBP",
		LineItems: []xero.LineItem{{Description: "Bulk", Quantity: d("1"), UnitAmount: d("250.00"), AccountCode: "200"}}}})
	if err != nil || invs[0].Err(0) != nil {
		t.Fatalf("invoice: %+v %v", invs, err)
	}
	invID := invs[0].InvoiceID
	bank := srv.Account(tenant, xerotest.BankAccountCode)
	for b := 0; b < 5; b++ {
		var ps []xero.Payment
		for i := 0; i < 50; i++ {
			ps = append(ps, xero.Payment{Invoice: &xero.Invoice{InvoiceID: invID}, Account: &xero.AccountRef{AccountID: bank.AccountID}, Date: "2026-04-29", Amount: d("1.00"), Reference: "100"})
		}
		out, err := c.CreatePayments(ctx, "pay:"+strconv.Itoa(b), ps)
		if err != nil || out[0].Err(0) != nil {
			t.Fatalf("payments batch %d: %v", b, err)
		}
	}
	last := srv.Payments(tenant)[249].PaymentID

	// Contacts sharing a number or a name, planted as an import would.
	plant := func(n int, number, name string) {
		for i := 1; i <= n; i++ {
			srv.PlantContacts(tenant, xero.Contact{ContactNumber: number, Name: fmt.Sprintf("%s %d", name, i)})
		}
	}
	plant(201, "SHARED", "Shop")
	plant(200, "EXACT", "Exact") // an exact multiple of 100: pagination ends it
	for i := 0; i < 150; i++ {
		srv.PlantContacts(tenant, xero.Contact{Name: "Archived Same", ContactStatus: "ARCHIVED"})
	}

	paymentIDs := func(ps []xero.Payment, err error) (int, string, error) {
		if len(ps) == 0 {
			return 0, "", err
		}
		return len(ps), ps[len(ps)-1].PaymentID, err
	}
	contactNames := func(cs []xero.Contact, err error) (int, string, error) {
		if len(cs) == 0 {
			return 0, "", err
		}
		return len(cs), cs[len(cs)-1].Name, err
	}
	type result struct {
		N     int
		Last  string
		Calls int
	}
	tests := []struct {
		name     string
		endpoint string
		look     func() (int, string, error)
		want     result
	}{
		{"payments for invoice", "GET /Payments", func() (int, string, error) { return paymentIDs(c.PaymentsForInvoices(ctx, []string{invID})) }, result{250, last, 3}},
		{"payments for invoices", "GET /Payments", func() (int, string, error) {
			return paymentIDs(c.PaymentsForInvoices(ctx, []string{invID, "00000000-0000-0000-0000-000000000001"}))
		}, result{250, last, 3}},
		{"contacts sharing a number", "GET /Contacts", func() (int, string, error) { return contactNames(c.ContactsByNumber(ctx, []string{"SHARED"})) }, result{201, "Shop 201", 3}},
		{"exact multiple of a page", "GET /Contacts", func() (int, string, error) { return contactNames(c.ContactsByNumber(ctx, []string{"EXACT"})) }, result{200, "Exact 200", 2}},
		{"contacts sharing a name", "GET /Contacts", func() (int, string, error) { return contactNames(c.ContactsByName(ctx, []string{"Archived Same"})) }, result{150, "Archived Same", 2}},
		{"no match", "GET /Contacts", func() (int, string, error) { return contactNames(c.ContactsByNumber(ctx, []string{"NONE"})) }, result{0, "", 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.Calls()[tt.endpoint]
			n, lastOne, err := tt.look()
			if err != nil {
				t.Fatal(err)
			}
			got := result{n, lastOne, srv.Calls()[tt.endpoint] - before}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if v := srv.Violations(); len(v) != 0 {
		t.Errorf("OpenAPI violations: %v", v)
	}
}

type staticToken string

func (s staticToken) AccessToken(context.Context) (string, error) { return string(s), nil }

// pager is a bare Accounting API that answers GET /Contacts with n
// contacts per page, forever or up to total, and records the pages asked.
func pager(t *testing.T, answer func(page, size int) (items int, pagination any)) (*xero.Client, *[]string) {
	t.Helper()
	var asked []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		asked = append(asked, q.Get("page")+"/"+q.Get("pageSize"))
		page, _ := strconv.Atoi(q.Get("page"))
		size, _ := strconv.Atoi(q.Get("pageSize"))
		n, pg := answer(page, size)
		cs := make([]xero.Contact, n)
		for i := range cs {
			cs[i] = xero.Contact{ContactID: fmt.Sprintf("p%d-%d", page, i), Name: "x"}
		}
		body := map[string]any{"Contacts": cs}
		if pg != nil {
			body["pagination"] = pg
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return xero.NewClient(xero.Config{APIURL: s.URL}, staticToken("tok"), "tenant", nil, s.Client()), &asked
}

func TestLookupPagingBounds(t *testing.T) {
	ctx := context.Background()
	t.Run("endless full pages stop with a typed error", func(t *testing.T) {
		c, asked := pager(t, func(int, int) (int, any) { return xero.PageSize, nil })
		got, err := c.ContactsByNumber(ctx, []string{"1"})
		var tm *xero.TooManyPagesError
		if !errors.As(err, &tm) || tm.Pages != xero.MaxPages || got != nil {
			t.Fatalf("got %d contacts, err %v; want TooManyPagesError", len(got), err)
		}
		if len(*asked) != xero.MaxPages || (*asked)[xero.MaxPages-1] != strconv.Itoa(xero.MaxPages)+"/100" {
			t.Errorf("asked %d pages, last %q", len(*asked), (*asked)[len(*asked)-1])
		}
	})
	t.Run("an unpaged answer is everything", func(t *testing.T) {
		c, asked := pager(t, func(int, int) (int, any) { return 150, nil })
		got, err := c.ContactsByNumber(ctx, []string{"1"})
		if err != nil || len(got) != 150 || len(*asked) != 1 {
			t.Fatalf("got %d, err %v, asked %v", len(got), err, *asked)
		}
	})
	t.Run("full pages without pagination end at the short page", func(t *testing.T) {
		c, asked := pager(t, func(page, _ int) (int, any) { return map[int]int{1: 100, 2: 100, 3: 0}[page], nil })
		got, err := c.ContactsByNumber(ctx, []string{"1"})
		if diff := cmp.Diff([]string{"1/100", "2/100", "3/100"}, *asked); err != nil || len(got) != 200 || diff != "" {
			t.Fatalf("got %d, err %v, pages (-want +got):\n%s", len(got), err, diff)
		}
	})
	t.Run("pagination's pageCount ends a full last page", func(t *testing.T) {
		c, asked := pager(t, func(page, _ int) (int, any) {
			return 100, map[string]int{"page": page, "pageSize": 100, "pageCount": 2, "itemCount": 200}
		})
		got, err := c.ContactsByNumber(ctx, []string{"1"})
		if err != nil || len(got) != 200 || len(*asked) != 2 {
			t.Fatalf("got %d, err %v, asked %v", len(got), err, *asked)
		}
	})
	t.Run("a garbled page is a decode error", func(t *testing.T) {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"Contacts": {"not": "a list"}}`))
		}))
		t.Cleanup(s.Close)
		c := xero.NewClient(xero.Config{APIURL: s.URL}, staticToken("tok"), "tenant", nil, s.Client())
		var de *xero.DecodeError
		if _, err := c.ContactsByNumber(ctx, []string{"1"}); !errors.As(err, &de) {
			t.Fatalf("err = %v, want DecodeError", err)
		}
	})
}
