package cmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

// `binding show` re-validates each setting against the reference cache and
// lists those whose Xero object has gone, in text and as stale_settings.
func TestBindingShowStaleSettings(t *testing.T) {
	s := seed(t)
	id := fmt.Sprint(s.active.ID)
	var got struct {
		Stale []staleSetting `json:"stale_settings"`
	}
	// An empty cache (fetched, but nothing in it): the default policy
	// names no Xero object, so nothing is stale.
	if err := json.Unmarshal([]byte(s.run(t, "binding", "show", id, "--json").stdout), &got); err != nil || got.Stale == nil || len(got.Stale) != 0 {
		t.Fatalf("fresh binding: %v %+v, want stale_settings []", err, got.Stale)
	}

	db := openSeeded(t, s)
	bank := "9f5e6f84-0000-4000-8000-0000000000b1"
	gone := "9f5e6f84-0000-4000-8000-0000000000b2"
	if _, err := db.UpdateBinding(s.active.ID, func(b *domain.Binding) error {
		b.Policy.DefaultRevenueAccountCode = "200" // still in Xero
		b.Policy.DefaultTaxType = "OUTPUT9"        // deleted in Xero
		b.Policy.DefaultBankAccountID = gone       // archived in Xero
		b.Policy.PaymentMethodMap = map[string]*string{"checkmo": &bank}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutReference(s.active.ID, &domain.ReferenceCache{FetchedAt: s.fetchedAt,
		Accounts: []domain.Account{
			{AccountID: "acc-200", Code: "200", Name: "Sales", Type: "REVENUE", Status: "ACTIVE"},
			{AccountID: bank, Code: "090", Name: "Bank", Type: "BANK", Status: "ACTIVE"},
		},
		TaxRates: []domain.TaxRate{{TaxType: "OUTPUT2", Name: "20%", EffectiveRate: "20.0000", Status: "ACTIVE"}}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	got.Stale = nil
	if err := json.Unmarshal([]byte(s.run(t, "binding", "show", id, "--json").stdout), &got); err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for _, st := range got.Stale {
		keys = append(keys, st.Key+"="+string(st.Value))
		if st.Message == "" {
			t.Errorf("%s: no message", st.Key)
		}
	}
	want := []string{`default_xero_tax_type="OUTPUT9"`, `default_bank_account_id="` + gone + `"`}
	if d := cmp.Diff(want, keys); d != "" {
		t.Errorf("stale_settings (-want +got):\n%s", d)
	}

	text := s.run(t, "binding", "show", id).stdout
	for _, w := range []string{"stale settings (", `  default_xero_tax_type = "OUTPUT9": `, "  default_bank_account_id = "} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "default_xero_revenue_account_code = ") || strings.Contains(text, "stale settings: none") {
		t.Errorf("a valid setting is listed as stale:\n%s", text)
	}
}
