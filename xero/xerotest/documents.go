package xerotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledger/xero"
)

func envelope(key string, v any, now time.Time) map[string]any {
	return map[string]any{"Id": newID(), "Status": "OK", "ProviderName": "ledger-tests", "DateTimeUTC": msDate(now.Format("2006-01-02T15:04:05")), key: v}
}

// msDate renders a stored YYYY-MM-DD (or timestamp) as Xero's /Date(ms+0000)/.
func msDate(s string) string {
	t, err := xero.ParseTime(s)
	if err != nil || s == "" {
		return s
	}
	return fmt.Sprintf("/Date(%d+0000)/", t.UnixMilli())
}

// getList serves every filtered GET. Caller holds mu.
func (s *Server) getList(w http.ResponseWriter, r *http.Request, o *org, name string) {
	q := r.URL.Query()
	terms, ok := parseWhere(q.Get("where"))
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ErrorNumber": 16, "Type": "QueryParseException", "Message": "where clause could not be parsed"})
		return
	}
	inList := func(param, v string) bool {
		p := q.Get(param)
		if p == "" {
			return true
		}
		for _, x := range strings.Split(p, ",") {
			if strings.EqualFold(strings.TrimSpace(x), v) {
				return true
			}
		}
		return false
	}
	keep := func(get func(string) string) bool { return len(terms) == 0 || matchWhere(terms, get) }
	dp := unitDP(r)
	now := s.clock.Now()
	var out any
	var pg *pagination
	paged := func(list any, p pagination) any { pg = &p; return list }
	switch name {
	case "Organisation":
		out = []xero.Organisation{o.org}
		name = "Organisations"
	case "Accounts":
		out = o.accounts
	case "TaxRates":
		out = o.taxRates
	case "BrandingThemes":
		out = o.themes
	case "TrackingCategories":
		out = o.tracking
	case "Currencies":
		out = o.currencies
	case "Contacts":
		list := []xero.Contact{}
		for _, c := range o.contacts {
			if keep(func(f string) string {
				return map[string]string{"ContactNumber": c.ContactNumber, "Name": c.Name, "ContactID": c.ContactID, "EmailAddress": c.EmailAddress}[f]
			}) {
				list = append(list, *c)
			}
		}
		out = paged(pageOf(list, q))
	case "Invoices":
		list := []xero.Invoice{}
		for _, v := range o.invoices {
			if inList("IDs", v.InvoiceID) && inList("InvoiceNumbers", v.InvoiceNumber) &&
				keep(func(f string) string {
					return map[string]string{"InvoiceNumber": v.InvoiceNumber, "Reference": v.Reference, "InvoiceID": v.InvoiceID}[f]
				}) {
				list = append(list, renderInvoice(*v, dp))
			}
		}
		out = paged(pageOf(list, q))
	case "CreditNotes":
		list := []xero.CreditNote{}
		for _, v := range o.creditNotes {
			if keep(func(f string) string {
				return map[string]string{"CreditNoteNumber": v.CreditNoteNumber, "Reference": v.Reference, "CreditNoteID": v.CreditNoteID}[f]
			}) {
				list = append(list, renderCreditNote(*v, dp))
			}
		}
		out = paged(pageOf(list, q))
	case "Payments":
		list := []xero.Payment{}
		for _, p := range o.payments {
			if keep(func(f string) string {
				return map[string]string{"Reference": p.Reference, "PaymentID": p.PaymentID, "Invoice.InvoiceID": p.Invoice.InvoiceID}[f]
			}) {
				c := *p
				c.Date = msDate(c.Date)
				list = append(list, c)
			}
		}
		out = paged(pageOf(list, q))
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"Title": "Not Found", "Status": 404})
		return
	}
	env := envelope(name, out, now)
	if pg != nil {
		env["pagination"] = pg
	}
	writeJSON(w, http.StatusOK, env)
}

// renderInvoice is an invoice as Xero answers it, unit prices at dp
// decimals.
func renderInvoice(v xero.Invoice, dp int32) xero.Invoice {
	v.Date, v.DueDate = msDate(v.Date), msDate(v.DueDate)
	v.LineItems = roundUnits(v.LineItems, dp)
	return v
}

// renderCreditNote is a credit note as Xero answers it, unit prices at dp
// decimals.
func renderCreditNote(v xero.CreditNote, dp int32) xero.CreditNote {
	v.Date = msDate(v.Date)
	v.LineItems = roundUnits(v.LineItems, dp)
	return v
}

// batch answers a batch write: with summarizeErrors=false, 200 and every
// element; otherwise a 400 ValidationException when any element failed.
func batch(w http.ResponseWriter, r *http.Request, key string, elems []any, failed bool, now time.Time) {
	if failed && r.URL.Query().Get("summarizeErrors") != "false" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred", "Elements": elems})
		return
	}
	writeJSON(w, http.StatusOK, envelope(key, elems, now))
}

func msgs(m ...string) []xero.ValidationMessage {
	out := make([]xero.ValidationMessage, len(m))
	for i, s := range m {
		out[i] = xero.ValidationMessage{Message: s}
	}
	return out
}

func decodeBatch(w http.ResponseWriter, body []byte, v any) bool {
	if err := json.Unmarshal(body, v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": "JSON for post data was invalid: " + err.Error()})
		return false
	}
	return true
}

func zero() *xero.Money { return xero.MoneyPtr(decimal.Zero) }

func dec(m *xero.Money) decimal.Decimal {
	if m == nil {
		return decimal.Zero
	}
	return m.Decimal
}

