package xero

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Batch writes send summarizeErrors=false: Xero answers 200 with one element
// per input, in order, each carrying its own ValidationErrors (see Err).

var batchQuery = url.Values{"summarizeErrors": {"false"}}

// Invoices and credit notes are written and read with unitdp=4: Xero then
// keeps (and answers) UnitAmount to four decimals instead of rounding it to
// two, so a Magento price of 0.0125 × 1000 posts as exactly that. Totals
// and LineAmount stay at cents. Only these operations list unitdp in Xero's
// OpenAPI (createInvoices, getInvoices, createCreditNotes, getCreditNotes);
// payments, allocations and contacts do not carry it.
var docBatchQuery = url.Values{"summarizeErrors": {"false"}, "unitdp": {"4"}}

// docQuery adds unitdp=4 to a GET of invoices or credit notes.
func docQuery(q url.Values) url.Values {
	q.Set("unitdp", "4")
	return q
}

// lookupChunk bounds the values per filtered GET so URLs stay short.
const lookupChunk = 25

// LookupCalls is how many GETs a look-up of n values makes at least: one
// per chunk of lookupChunk values (more when a chunk's matches fill a page).
func LookupCalls(n int) int { return (n + lookupChunk - 1) / lookupChunk }

func chunks(vals []string, n int) [][]string {
	var out [][]string
	for len(vals) > n {
		out = append(out, vals[:n])
		vals = vals[n:]
	}
	if len(vals) > 0 {
		out = append(out, vals)
	}
	return out
}

// whereString quotes a value for a Xero where filter.
func whereString(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// whereAnyOf builds `Field=="a" OR Field=="b"`.
func whereAnyOf(field string, vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = field + "==" + whereString(v)
	}
	return strings.Join(parts, " OR ")
}

// CreateContacts creates or updates (matched on ContactNumber) contacts.
func (c *Client) CreateContacts(ctx context.Context, key string, cs []Contact) ([]Contact, error) {
	var out struct{ Contacts []Contact }
	err := c.do(ctx, call{method: http.MethodPost, path: "/Contacts", query: batchQuery, key: key, body: map[string]any{"Contacts": cs}, out: &out})
	return out.Contacts, err
}

// ContactsByNumber finds contacts by ContactNumber.
func (c *Client) ContactsByNumber(ctx context.Context, numbers []string) ([]Contact, error) {
	return c.contactsWhere(ctx, "ContactNumber", numbers)
}

// ContactsByName finds active contacts by exact Name.
func (c *Client) ContactsByName(ctx context.Context, names []string) ([]Contact, error) {
	return c.contactsWhere(ctx, "Name", names)
}

func (c *Client) contactsWhere(ctx context.Context, field string, vals []string) ([]Contact, error) {
	var all []Contact
	for _, ch := range chunks(vals, lookupChunk) {
		got, err := getAll[Contact](ctx, c, "/Contacts", "Contacts", url.Values{"where": {whereAnyOf(field, ch)}})
		if err != nil {
			return nil, err
		}
		all = append(all, got...)
	}
	return all, nil
}

// CreateInvoices creates invoices (PUT: never updates an existing one).
func (c *Client) CreateInvoices(ctx context.Context, key string, invs []Invoice) ([]Invoice, error) {
	var out struct{ Invoices []Invoice }
	err := c.do(ctx, call{method: http.MethodPut, path: "/Invoices", query: docBatchQuery, key: key, body: map[string]any{"Invoices": invs}, out: &out})
	return normInvoices(out.Invoices), err
}

// InvoicesByNumber finds invoices by InvoiceNumber (InvoiceNumbers param).
func (c *Client) InvoicesByNumber(ctx context.Context, numbers []string) ([]Invoice, error) {
	return c.invoicesParam(ctx, "InvoiceNumbers", numbers)
}

// Invoices reads invoices by InvoiceID.
func (c *Client) Invoices(ctx context.Context, ids []string) ([]Invoice, error) {
	return c.invoicesParam(ctx, "IDs", ids)
}

func (c *Client) invoicesParam(ctx context.Context, param string, vals []string) ([]Invoice, error) {
	var all []Invoice
	for _, ch := range chunks(vals, lookupChunk) {
		got, err := getAll[Invoice](ctx, c, "/Invoices", "Invoices", docQuery(url.Values{param: {strings.Join(ch, ",")}}))
		if err != nil {
			return nil, err
		}
		all = append(all, normInvoices(got)...)
	}
	return all, nil
}

