// Package synctest wires one connected binding to a strict fake Magento and
// a strict fake Xero over a real bbolt store, on one injected clock: the
// harness the sync worker's tests, and the tests built on the worker, start
// from.
package synctest

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/store"
	"ledger/store/storetest"
	"ledger/xero"
	"ledger/xero/xerotest"
)

// APIKey is the paired tenant's Magento api key.
const APIKey = "byte8_lk_test-key-0123456789abcdef0123456789abcdef"

// Env is one active binding: its tenant paired with the fake Magento, its
// organisation connected on the fake Xero, its reference data cached.
type Env struct {
	T       testing.TB
	Ctx     context.Context
	DB      *store.DB
	Xero    *xerotest.Server
	Magento *magentotest.Magento
	Binding *domain.Binding
	Tenant  string
	Org     string
	Bank    xero.Account // the organisation's bank account (090)
	Clock   *xerotest.Clock
	Limiter *xero.Limiter
	HTTP    *http.Client // the Xero client's HTTP client (Options.Transport applied)
	Budget  int          // the limiter's daily budget

	xc    *xero.Client
	mopts magento.ClientOptions
}

// Options shape an Env.
type Options struct {
	Xero xerotest.Options // Clock defaults to 2026-04-29 09:00 UTC
	// Policy adjusts the binding's policy after Policy's defaults.
	Policy func(p *domain.Policy, e *Env)
	// Transport wraps the Xero HTTP client's transport.
	Transport func(http.RoundTripper) http.RoundTripper
	// Budget is the limiter's daily budget (default 5000).
	Budget int
}

// New builds the Env; everything closes when the test ends.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	if o.Xero.Clock == nil {
		o.Xero.Clock = xerotest.NewClock(time.Date(2026, 4, 29, 9, 0, 0, 0, time.UTC))
	}
	if o.Budget == 0 {
		o.Budget = 5000
	}
	xs := xerotest.New(t, o.Xero)
	clock := xs.Clock()
	e := &Env{T: t, Ctx: context.Background(), Xero: xs, Clock: clock, Org: xs.Organisations()[0], Budget: o.Budget}
	e.DB = storetest.MustOpenWith(t, store.Options{Now: clock.Now})
	e.Magento = magentotest.New(t)
	e.Magento.SetClock(clock.Now)
	e.Bank = xs.Account(e.Org, xerotest.BankAccountCode)

	tn, b := Pair(t, e.DB, e.Magento, "tenant-"+strconv.FormatInt(clock.Now().UnixNano(), 36), "http://ledger.test")
	e.Tenant = tn.ID

	cfg := xs.Config("https://ledger.test/oauth/xero/callback")
	ts := xero.NewTokenSource(cfg, xerotest.NewTokens(xs.Consent(t, cfg)), t.Name()+tn.ID)
	e.Limiter = xero.NewLimiter(xero.LimiterConfig{Clock: clock, DailyBudget: o.Budget})
	e.HTTP = xs.Client()
	if o.Transport != nil {
		hc := *e.HTTP
		hc.Transport = o.Transport(hc.Transport)
		e.HTTP = &hc
	}
	e.xc = xero.NewClient(cfg, ts, e.Org, e.Limiter, e.HTTP)
	e.Binding = Activate(t, e.DB, b.ID, e.Org, clock.Now(), func(p *domain.Policy) {
		*p = Policy(e.Bank)
		if o.Policy != nil {
			o.Policy(p, e)
		}
	})
	if err := e.DB.PutReference(b.ID, Reference(xs, e.Org, clock.Now())); err != nil {
		t.Fatal(err)
	}
	e.mopts = magento.ClientOptions{HTTP: e.Magento.Server.Client(), AllowPrivate: true, Now: clock.Now, Retries: -1}
	return e
}

// XeroClient is the Xero client of every binding (sync.Config.Xero).
func (e *Env) XeroClient(context.Context, *domain.Binding) (*xero.Client, error) { return e.xc, nil }

// MagentoClient is a tenant's canonical client on the fake Magento
// (sync.Config.Magento).
func (e *Env) MagentoClient(_ context.Context, tn *domain.Tenant) (*magento.Client, error) {
	key, err := e.DB.APIKey(tn.ID)
	if err != nil {
		return nil, err
	}
	return magento.NewClient(tn.MagentoURL, tn.ID, key, e.mopts)
}

// Pair creates tenant id paired with the fake Magento under APIKey (the
// fake's webhooks go to publicURL) and its pending Xero binding.
func Pair(t testing.TB, db *store.DB, mg *magentotest.Magento, id, publicURL string) (*domain.Tenant, *domain.Binding) {
	t.Helper()
	tn := &domain.Tenant{ID: id, MagentoURL: mg.URL(), MagentoStatus: domain.MagentoActive}
	b := &domain.Binding{Provider: domain.ProviderXero}
	if err := db.CreatePairing(tn, APIKey, b); err != nil {
		t.Fatal(err)
	}
	mg.SetCredentials(tn.ID, APIKey, publicURL)
	return tn, b
}

// Activate marks the binding connected to org "Demo Ltd" at now, with the
// policy policy sets (nil keeps the binding's own).
func Activate(t testing.TB, db *store.DB, bindingID uint64, org string, now time.Time, policy func(*domain.Policy)) *domain.Binding {
	t.Helper()
	b, err := db.UpdateBinding(bindingID, func(b *domain.Binding) error {
		now := now.UTC()
		b.Status, b.XeroTenantID, b.XeroOrgName, b.ConnectedAt = domain.BindingActive, org, "Demo Ltd", &now
		if policy != nil {
			policy(&b.Policy)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Policy is the default policy posting to Sales (200) at 20 % VAT with
// payments into bank.
func Policy(bank xero.Account) domain.Policy {
	p := domain.DefaultPolicy()
	p.DefaultRevenueAccountCode = xerotest.RevenueAccountCode
	p.DefaultTaxType = "OUTPUT2"
	p.DefaultBankAccountID = bank.AccountID
	return p
}

// Reference is the reference data of the fake's seeded organisation as
// ledger caches it, fetched at now.
func Reference(xs *xerotest.Server, org string, now time.Time) *domain.ReferenceCache {
	return &domain.ReferenceCache{
		FetchedAt:    now,
		Organisation: domain.Organisation{Name: "Demo Ltd", BaseCurrency: "GBP", CountryCode: "GB", Timezone: "Europe/London"},
		Accounts: []domain.Account{
			{AccountID: xs.Account(org, xerotest.BankAccountCode).AccountID, Code: "090", Name: "Business Bank Account", Type: "BANK", Status: "ACTIVE", CurrencyCode: "GBP"},
			{AccountID: xs.Account(org, "200").AccountID, Code: "200", Name: "Sales", Type: "REVENUE", Status: "ACTIVE"},
		},
		TaxRates: []domain.TaxRate{
			{TaxType: "OUTPUT2", Name: "20%", EffectiveRate: "20.0000", Status: "ACTIVE"},
			{TaxType: "ZERORATEDOUTPUT", Name: "0%", EffectiveRate: "0.0000", Status: "ACTIVE"},
			{TaxType: "NONE", Name: "No VAT", EffectiveRate: "0.0000", Status: "ACTIVE"},
		},
	}
}
