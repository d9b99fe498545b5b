package dashboard

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
)

// The settings page lists a working store's payment methods; an older
// module's 404 falls back to free text with a calm hint; any other failure
// says ledger could not list them.
func TestSettingsPaymentMethods(t *testing.T) {
	mg := magentotest.New(t)
	const tenant, key = "tenant-a", magento.APIKeyPrefix + "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	mg.SetCredentials(tenant, key, "http://ledger.test")
	fromFake := func(ctx context.Context, id string) ([]magento.PaymentMethod, error) {
		c, err := magento.NewClient(mg.URL(), id, key, magento.ClientOptions{AllowPrivate: true})
		if err != nil {
			return nil, err
		}
		return c.PaymentMethods(ctx)
	}
	failing := func(context.Context, string) ([]magento.PaymentMethod, error) {
		return nil, domain.Wrap(domain.EUnavailable, errors.New("dial tcp: refused"), "Magento could not be reached.")
	}
	for _, tc := range []struct {
		name      string
		hook      func(context.Context, string) ([]magento.PaymentMethod, error)
		disable   bool
		want, not []string
	}{
		{name: "working store", hook: fromFake, want: []string{"(checkmo)"}, not: []string{hintMethodsUnlisted, hintMethodsFailed}},
		{name: "older module (404)", hook: fromFake, disable: true, want: []string{hintMethodsUnlisted}, not: []string{"(checkmo)", hintMethodsFailed}},
		{name: "store unreachable", hook: failing, want: []string{hintMethodsFailed}, not: []string{"dial tcp"}},
		{name: "hook not wired", want: []string{hintMethodsFailed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.disable {
				mg.DisablePaymentMethods()
			}
			f := setup(t, func(c *Config) { c.PaymentMethods = tc.hook })
			p := f.browser().login("alice@example.com").get("/dashboard/bindings/10/settings")
			if p.code != http.StatusOK {
				t.Fatalf("settings: %d", p.code)
			}
			body := strings.ReplaceAll(p.body, "&#39;", "'")
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("settings page lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("settings page shows %q", w)
				}
			}
		})
	}
}
