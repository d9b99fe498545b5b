package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	gosync "sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/store"
	"ledger/xero"
	"ledger/xero/xerotest"
)

// env is one binding wired to a strict fake Magento and a strict fake Xero
// over a real bbolt store, on one injected clock.
type env struct {
	t      testing.TB
	ctx    context.Context
	db     *store.DB
	xs     *xerotest.Server
	mg     *magentotest.Magento
	w      *Worker
	b      *domain.Binding
	tenant string
	org    string
	bank   xero.Account
	clock  *xerotest.Clock
	lim    *xero.Limiter
	hc     *http.Client
}

type envOptions struct {
	xero      xerotest.Options
	policy    func(p *domain.Policy, e *env)
	transport func(http.RoundTripper) http.RoundTripper // wraps the Xero HTTP client
	budget    int
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

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	if o.xero.Clock == nil {
		o.xero.Clock = xerotest.NewClock(time.Date(2026, 4, 29, 9, 0, 0, 0, time.UTC))
	}
	xs := xerotest.New(t, o.xero)
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
	tn := &domain.Tenant{ID: "tenant-" + strconv.FormatInt(clock.Now().UnixNano(), 36), MagentoURL: e.mg.URL(), MagentoStatus: domain.MagentoActive}
	b := &domain.Binding{Provider: domain.ProviderXero}
	if err := db.CreatePairing(tn, apiKey, b); err != nil {
		t.Fatal(err)
	}
	e.tenant = tn.ID
	e.mg.SetCredentials(tn.ID, apiKey, "http://ledger.test")
	e.bank = xs.Account(e.org, xerotest.BankAccountCode)

	cfg := xs.Config("https://ledger.test/oauth/xero/callback")
	tok := connect(t, cfg)
	ts := xero.NewTokenSource(cfg, &memTokens{tok: tok}, t.Name()+tn.ID)
	if o.budget == 0 {
		o.budget = 5000
	}
	e.lim = xero.NewLimiter(xero.LimiterConfig{Clock: clock, DailyBudget: o.budget})
	e.hc = xs.Client()
	if o.transport != nil {
		hc := *e.hc
		hc.Transport = o.transport(hc.Transport)
		e.hc = &hc
	}
	xc := xero.NewClient(cfg, ts, e.org, e.lim, e.hc)

	if e.b, err = db.UpdateBinding(b.ID, func(b *domain.Binding) error {
		b.Status, b.XeroTenantID, b.XeroOrgName = domain.BindingActive, e.org, "Demo Ltd"
		p := domain.DefaultPolicy()
		p.DefaultRevenueAccountCode = xerotest.RevenueAccountCode
		p.DefaultTaxType = "OUTPUT2"
		p.DefaultBankAccountID = e.bank.AccountID
		if o.policy != nil {
			o.policy(&p, e)
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
		TaxRates: []domain.TaxRate{
			{TaxType: "OUTPUT2", Name: "20%", EffectiveRate: "20.0000", Status: "ACTIVE"},
			{TaxType: "ZERORATEDOUTPUT", Name: "0%", EffectiveRate: "0.0000", Status: "ACTIVE"},
			{TaxType: "NONE", Name: "No VAT", EffectiveRate: "0.0000", Status: "ACTIVE"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	mopts := magento.ClientOptions{HTTP: e.mg.Server.Client(), AllowPrivate: true, Now: clock.Now, Retries: -1}
	e.w = New(Config{
		DB: db, Now: clock.Now, DailyBudget: o.budget, Jitter: func() float64 { return 0.5 },
		Xero: func(context.Context, *domain.Binding) (*xero.Client, error) { return xc, nil },
		Magento: func(_ context.Context, tn *domain.Tenant) (*magento.Client, error) {
			key, err := db.APIKey(tn.ID)
			if err != nil {
				return nil, err
			}
			return magento.NewClient(tn.MagentoURL, tn.ID, key, mopts)
		},
	})
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
func (e *env) accept(event string, id int64, payload string) []uint64 {
	e.t.Helper()
	if payload == "" {
		payload = "{}"
	}
	res, err := e.db.AcceptEvent(e.ctx, store.AcceptRequest{
		TenantID: e.tenant, IdempotencyKey: event + ":" + strconv.FormatInt(id, 10), Event: event,
		Envelope: domain.Envelope{MagentoEntityID: id, WebsiteID: 1, StoreID: 1, OccurredAt: e.clock.Now().UTC().Format(time.RFC3339), Payload: json.RawMessage(payload)},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.RunIDs
}

func (e *env) runOnce() {
	e.t.Helper()
	if err := e.w.RunOnce(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) run(id uint64) *domain.SyncRun {
	e.t.Helper()
	r, err := e.db.Run(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) syncState(entity string, id int64) magentotest.SyncStateRow {
	return e.mg.SyncStates()[magentotest.SyncStateKey{EntityType: entity, MagentoID: id, Provider: "xero"}]
}

// accountingCalls counts Accounting API requests the fake received.
func (e *env) accountingCalls() int {
	n := 0
	for k, v := range e.xs.Calls() {
		switch k {
		case "replay", "429", "GET /connections", "DELETE /connections/{id}", "GET /authorize", "POST /token", "POST /revocation":
			continue
		}
		if len(k) > 0 && (k[0] == 'G' || k[0] == 'P' || k[0] == 'D') {
			n += v
		}
	}
	return n
}

// order builds a paid order n with a new customer: 2 × 10.00 at 20 % VAT,
// 5.00 shipping + 1.00 VAT: 30.00.
func order(n int64, method string) (magento.Invoice, magento.Payment) {
	first, last := "Cust", fmt.Sprintf("Number%d", n)
	inc := fmt.Sprintf("1%08d", n)
	inv := magento.Invoice{
		MagentoID: n, IncrementID: inc, OrderID: n, OrderIncrementID: inc, WebsiteID: 1, StoreID: 1, Currency: "GBP", State: "paid",
		Customer: magento.Contact{MagentoID: 1000 + n, Email: fmt.Sprintf("c%d@example.com", n), FirstName: &first, LastName: &last, WebsiteID: 1,
			Addresses: []magento.Address{{Kind: "billing", Street: []string{"1 High St"}, City: "London", CountryID: "GB"}}},
		Lines:    []magento.Line{{SKU: "TEE", Name: "T-shirt", Qty: dec("2"), UnitPrice: dec("10"), LineSubtotal: dec("20"), LineTax: dec("4"), LineTotal: dec("24")}},
		Subtotal: dec("20"), TaxAmount: dec("5"), ShippingAmount: dec("5"), ShippingTaxAmount: dec("1"), DiscountAmount: decimal.Zero,
		GrandTotal: dec("30"), CreatedAt: "2026-04-29T08:00:00Z", PaymentMethod: &method,
	}
	pay := magento.Payment{MagentoID: n, InvoiceID: n, InvoiceIncrementID: inc, Method: method, Currency: "GBP", Amount: dec("30"), CapturedAt: "2026-04-29T08:00:00Z"}
	return inv, pay
}

// paidOrder registers order n in Magento and accepts both of its events.
func (e *env) paidOrder(n int64) {
	inv, pay := order(n, "checkmo")
	e.mg.AddInvoice(inv)
	e.mg.AddPayment(pay)
	e.accept(domain.EventInvoiceCreated, n, fmt.Sprintf(`{"increment_id":%q,"paid":true}`, inv.IncrementID))
	e.accept(domain.EventInvoicePaid, n, fmt.Sprintf(`{"increment_id":%q}`, inv.IncrementID))
}
