package domain

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	bankID     = "9F5E6F84-0000-4000-8000-000000000001"
	savingsID  = "9f5e6f84-0000-4000-8000-000000000002"
	salesID    = "9f5e6f84-0000-4000-8000-000000000003"
	payableID  = "9f5e6f84-0000-4000-8000-000000000004"
	archBankID = "9f5e6f84-0000-4000-8000-000000000005"
)

func testRef() *ReferenceCache {
	return &ReferenceCache{
		Organisation: Organisation{Name: "Demo", BaseCurrency: "GBP", Timezone: "Europe/London"},
		Accounts: []Account{
			{AccountID: bankID, Code: "090", Name: "Business Bank", Type: "BANK", Status: "ACTIVE"},
			{AccountID: savingsID, Code: "091", Name: "Savings", Type: "BANK", Status: "ACTIVE"},
			{AccountID: salesID, Code: "200", Name: "Sales", Type: "REVENUE", Status: "ACTIVE"},
			{AccountID: "a4", Code: "260", Name: "Other Revenue", Type: "OTHERINCOME", Status: "ACTIVE"},
			{AccountID: "a5", Code: "201", Name: "Old sales", Type: "SALES", Status: "ARCHIVED"},
			{AccountID: "a6", Code: "610", Name: "Debtors", Type: "CURRENT", Status: "ACTIVE"},
			{AccountID: payableID, Code: "620", Name: "Stripe clearing", Type: "CURRENT", Status: "ACTIVE", PaymentsEnabled: true},
			{AccountID: archBankID, Code: "092", Name: "Closed bank", Type: "BANK", Status: "ARCHIVED"},
		},
		TaxRates: []TaxRate{
			{TaxType: "OUTPUT2", Name: "20% (VAT on Income)", EffectiveRate: "20.0000", Status: "ACTIVE"},
			{TaxType: "RROUTPUT", Name: "5% (VAT on Income)", EffectiveRate: "5.0000", Status: "ACTIVE"},
			{TaxType: "ZERORATEDOUTPUT", Name: "Zero Rated Income", EffectiveRate: "0.0000", Status: "ACTIVE"},
			{TaxType: "OLDVAT", Name: "17.5%", EffectiveRate: "17.5000", Status: "DELETED"},
		},
		Currencies: []string{"GBP", "EUR"},
	}
}

func ptr[T any](v T) *T { return &v }

