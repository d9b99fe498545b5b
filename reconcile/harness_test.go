package reconcile

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	gosync "sync"
	"testing"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/store"
	ledgersync "ledger/sync"
	"ledger/xero"
	"ledger/xero/xerotest"
)

// env is one binding wired to a fake Magento and a fake Xero over a real
// bbolt store, synced by the real worker, on one injected clock.
type env struct {
	t      testing.TB
	ctx    context.Context
	db     *store.DB
	xs     *xerotest.Server
	mg     *magentotest.Magento
	w      *ledgersync.Worker
	b      *domain.Binding
	tenant string
	org    string
	bank   xero.Account
	clock  *xerotest.Clock
	deps   Deps
}

type memTokens struct {
	mu  gosync.Mutex
	tok *xero.Token
}

func (m *memTokens) Load(context.Context) (*xero.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := *m.tok
	return &t, nil
}

func (m *memTokens) Save(_ context.Context, t *xero.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *t
	m.tok = &c
	return nil
}

func newEnv(t testing.TB, policy func(p *domain.Policy, e *env)) *env {
	t.Helper()
	xs := xerotest.New(t, xerotest.Options{Clock: xerotest.NewClock(time.Date(2026, 5, 3, 9, 0, 0, 0, time.UTC))})
	clock := xs.Clock()
	e := &env{t: t, ctx: context.Background(), xs: xs, clock: clock, org: xs.Organisations()[0]}
	db, err := store.Open(filepath.Join(t.TempDir(), "ledger.db"), make([]byte, 32), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	e.db = db
	e.mg = magentotest.New(t)
	e.mg.SetClock(clock.Now)
	const apiKey = "byte8_lk_test-key-0123456789abcdef0123456789abcdef"
	tn := &domain.Tenant{ID: "tenant-rec", MagentoURL: e.mg.URL(), MagentoStatus: domain.MagentoActive}
	b := &domain.Binding{Provider: domain.ProviderXero}
	if err := db.CreatePairing(tn, apiKey, b); err != nil {
		t.Fatal(err)
	}
	e.tenant = tn.ID
	e.mg.SetCredentials(tn.ID, apiKey, "http://ledger.test")
	e.bank = xs.Account(e.org, xerotest.BankAccountCode)
	xs.EnableCurrency(e.org, "USD") // the guest invoice fixture is in USD

	cfg := xs.Config("https://ledger.test/oauth/xero/callback")
	ts := xero.NewTokenSource(cfg, &memTokens{tok: connect(t, cfg)}, t.Name())
	xc := xero.NewClient(cfg, ts, e.org, xero.NewLimiter(xero.LimiterConfig{Clock: clock, DailyBudget: 5000}), xs.Client())
	if e.b, err = db.UpdateBinding(b.ID, func(b *domain.Binding) error {
		b.Status, b.XeroTenantID, b.XeroOrgName = domain.BindingActive, e.org, "Demo Ltd"
		p := domain.DefaultPolicy()
		p.DefaultRevenueAccountCode = xerotest.RevenueAccountCode
		p.DefaultTaxType = "OUTPUT2"
		p.DefaultBankAccountID = e.bank.AccountID
		if policy != nil {
			policy(&p, e)
		}
		b.Policy = p
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutReference(b.ID, &domain.ReferenceCache{
		FetchedAt:    clock.Now(),
		Organisation: domain.Organisation{Name: "Demo Ltd", BaseCurrency: "GBP", CountryCode: "GB", Timezone: "Europe/London"},
		Accounts: []domain.Account{
			{AccountID: e.bank.AccountID, Code: "090", Name: "Business Bank Account", Type: "BANK", Status: "ACTIVE", CurrencyCode: "GBP"},
			{AccountID: xs.Account(e.org, "200").AccountID, Code: "200", Name: "Sales", Type: "REVENUE", Status: "ACTIVE"},
		},
		TaxRates:   []domain.TaxRate{{TaxType: "OUTPUT2", Name: "20%", EffectiveRate: "20.0000", Status: "ACTIVE"}},
		Currencies: []string{"GBP", "USD"},
	}); err != nil {
		t.Fatal(err)
	}
	mopts := magento.ClientOptions{HTTP: e.mg.Server.Client(), AllowPrivate: true, Now: clock.Now, Retries: -1}
	xf := func(context.Context, *domain.Binding) (*xero.Client, error) { return xc, nil }
	mf := func(_ context.Context, tn *domain.Tenant) (*magento.Client, error) {
		key, err := db.APIKey(tn.ID)
		if err != nil {
			return nil, err
		}
		return magento.NewClient(tn.MagentoURL, tn.ID, key, mopts)
	}
	e.w = ledgersync.New(ledgersync.Config{DB: db, Now: clock.Now, Jitter: func() float64 { return 0.5 }, Xero: xf, Magento: mf})
	e.deps = Deps{DB: db, Xero: xf, Magento: mf, Now: clock.Now}
	return e
}

// connect runs Xero's consent on the fake and exchanges the code.
func connect(t testing.TB, cfg xero.Config) *xero.Token {
	t.Helper()
	hc := *cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	v := xero.NewVerifier()
	resp, err := hc.Get(cfg.AuthCodeURL("st", v))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cfg.Exchange(context.Background(), loc.Query().Get("code"), v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// accept records one webhook delivery like the Magento route does.
func (e *env) accept(event string, id int64, payload string) {
	e.t.Helper()
	_, err := e.db.AcceptEvent(e.ctx, store.AcceptRequest{
		TenantID: e.tenant, IdempotencyKey: event + ":" + strconv.FormatInt(id, 10), Event: event,
		Envelope: domain.Envelope{MagentoEntityID: id, WebsiteID: 1, StoreID: 1, OccurredAt: e.clock.Now().UTC().Format(time.RFC3339), Payload: json.RawMessage(payload)},
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// syncAll runs the worker until nothing is due and checks every run
// succeeded.
func (e *env) syncAll() {
	e.t.Helper()
	if err := e.w.RunOnce(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	runs, err := e.db.ListRuns(store.RunFilter{BindingID: e.b.ID, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range runs {
		if r.Status != domain.RunSucceeded && r.Status != domain.RunSkipped {
			e.t.Fatalf("run %d (%s %d) is %s: %s", r.ID, r.Event, r.MagentoID, r.Status, r.ErrorMessage)
		}
	}
}

// standard syncs invoice 42 (paid by card) with its payment and partial
// credit memo 8, and the guest invoice 5 (open, purchase order).
func (e *env) standard() {
	e.t.Helper()
	e.mg.LoadFixtures()
	e.accept(domain.EventInvoiceCreated, magentotest.InvoiceDiscountedID, `{"increment_id":"000000042","paid":true}`)
	e.accept(domain.EventInvoicePaid, magentotest.InvoiceDiscountedID, `{"increment_id":"000000042"}`)
	e.accept(domain.EventInvoiceCreated, magentotest.InvoiceGuestID, `{"increment_id":"000000005","paid":false}`)
	e.syncAll()
	e.accept(domain.EventCreditmemoCreated, magentotest.CreditMemoPartialID, `{"increment_id":"000000008"}`)
	e.syncAll()
}
