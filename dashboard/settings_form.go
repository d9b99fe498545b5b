package dashboard

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"ledger/domain"
)

// The settings form: one field per policy key (payment-method routing and
// the tax-rate map are several inputs that make one key's JSON value).

type settingsField struct {
	Key, Name, Label, Hint string
	Kind                   string // checkbox | select | text | number | date
	Value                  string
	Checked                bool
	Options                []option
	Error, Code            string
}

// DescribedBy is the aria-describedby of the field's input: its hint and
// its error, so a screen reader reads both with the label.
func (f settingsField) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, "h-"+f.Name)
	}
	if f.Error != "" {
		ids = append(ids, "e-"+f.Name)
	}
	return strings.Join(ids, " ")
}

type settingsCard struct {
	Title, Hint string
	Fields      []settingsField
}

type settingsData struct {
	visibleBinding
	ID          uint64
	Cards       []settingsCard
	Errors      bool
	ErrorCount  int             // keys refused: nothing is saved while any is
	ErrorLinks  []settingsField // the fields showing an error, for the summary's links
	NoReference bool
}

const pmPrefix, dontPay = "pm:", "none"

// formInput is what the form shows for each input name: the saved policy,
// or what the user submitted when it comes back with errors.
type formInput func(name, saved string) string

func savedOnly(_, saved string) string { return saved }

func submitted(form url.Values) formInput {
	return func(name, saved string) string {
		if _, ok := form[name]; ok {
			return form.Get(name)
		}
		return saved
	}
}

// jsonString is p.Get(key) decoded when it is a JSON string, else the raw text.
func jsonString(p domain.Policy, key string) string {
	raw := p.Get(key)
	var s string
	if json.Unmarshal([]byte(raw), &s) == nil {
		return s
	}
	if raw == "null" {
		return ""
	}
	return raw
}

func selectOpts(cur string, opts []option, emptyLabel string) []option {
	out := []option{{Value: "", Label: emptyLabel}}
	found := cur == ""
	for _, o := range opts {
		o.Selected = o.Value == cur
		found = found || o.Selected
		out = append(out, o)
	}
	if !found {
		out = append(out, option{Value: cur, Label: "(missing) " + cur, Selected: true})
	}
	out[0].Selected = cur == ""
	return out
}

func refOptions(ref *domain.ReferenceCache) (revenue, bank, tax []option) {
	if ref == nil {
		return nil, nil, nil
	}
	for _, a := range ref.Accounts {
		if !strings.EqualFold(a.Status, "ACTIVE") {
			continue
		}
		if slices.Contains(domain.RevenueAccountTypes, strings.ToUpper(a.Type)) && a.Code != "" {
			revenue = append(revenue, option{Value: a.Code, Label: a.Code + " — " + a.Name})
		}
		if a.Payable() {
			bank = append(bank, option{Value: a.AccountID, Label: a.Name})
		}
	}
	for _, t := range ref.TaxRates {
		if strings.EqualFold(t.Status, "ACTIVE") || t.Status == "" {
			tax = append(tax, option{Value: t.TaxType, Label: fmt.Sprintf("%s (%s%%)", t.Name, trimRate(t.EffectiveRate))})
		}
	}
	return revenue, bank, tax
}

func trimRate(r string) string {
	if n, err := domain.NormaliseRate(r); err == nil {
		return n
	}
	return r
}

