package xerotest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/xero"
)

// raw sends one Accounting request as a client that does (or does not)
// opt in to unitdp=4 would, and decodes the answer's documents.
func raw(t *testing.T, s *Server, token, method, pathAndQuery string, body any) map[string][]xero.Invoice {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, s.URL+"/api.xro/2.0"+pathAndQuery, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Xero-tenant-id", s.Organisations()[0])
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", pathAndQuery+method)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: status %d", method, pathAndQuery, resp.StatusCode)
	}
	// Invoices and credit notes share the fields compared here.
	var out map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	docs := map[string][]xero.Invoice{}
	for _, k := range []string{"Invoices", "CreditNotes"} {
		if b, ok := out[k]; ok {
			var v []xero.Invoice
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			docs[k] = v
		}
	}
	return docs
}

// line is one line as the fake answers it.
type line struct{ Qty, Unit, Line string }

// Without unitdp=4 Xero rounds UnitAmount to two decimals; with it, Xero
// keeps four. LineAmount is round2(Quantity × UnitAmount) − DiscountAmount
// either way, and the totals are sums of cents. A GET without unitdp=4
// answers the unit price at two decimals, whatever was stored.
func TestUnitDecimalPlaces(t *testing.T) {
	s := New(t, Options{})
	tok := s.Consent(t, s.Config("https://ledger.test/oauth/xero/callback"))
	items := []xero.LineItem{
		{Description: "Screw", Quantity: pct("1000"), UnitAmount: pct("0.0125"), TaxType: "NONE"},
		{Description: "Third", Quantity: pct("3"), UnitAmount: pct("3.3333"), TaxType: "NONE"},
		{Description: "Speck", Quantity: pct("7"), UnitAmount: pct("0.0001"), TaxType: "NONE"},
		{Description: "Half", Quantity: pct("1"), UnitAmount: pct("1.795"), TaxType: "NONE"},
		{Description: "Fifth decimal", Quantity: pct("2"), UnitAmount: pct("1.23456"), DiscountAmount: pct("0.5"), TaxType: "NONE"},
		{Description: "Refund", Quantity: pct("1"), UnitAmount: pct("-0.0049"), TaxType: "NONE"},
	}
	tests := []struct {
		name, query, number string
		lines               []line
		total               string
	}{
		{
			name: "two decimals by default", query: "", number: "DP2",
			lines: []line{
				{"1000", "0.01", "10"},
				{"3", "3.33", "9.99"},
				{"7", "0", "0"},
				{"1", "1.8", "1.8"}, // half away from zero
				{"2", "1.23", "1.96"},
				{"1", "0", "0"},
			},
			total: "23.75",
		},
		{
			name: "four decimals with unitdp=4", query: "unitdp=4", number: "DP4",
			lines: []line{
				{"1000", "0.0125", "12.5"},
				{"3", "3.3333", "10"},   // 9.9999 → 10.00
				{"7", "0.0001", "0"},    // 0.0007 → 0.00
				{"1", "1.795", "1.8"},   // 1.795 → 1.80
				{"2", "1.2346", "1.97"}, // a fifth decimal is rounded: 2.4692 → 2.47 − 0.50
				{"1", "-0.0049", "0"},
			},
			total: "26.27",
		},
	}
	for _, kind := range []struct{ path, typ, number string }{{"/Invoices", "ACCREC", "InvoiceNumber"}, {"/CreditNotes", "ACCRECCREDIT", "CreditNoteNumber"}} {
		key := kind.path[1:]
		for _, tt := range tests {
			t.Run(key+"/"+tt.name, func(t *testing.T) {
				number := key + "-" + tt.number
				doc := map[string]any{"Type": kind.typ, kind.number: number, "Contact": map[string]any{"Name": "Ada Ltd"},
					"Date": "2026-04-29", "DueDate": "2026-05-13", "Status": "AUTHORISED", "LineAmountTypes": "Exclusive", "LineItems": items}
				q := "?summarizeErrors=false"
				if tt.query != "" {
					q += "&" + tt.query
				}
				created := raw(t, s, tok.AccessToken, http.MethodPut, kind.path+q, map[string]any{key: []any{doc}})[key]
				if len(created) != 1 || created[0].HasErrors {
					t.Fatalf("created = %+v", created)
				}
				if diff := cmp.Diff(tt.lines, lines(created[0])); diff != "" {
					t.Errorf("answer to the write (-want +got):\n%s", diff)
				}
				if got := created[0].Total.String(); got != tt.total || created[0].SubTotal.String() != tt.total {
					t.Errorf("SubTotal %s Total %s, want %s", created[0].SubTotal, got, tt.total)
				}

				where := "?where=" + kind.number + "%3D%3D%22" + number + "%22"
				for _, read := range []struct {
					query string
					want  []line
				}{
					{"&unitdp=4", tt.lines},
					{"", twoDecimals(tt.lines)},
				} {
					got := raw(t, s, tok.AccessToken, http.MethodGet, kind.path+where+read.query, nil)[key]
					if len(got) != 1 {
						t.Fatalf("GET%s: %d documents", read.query, len(got))
					}
					if diff := cmp.Diff(read.want, lines(got[0])); diff != "" {
						t.Errorf("GET%s (-want +got):\n%s", read.query, diff)
					}
					if got[0].Total.String() != tt.total {
						t.Errorf("GET%s: Total %s, want %s", read.query, got[0].Total, tt.total)
					}
				}
			})
		}
	}
	if v := s.Violations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
}

func lines(v xero.Invoice) []line {
	var out []line
	for _, l := range v.LineItems {
		out = append(out, line{l.Quantity.String(), l.UnitAmount.String(), l.LineAmount.String()})
	}
	return out
}

// twoDecimals is what a GET without unitdp=4 answers: unit prices at two
// decimals, quantities and line amounts untouched.
func twoDecimals(ls []line) []line {
	out := make([]line, len(ls))
	for i, l := range ls {
		u := pct(l.Unit).Round(2)
		out[i] = line{l.Qty, u.String(), l.Line}
	}
	return out
}

// A query parameter the operation does not list in Xero's OpenAPI (unitdp
// on payments, say) is a violation: the fake's validation is what keeps
// ledger from sending unitdp where Xero does not document it.
func TestUndocumentedQueryParameterIsAViolation(t *testing.T) {
	tests := []struct {
		method, path string
		want         int // violations
	}{
		{http.MethodGet, "/Invoices?unitdp=4&page=1", 0},
		{http.MethodGet, "/CreditNotes?unitdp=4&where=Status%3D%3D%22PAID%22", 0},
		{http.MethodGet, "/Payments?unitdp=4", 1},
		{http.MethodGet, "/Contacts?unitdp=4&bogus=1", 1},
		{http.MethodGet, "/Invoices?Unitdp=4", 1}, // names are case-sensitive
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			s := New(t, Options{})
			tok := s.Consent(t, s.Config("https://ledger.test/oauth/xero/callback"))
			req, err := http.NewRequest(tt.method, s.URL+"/api.xro/2.0"+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			req.Header.Set("Xero-tenant-id", s.Organisations()[0])
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			v := s.Violations()
			if len(v) != tt.want {
				t.Fatalf("violations = %q, want %d", v, tt.want)
			}
			if tt.want > 0 && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
		})
	}
}
