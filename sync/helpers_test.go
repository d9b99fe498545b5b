package sync

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

const (
	bankID    = "9f5e6f84-0000-4000-8000-000000000001"
	stripeID  = "9f5e6f84-0000-4000-8000-000000000002"
	salesID   = "9f5e6f84-0000-4000-8000-000000000003"
	usdBankID = "9f5e6f84-0000-4000-8000-000000000004"
	oldBankID = "9f5e6f84-0000-4000-8000-000000000005"
	clearID   = "9f5e6f84-0000-4000-8000-000000000006"
)

// moneyEq compares exact amounts (2.0 equals 2).
var moneyEq = cmp.Options{
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b xero.Money) bool { return a.Equal(b.Decimal) }),
}

func testRef() *domain.ReferenceCache {
	return &domain.ReferenceCache{
		Organisation: domain.Organisation{Name: "Demo UK", BaseCurrency: "GBP", CountryCode: "GB", Timezone: "Europe/London"},
		Accounts: []domain.Account{
			{AccountID: bankID, Code: "090", Name: "Business Bank", Type: "BANK", Status: "ACTIVE", CurrencyCode: "GBP"},
			{AccountID: stripeID, Code: "091", Name: "Stripe", Type: "BANK", Status: "ACTIVE", CurrencyCode: "GBP"},
			{AccountID: salesID, Code: "200", Name: "Sales", Type: "REVENUE", Status: "ACTIVE"},
			{AccountID: usdBankID, Code: "092", Name: "USD Bank", Type: "BANK", Status: "ACTIVE", CurrencyCode: "USD"},
			{AccountID: oldBankID, Code: "093", Name: "Old Bank", Type: "BANK", Status: "ARCHIVED", CurrencyCode: "GBP"},
			{AccountID: clearID, Code: "620", Name: "Clearing", Type: "CURRENT", Status: "ACTIVE", PaymentsEnabled: true},
		},
		TaxRates: []domain.TaxRate{
			{TaxType: "OUTPUT2", EffectiveRate: "20.0000", Status: "ACTIVE"},
			{TaxType: "RROUTPUT", EffectiveRate: "5.0000", Status: "ACTIVE"},
			{TaxType: "ZERORATEDOUTPUT", EffectiveRate: "0.0000", Status: "ACTIVE"},
		},
		Currencies: []string{"GBP", "USD"},
	}
}

// ukPolicy is a configured binding: revenue 200, 20 % VAT default.
func ukPolicy() domain.Policy {
	p := domain.DefaultPolicy()
	p.DefaultRevenueAccountCode = "200"
	p.DefaultTaxType = "OUTPUT2"
	return p
}

func load[T any](t testing.TB, name string) T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func loadInvoice(t testing.TB, name string) magento.Invoice { return load[magento.Invoice](t, name) }

func m(s string) *xero.Money { return xero.MoneyPtr(decimal.RequireFromString(s)) }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ptr[T any](v T) *T { return &v }