// buildCards lays out the form for policy p.
func buildCards(p domain.Policy, ref *domain.ReferenceCache, methods storeMethods, in formInput) []settingsCard {
	revenue, bank, tax := refOptions(ref)
	str := func(key string) string { return in(key, jsonString(p, key)) }
	check := func(key, label string) settingsField {
		v := in(key, strconv.FormatBool(p.Get(key) == "true"))
		return settingsField{Key: key, Name: key, Label: label, Kind: "checkbox", Checked: v == "true"}
	}
	sel := func(key, label, empty string, opts []option) settingsField {
		return settingsField{Key: key, Name: key, Label: label, Kind: "select", Options: selectOpts(str(key), opts, empty)}
	}
	text := func(key, label, kind, hint string) settingsField {
		return settingsField{Key: key, Name: key, Label: label, Kind: kind, Value: str(key), Hint: hint}
	}
	ids := func(key, label string) settingsField {
		var v []int64
		_ = json.Unmarshal([]byte(p.Get(key)), &v)
		parts := make([]string, len(v))
		for i, n := range v {
			parts[i] = strconv.FormatInt(n, 10)
		}
		return settingsField{Key: key, Name: key, Label: label, Kind: "text", Value: in(key, strings.Join(parts, ", ")), Hint: "Comma-separated ids; empty means all."}
	}
	fixed := func(vals ...string) []option {
		out := make([]option, len(vals))
		for i, v := range vals {
			out[i] = option{Value: v, Label: fixedLabels[v]}
		}
		return out
	}
	return []settingsCard{
		{Title: "Sync behaviour", Fields: []settingsField{
			check("sync_unpaid_invoices", "Sync unpaid invoices"),
			check("sync_zero_value_invoices", "Sync zero-value invoices"),
			text("sync_since", "Sync documents created since", "date", "Empty syncs everything."),
			ids("website_filter", "Only these Magento website ids"),
			ids("store_filter", "Only these Magento store ids"),
		}},
		{Title: "Default mappings and Xero defaults", Fields: []settingsField{
			sel("default_xero_revenue_account_code", "Default revenue account", "(none — Xero's item default)", revenue),
			sel("default_xero_tax_type", "Default tax rate", "(none — no tax)", tax),
			sel("default_bank_account_id", "Default bank account for payments", "(none — don't record payments)", bank),
		}},
		{Title: "Payment-method routing", Hint: "Where each Magento payment method's payments go in Xero.", Fields: methodFields(p, methods, bank, in)},
		{Title: "Invoices and contacts in Xero", Fields: []settingsField{
			text("invoice_number_prefix", "Invoice number prefix", "text", "Up to 10 characters, e.g. MAG-."),
			sel("customer_name_priority", "Contact name from", "(default: company)", fixed(domain.NamePriorityCompany, domain.NamePriorityPerson)),
			sel("xero_invoice_status_default", "New invoices are", "(default: approved)", fixed(domain.InvoiceDraft, domain.InvoiceSubmitted, domain.InvoiceAuthorised)),
			text("default_xero_payment_terms_days", "Payment terms (days)", "number", "Empty means 14."),
			sel("guest_contact_mode", "Guest customers", "(default: one per email)", fixed(domain.GuestPerEmail, domain.GuestSingle)),
		}},
		{Title: "Tax-rate map", Hint: "A Magento tax rate in percent → a Xero tax rate; used before the default.", Fields: rateFields(p, tax, in)},
		{Title: "Rounding and adjustment accounts", Fields: []settingsField{
			sel("rounding_account_code", "Rounding account", "(none)", revenue),
			sel("refund_adjustment_account_code", "Refund adjustment account", "(none)", revenue),
		}},
	}
}

func methodFields(p domain.Policy, methods storeMethods, bank []option, in formInput) []settingsField {
	codes := map[string]string{}
	for _, m := range methods.list {
		label := m.Code
		if m.Label != nil && *m.Label != "" {
			label = *m.Label + " (" + m.Code + ")"
		}
		codes[m.Code] = label
	}
	for code := range p.PaymentMethodMap {
		if _, ok := codes[code]; !ok {
			codes[code] = code
		}
	}
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []settingsField
	for _, code := range keys {
		cur := ""
		if dst, ok := p.PaymentMethodMap[code]; ok {
			cur = dontPay
			if dst != nil {
				cur = *dst
			}
		}
		opts := append([]option{{Value: dontPay, Label: "Don't auto-pay"}}, bank...)
		out = append(out, settingsField{Key: "payment_method_map", Name: pmPrefix + code, Label: codes[code], Kind: "select",
			Options: selectOpts(in(pmPrefix+code, cur), opts, "Default bank account")})
	}
	hint := methods.hint
	out = append(out,
		settingsField{Key: "payment_method_map", Name: "pm_new_code", Label: "Add a payment method code", Kind: "text", Value: in("pm_new_code", ""), Hint: hint},
		settingsField{Key: "payment_method_map", Name: "pm_new_account", Label: "… goes to", Kind: "select",
			Options: selectOpts(in("pm_new_account", ""), append([]option{{Value: dontPay, Label: "Don't auto-pay"}}, bank...), "Default bank account")})
	return out
}

func rateFields(p domain.Policy, tax []option, in formInput) []settingsField {
	rates := make([]string, 0, len(p.TaxRateMap)+1)
	for r := range p.TaxRateMap {
		rates = append(rates, r)
	}
	sort.Strings(rates)
	rates = append(rates, "")
	var out []settingsField
	for i, r := range rates {
		n := strconv.Itoa(i)
		label := "Rate %"
		if r == "" {
			label = "Add a rate %"
		}
		out = append(out,
			settingsField{Key: "tax_rate_map", Name: "tr_rate_" + n, Label: label, Kind: "text", Value: in("tr_rate_"+n, r)},
			settingsField{Key: "tax_rate_map", Name: "tr_type_" + n, Label: "… maps to", Kind: "select", Options: selectOpts(in("tr_type_"+n, p.TaxRateMap[r]), tax, "(remove)")})
	}
	return out
}

// fixedLabels are the words for the values of the fixed-choice settings
// (the values themselves are what the policy and the CLI store).
var fixedLabels = map[string]string{
	domain.NamePriorityCompany: "Company, else person",
	domain.NamePriorityPerson:  "Person, else company",
	domain.InvoiceDraft:        "Draft (DRAFT)",
	domain.InvoiceSubmitted:    "Awaiting approval (SUBMITTED)",
	domain.InvoiceAuthorised:   "Approved (AUTHORISED)",
	domain.GuestPerEmail:       "One contact per email",
	domain.GuestSingle:         "One shared contact “Guest customers”",
}
