package dashboard

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"ledger/domain"
)

// FuzzPolicyValues feeds arbitrary settings forms through the form parser
// and Policy.Set: nothing panics, and every value is JSON or plain text that
// Set either accepts or refuses with a code.
func FuzzPolicyValues(f *testing.F) {
	f.Add("website_filter=1%2C+2&pm%3Acheckmo=none&tr_rate_0=20&tr_type_0=OUTPUT2")
	f.Add("default_xero_payment_terms_days=abc&sync_since=2026-01-01&store_filter=x")
	f.Add("pm_new_code=%20&pm_new_account=bank-1&invoice_number_prefix=%00%FF")
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p := domain.DefaultPolicy()
		for key, val := range policyValues(form) {
			if strings.HasPrefix(key, "pm") || key == "payment_method_map" || key == "tax_rate_map" || key == "website_filter" {
				if !json.Valid([]byte(val)) {
					t.Fatalf("%s: not JSON: %q", key, val)
				}
			}
			if err := p.Set(key, val, nil); err != nil && domain.CodeOf(err) == "" {
				t.Fatalf("%s=%q: error without a code: %v", key, val, err)
			}
		}
	})
}

// FuzzSessionCookie: forged cookie values are no session, never a panic.
func FuzzSessionCookie(f *testing.F) {
	f.Add("")
	f.Add("MTcwMDAwMDAwMHxabc|def")
	f.Fuzz(func(t *testing.T, v string) {
		m, err := newSessions(newFakeStore(), nil, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		var s session
		if m.codec.Decode(sessionCookie, v, &s) == nil {
			t.Fatalf("forged cookie %q decoded", v)
		}
	})
}