func TestPolicySetValid(t *testing.T) {
	tests := []struct {
		key, value string
		edit       func(p *Policy)
	}{
		{"sync_unpaid_invoices", "false", func(p *Policy) { p.SyncUnpaidInvoices = false }},
		{"sync_zero_value_invoices", " false ", func(p *Policy) { p.SyncZeroValueInvoices = false }},
		{"sync_since", "2026-01-31", func(p *Policy) { p.SyncSince = ptr("2026-01-31") }},
		{"sync_since", `"2026-01-31"`, func(p *Policy) { p.SyncSince = ptr("2026-01-31") }},
		{"sync_since", "null", func(p *Policy) {}},
		{"website_filter", "[1, 2, 2, 0]", func(p *Policy) { p.WebsiteFilter = []int64{1, 2, 0} }},
		{"store_filter", "[]", func(p *Policy) { p.StoreFilter = []int64{} }},
		{"store_filter", "null", func(p *Policy) { p.StoreFilter = []int64{} }},
		{"default_xero_revenue_account_code", "200", func(p *Policy) { p.DefaultRevenueAccountCode = "200" }},
		{"default_xero_revenue_account_code", `"260"`, func(p *Policy) { p.DefaultRevenueAccountCode = "260" }},
		{"default_xero_revenue_account_code", "null", func(p *Policy) {}},
		{"rounding_account_code", "260", func(p *Policy) { p.RoundingAccountCode = "260" }},
		{"refund_adjustment_account_code", "200", func(p *Policy) { p.RefundAdjustmentAccountCode = "200" }},
		{"default_xero_tax_type", "OUTPUT2", func(p *Policy) { p.DefaultTaxType = "OUTPUT2" }},
		{"default_xero_tax_type", "output2", func(p *Policy) { p.DefaultTaxType = "OUTPUT2" }},
		{"default_xero_tax_type", "NONE", func(p *Policy) { p.DefaultTaxType = "NONE" }},
		{"default_bank_account_id", strings.ToLower(bankID), func(p *Policy) { p.DefaultBankAccountID = bankID }},
		{"default_bank_account_id", payableID, func(p *Policy) { p.DefaultBankAccountID = payableID }},
		{"payment_method_map", `{"stripe_payments":"` + savingsID + `","checkmo":null}`, func(p *Policy) {
			p.PaymentMethodMap = map[string]*string{"stripe_payments": ptr(savingsID), "checkmo": nil}
		}},
		{"payment_method_map", "null", func(p *Policy) { p.PaymentMethodMap = map[string]*string{} }},
		{"invoice_number_prefix", "MAG-", func(p *Policy) { p.InvoiceNumberPrefix = "MAG-" }},
		{"invoice_number_prefix", "ÉÉÉÉÉÉÉÉÉÉ", func(p *Policy) { p.InvoiceNumberPrefix = "ÉÉÉÉÉÉÉÉÉÉ" }},
		{"invoice_number_prefix", "null", func(p *Policy) {}},
		{"customer_name_priority", "person", func(p *Policy) { p.CustomerNamePriority = NamePriorityPerson }},
		{"xero_invoice_status_default", "DRAFT", func(p *Policy) { p.InvoiceStatusDefault = InvoiceDraft }},
		{"default_xero_payment_terms_days", "30", func(p *Policy) { p.PaymentTermsDays = ptr(30) }},
		{"default_xero_payment_terms_days", "0", func(p *Policy) { p.PaymentTermsDays = ptr(0) }},
		{"default_xero_payment_terms_days", "365", func(p *Policy) { p.PaymentTermsDays = ptr(365) }},
		{"default_xero_payment_terms_days", "null", func(p *Policy) {}},
		{"tax_rate_map", `{"20":"OUTPUT2","5.5":"RROUTPUT","0":"ZERORATEDOUTPUT"}`, func(p *Policy) {
			p.TaxRateMap = map[string]string{"20.00": "OUTPUT2", "5.50": "RROUTPUT", "0.00": "ZERORATEDOUTPUT"}
		}},
		{"guest_contact_mode", "single", func(p *Policy) { p.GuestContactMode = GuestSingle }},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			got := DefaultPolicy()
			if err := got.Set(tt.key, tt.value, testRef()); err != nil {
				t.Fatalf("Set: %v", err)
			}
			want := DefaultPolicy()
			tt.edit(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("policy (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPolicySetInvalid(t *testing.T) {
	tests := []struct {
		key, value string
		ref        *ReferenceCache
		code       string
		msg        string // substring of the message
	}{
		{"sync_unpaid_invoices", "yes", testRef(), CodeInvalidFormat, "sync_unpaid_invoices: \"yes\" is not a boolean"},
		{"sync_unpaid_invoices", "1", testRef(), CodeInvalidFormat, "use true or false"},
		{"sync_since", "31/01/2026", testRef(), CodeInvalidFormat, "use YYYY-MM-DD"},
		{"sync_since", "2026-02-30", testRef(), CodeInvalidFormat, "not a date"},
		{"sync_since", "[1]", testRef(), CodeInvalidFormat, "not a date"},
		{"website_filter", "1", testRef(), CodeInvalidFormat, "not a list"},
		{"website_filter", `["a"]`, testRef(), CodeInvalidFormat, "not an id"},
		{"website_filter", "[1.5]", testRef(), CodeInvalidFormat, "not a whole number"},
		{"store_filter", "[-1]", testRef(), CodeOutOfRange, "negative"},
		{"default_xero_revenue_account_code", "999", testRef(), CodeNotInReference,
			"default_xero_revenue_account_code: account '999' is not in this organisation's chart of accounts — refresh the reference data or pick one from the list"},
		{"default_xero_revenue_account_code", "201", testRef(), CodeNotInReference, "archived"},
		{"default_xero_revenue_account_code", "090", testRef(), CodeNotInReference, "BANK account, not a revenue"},
		{"default_xero_revenue_account_code", "200", nil, CodeNotInReference, "connect Xero and refresh the reference data first"},
		{"default_xero_revenue_account_code", "200", &ReferenceCache{}, CodeNotInReference, "connect Xero"},
		{"rounding_account_code", "610", testRef(), CodeNotInReference, "rounding_account_code: account '610'"},
		{"refund_adjustment_account_code", "777", testRef(), CodeNotInReference, "refund_adjustment_account_code:"},
		{"default_xero_revenue_account_code", "[200]", testRef(), CodeInvalidFormat, "not text"},
		{"default_xero_tax_type", "OUTPUT9", testRef(), CodeNotInReference, "tax type 'OUTPUT9' is not one of"},
		{"default_xero_tax_type", "OLDVAT", testRef(), CodeNotInReference, "not active"},
		{"default_xero_tax_type", "OUTPUT2", nil, CodeNotInReference, "connect Xero"},
		{"default_bank_account_id", salesID, testRef(), CodeNotInReference, "'Sales' is not a bank account"},
		{"default_bank_account_id", archBankID, testRef(), CodeNotInReference, "archived"},
		{"default_bank_account_id", "nope", testRef(), CodeNotInReference, "account id 'nope' is not in"},
		{"default_bank_account_id", bankID, nil, CodeNotInReference, "connect Xero"},
		{"payment_method_map", `["checkmo"]`, testRef(), CodeInvalidFormat, "not an object"},
		{"payment_method_map", `{"checkmo": 5}`, testRef(), CodeInvalidFormat, "must be a Xero AccountID"},
		{"payment_method_map", `{"": null}`, testRef(), CodeInvalidFormat, "empty"},
		{"payment_method_map", `{"stripe": "` + salesID + `"}`, testRef(), CodeNotInReference, "not a bank account"},
		{"invoice_number_prefix", "ABCDEFGHIJK", testRef(), CodeOutOfRange, "11 characters long — use at most 10"},
		{"invoice_number_prefix", "\"A\\tB\"", testRef(), CodeInvalidFormat, "control character"},
		{"customer_name_priority", "Both", testRef(), CodeInvalidFormat, "use one of Company, Person"},
		{"xero_invoice_status_default", "PAID", testRef(), CodeInvalidFormat, "use one of DRAFT, SUBMITTED, AUTHORISED"},
		{"default_xero_payment_terms_days", "366", testRef(), CodeOutOfRange, "outside 0–365"},
		{"default_xero_payment_terms_days", "-1", testRef(), CodeOutOfRange, "outside 0–365"},
		{"default_xero_payment_terms_days", "1.5", testRef(), CodeInvalidFormat, "not a whole number"},
		{"default_xero_payment_terms_days", "soon", testRef(), CodeInvalidFormat, "not a number of days"},
		{"tax_rate_map", `{"abc":"OUTPUT2"}`, testRef(), CodeInvalidFormat, "not a tax rate"},
		{"tax_rate_map", `{"120":"OUTPUT2"}`, testRef(), CodeOutOfRange, "outside 0–100"},
		{"tax_rate_map", `{"20":"OUTPUT2","20.0":"OUTPUT2"}`, testRef(), CodeInvalidFormat, "given twice"},
		{"tax_rate_map", `{"20":"NOPE"}`, testRef(), CodeNotInReference, "tax type 'NOPE'"},
		{"tax_rate_map", `{"20":7}`, testRef(), CodeInvalidFormat, "must be a Xero TaxType"},
		{"tax_rate_map", `"OUTPUT2"`, testRef(), CodeInvalidFormat, "not an object"},
		{"guest_contact_mode", "per_order", testRef(), CodeInvalidFormat, "use one of per_email, single"},
		{"no_such_key", "1", testRef(), CodeInvalidFormat, "\"no_such_key\" is not a sync-policy key"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			p := DefaultPolicy()
			err := p.Set(tt.key, tt.value, tt.ref)
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("Set = %v, want a *domain.Error", err)
			}
			if de.Kind != EInvalid || de.Code != tt.code {
				t.Errorf("kind, code = %s, %s; want %s, %s", de.Kind, de.Code, EInvalid, tt.code)
			}
			if !strings.Contains(de.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", de.Message, tt.msg)
			}
			if tt.key != "no_such_key" && !strings.HasPrefix(de.Message, tt.key+": ") {
				t.Errorf("message %q does not name the key", de.Message)
			}
			if diff := cmp.Diff(DefaultPolicy(), p); diff != "" {
				t.Errorf("policy changed by a failed Set (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPolicyGetRoundTrip(t *testing.T) {
	p := DefaultPolicy()
	sets := [][2]string{
		{"sync_since", "2026-01-01"},
		{"payment_method_map", `{"checkmo":null}`},
		{"default_xero_payment_terms_days", "30"},
		{"invoice_number_prefix", "M-"},
	}
	for _, s := range sets {
		if err := p.Set(s[0], s[1], testRef()); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	for _, k := range PolicyKeys() {
		got[k] = p.Get(k)
	}
	want := map[string]string{
		"sync_unpaid_invoices":              "true",
		"sync_zero_value_invoices":          "true",
		"sync_since":                        `"2026-01-01"`,
		"website_filter":                    "[]",
		"store_filter":                      "[]",
		"default_xero_revenue_account_code": `""`,
		"default_xero_tax_type":             `""`,
		"default_bank_account_id":           `""`,
		"payment_method_map":                `{"checkmo":null}`,
		"invoice_number_prefix":             `"M-"`,
		"customer_name_priority":            `"Company"`,
		"xero_invoice_status_default":       `"AUTHORISED"`,
		"default_xero_payment_terms_days":   "30",
		"tax_rate_map":                      "{}",
		"rounding_account_code":             `""`,
		"refund_adjustment_account_code":    `""`,
		"guest_contact_mode":                `"per_email"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	if g := p.Get("nope"); g != "" {
		t.Errorf("Get(nope) = %q, want empty", g)
	}
	// Every value Get prints is accepted back by Set unchanged.
	for _, k := range PolicyKeys() {
		q := p
		if err := q.Set(k, p.Get(k), testRef()); err != nil {
			t.Errorf("Set(%s, Get) = %v", k, err)
			continue
		}
		if diff := cmp.Diff(p.Get(k), q.Get(k)); diff != "" {
			t.Errorf("%s round trip (-want +got):\n%s", k, diff)
		}
	}
}

func TestPolicyKeysCoverEveryField(t *testing.T) {
	p := DefaultPolicy()
	for _, k := range PolicyKeys() {
		if p.Get(k) == "" {
			t.Errorf("key %s has no JSON field in Policy", k)
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	if len(fields) != len(PolicyKeys()) {
		t.Errorf("Policy has %d JSON fields, PolicyKeys lists %d", len(fields), len(PolicyKeys()))
	}
	keys := PolicyKeys()
	keys[0] = "mutated"
	if PolicyKeys()[0] == "mutated" {
		t.Error("PolicyKeys returns shared storage")
	}
}

// FuzzPolicySet feeds arbitrary CLI values to every key: Set never panics,
// and either fails with a coded EInvalid leaving the policy alone, or stores
// a value that Get prints and Set accepts back.
func FuzzPolicySet(f *testing.F) {
	for _, seed := range []string{"true", "null", "2026-01-01", "[1,2]", `{"20":"OUTPUT2"}`, "200", `"x"`, "{", "-1", "1e400"} {
		f.Add(uint8(0), seed)
	}
	f.Fuzz(func(t *testing.T, k uint8, value string) {
		keys := PolicyKeys()
		key := keys[int(k)%len(keys)]
		p := DefaultPolicy()
		err := p.Set(key, value, testRef())
		if err != nil {
			var de *Error
			if !errors.As(err, &de) || de.Kind != EInvalid || de.Code == "" {
				t.Fatalf("Set(%s, %q) = %v, want a coded EInvalid", key, value, err)
			}
			if diff := cmp.Diff(DefaultPolicy(), p); diff != "" {
				t.Fatalf("failed Set changed the policy:\n%s", diff)
			}
			return
		}
		q := DefaultPolicy()
		if err := q.Set(key, p.Get(key), testRef()); err != nil {
			t.Fatalf("Set(%s, Get()=%s) = %v", key, p.Get(key), err)
		}
		if q.Get(key) != p.Get(key) {
			t.Fatalf("round trip of %s: %s != %s", key, q.Get(key), p.Get(key))
		}
	})
}