// resolveContact finds (or, given only a Name, creates) the contact an
// invoice names. Caller holds mu.
func (s *Server) resolveContact(o *org, c *xero.Contact) (*xero.Contact, string) {
	if c == nil {
		return nil, "A Contact must be specified for this type of transaction"
	}
	for _, x := range o.contacts {
		if (c.ContactID != "" && x.ContactID == c.ContactID) || (c.ContactID == "" && c.ContactNumber != "" && x.ContactNumber == c.ContactNumber) ||
			(c.ContactID == "" && c.ContactNumber == "" && c.Name != "" && strings.EqualFold(x.Name, c.Name)) {
			return x, ""
		}
	}
	if c.ContactID != "" || c.Name == "" {
		return nil, "The contact specified could not be found"
	}
	nc := &xero.Contact{ContactID: newID(), ContactStatus: "ACTIVE", Name: c.Name, ContactNumber: c.ContactNumber}
	o.contacts = append(o.contacts, nc)
	return nc, ""
}

// unitDP is how many decimals of a UnitAmount Xero keeps for a request:
// two by default, four when the request opts in with unitdp=4. Xero rounds
// the rest away rather than refusing it — "By default, the API accepts unit
// prices (UnitAmount) to two decimals places. If you require greater
// precision, you can opt-in to 4 decimal places by adding the querystring
// parameter unitdp=4" and "All summary values such as Total, LineAmount
// etc will remain at two decimal places only"
// (https://developer.xero.com/documentation/api-guides/rounding-in-xero);
// integrations that send more decimals "have these values automatically
// rounded to two decimal places", and a GET without the parameter answers
// two decimals too (Xero's 4DP announcement,
// https://community.xero.com/developer/discussion/5271689/). Rounding is
// half away from zero (1.795 → 1.80, the example in
// https://www.databuzz.com.au/fmaccounting-link-xero-edition-and-unit-price-rounding-in-xero/),
// as decimal.Round does. A fifth decimal under unitdp=4 is rounded the same
// way: an assumption, Xero does not document that case.
func unitDP(r *http.Request) int32 {
	if r.URL.Query().Get("unitdp") == "4" {
		return 4
	}
	return 2
}

// roundUnits rounds every line's UnitAmount to dp decimals, on copies of
// the lines (a stored document is never changed by an answer).
func roundUnits(items []xero.LineItem, dp int32) []xero.LineItem {
	if items == nil {
		return nil
	}
	out := make([]xero.LineItem, len(items))
	for i, li := range items {
		if li.UnitAmount != nil {
			li.UnitAmount = xero.MoneyPtr(li.UnitAmount.Round(dp))
		}
		out[i] = li
	}
	return out
}

// lines checks and totals line items like Xero: UnitAmount is kept to dp
// decimals (unitDP); line amount = round2(qty × unit) − discount; tax on
// top for Exclusive (a given TaxAmount is honoured), inside for Inclusive,
// none for NoTax.
func (s *Server) lines(o *org, lat string, items []xero.LineItem, dp int32) (sub, tax decimal.Decimal, problems []string) {
	for i := range items {
		li := &items[i]
		if li.UnitAmount != nil {
			li.UnitAmount = xero.MoneyPtr(li.UnitAmount.Round(dp))
		}
		if li.AccountCode != "" && findAccount(o, "", li.AccountCode) == nil {
			problems = append(problems, fmt.Sprintf("Account code '%s' is not a valid code for this document.", li.AccountCode))
		}
		rate := decimal.Zero
		if li.TaxType != "" {
			tr := findTax(o, li.TaxType)
			if tr == nil {
				problems = append(problems, fmt.Sprintf("The TaxType code '%s' does not exist or cannot be used for this type of transaction.", li.TaxType))
			} else {
				rate = dec(tr.EffectiveRate)
			}
		}
		qty := decimal.NewFromInt(1)
		if li.Quantity != nil {
			qty = li.Quantity.Decimal
		}
		amt := qty.Mul(dec(li.UnitAmount)).Round(2).Sub(dec(li.DiscountAmount))
		if li.UnitAmount == nil && li.LineAmount != nil {
			amt = li.LineAmount.Decimal
		}
		var t decimal.Decimal
		switch {
		case li.TaxAmount != nil:
			t = li.TaxAmount.Decimal
		case lat == "NoTax":
		case lat == "Inclusive":
			t = amt.Sub(amt.Div(decimal.NewFromInt(1).Add(rate.Div(decimal.NewFromInt(100)))).Round(2))
		default:
			t = amt.Mul(rate).Div(decimal.NewFromInt(100)).Round(2)
		}
		if lat == "Inclusive" {
			amt = amt.Sub(t)
		}
		li.LineAmount, li.TaxAmount = xero.MoneyPtr(amt), xero.MoneyPtr(t)
		sub, tax = sub.Add(amt), tax.Add(t)
	}
	return sub, tax, problems
}

func findAccount(o *org, id, code string) *xero.Account {
	for i, a := range o.accounts {
		if (id != "" && a.AccountID == id) || (id == "" && code != "" && a.Code == code) {
			return &o.accounts[i]
		}
	}
	return nil
}

func findTax(o *org, typ string) *xero.TaxRate {
	for i, t := range o.taxRates {
		if t.TaxType == typ && t.Status == "ACTIVE" {
			return &o.taxRates[i]
		}
	}
	return nil
}

func subscribed(o *org, code string) bool {
	for _, c := range o.currencies {
		if c.Code == code {
			return true
		}
	}
	return false
}