// CreatePayments applies payments to invoices (PUT /Payments).
func (c *Client) CreatePayments(ctx context.Context, key string, ps []Payment) ([]Payment, error) {
	var out struct{ Payments []Payment }
	err := c.do(ctx, call{method: http.MethodPut, path: "/Payments", query: batchQuery, key: key, body: map[string]any{"Payments": ps}, out: &out})
	return normPayments(out.Payments), err
}

// PaymentsForInvoices lists the payments applied to any of the invoices
// (25 invoices per filtered GET, every page); each payment names its
// invoice in Invoice.InvoiceID.
func (c *Client) PaymentsForInvoices(ctx context.Context, invoiceIDs []string) ([]Payment, error) {
	var all []Payment
	for _, ch := range chunks(invoiceIDs, lookupChunk) {
		got, err := getAll[Payment](ctx, c, "/Payments", "Payments", url.Values{"where": {whereInvoiceIDs(ch)}})
		if err != nil {
			return nil, err
		}
		all = append(all, normPayments(got)...)
	}
	return all, nil
}

// whereInvoiceIDs builds `Invoice.InvoiceID==guid("a") OR …`.
func whereInvoiceIDs(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = `Invoice.InvoiceID==guid(` + whereString(id) + `)`
	}
	return strings.Join(parts, " OR ")
}

// CreateCreditNotes creates credit notes (PUT /CreditNotes).
func (c *Client) CreateCreditNotes(ctx context.Context, key string, cns []CreditNote) ([]CreditNote, error) {
	var out struct{ CreditNotes []CreditNote }
	err := c.do(ctx, call{method: http.MethodPut, path: "/CreditNotes", query: docBatchQuery, key: key, body: map[string]any{"CreditNotes": cns}, out: &out})
	return normCreditNotes(out.CreditNotes), err
}

// CreditNotesByNumber finds credit notes by CreditNoteNumber.
func (c *Client) CreditNotesByNumber(ctx context.Context, numbers []string) ([]CreditNote, error) {
	var all []CreditNote
	for _, ch := range chunks(numbers, lookupChunk) {
		got, err := getAll[CreditNote](ctx, c, "/CreditNotes", "CreditNotes", docQuery(url.Values{"where": {whereAnyOf("CreditNoteNumber", ch)}}))
		if err != nil {
			return nil, err
		}
		all = append(all, normCreditNotes(got)...)
	}
	return all, nil
}

// AllocateCreditNote applies (part of) a credit note to an invoice.
func (c *Client) AllocateCreditNote(ctx context.Context, key, creditNoteID string, a Allocation) (Allocation, error) {
	var out struct{ Allocations []Allocation }
	err := c.do(ctx, call{method: http.MethodPut, path: "/CreditNotes/" + url.PathEscape(creditNoteID) + "/Allocations", query: batchQuery, key: key, body: map[string]any{"Allocations": []Allocation{a}}, out: &out})
	if err != nil {
		return Allocation{}, err
	}
	if len(out.Allocations) == 0 {
		return Allocation{}, &UnavailableError{Op: "PUT /CreditNotes/{id}/Allocations", StatusCode: 200, Sent: true}
	}
	got := out.Allocations[0]
	got.Date = dateOnly(got.Date)
	return got, got.Err(0)
}

// Dates read back are normalised to "YYYY-MM-DD" so callers compare them
// with what they wrote; an unreadable date is left as Xero sent it.
func dateOnly(s string) string {
	if d, err := DateOnly(s); err == nil {
		return d
	}
	return s
}

func normInvoices(vs []Invoice) []Invoice {
	for i := range vs {
		vs[i].Date, vs[i].DueDate = dateOnly(vs[i].Date), dateOnly(vs[i].DueDate)
	}
	return vs
}

func normCreditNotes(vs []CreditNote) []CreditNote {
	for i := range vs {
		vs[i].Date = dateOnly(vs[i].Date)
		for j := range vs[i].Allocations {
			vs[i].Allocations[j].Date = dateOnly(vs[i].Allocations[j].Date)
		}
	}
	return vs
}

func normPayments(vs []Payment) []Payment {
	for i := range vs {
		vs[i].Date = dateOnly(vs[i].Date)
	}
	return vs
}
