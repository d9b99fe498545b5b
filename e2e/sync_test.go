package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledger/cmd"
	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/store"
	"ledger/xero"
	"ledger/xero/xerotest"
)

// syncLedger is a data dir holding one paired tenant whose binding is
// connected to the fake Xero's organisation (tokens sealed as the vault
// keeps them), with the fakes it talks to.
type syncLedger struct {
	dir, masterKey, addr, base string
	mg                         *magentotest.Magento
	xs                         *xerotest.Server
	org, tenant                string
	bindingID                  uint64
}

// freeAddr reserves a loopback port for a server started later.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func newSyncLedger(t *testing.T) *syncLedger {
	t.Helper()
	l := &syncLedger{dir: t.TempDir(), mg: magentotest.New(t), xs: xerotest.New(t, xerotest.Options{})}
	// The fake Xero's clock follows real time, as a separate process's
	// limits and tokens are measured in it.
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func(clock *xerotest.Clock) {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				clock.Advance(now.Sub(last))
				last = now
			}
		}
	}(l.xs.Clock())
	l.addr = freeAddr(t)
	l.base = "http://" + l.addr
	l.org = l.xs.Organisations()[0]
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	l.masterKey = base64.StdEncoding.EncodeToString(raw)

	db, err := store.Open(filepath.Join(l.dir, "ledger.db"), raw, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	apiKey := magento.APIKeyPrefix + strings.Repeat("k", 43)
	tn := &domain.Tenant{ID: "7d1f7d3e-0000-4000-8000-000000000001", MagentoURL: l.mg.URL(), MagentoStatus: domain.MagentoActive}
	b := &domain.Binding{Provider: domain.ProviderXero}
	if err := db.CreatePairing(tn, apiKey, b); err != nil {
		t.Fatal(err)
	}
	l.tenant, l.bindingID = tn.ID, b.ID
	l.mg.SetCredentials(tn.ID, apiKey, l.base)

	tok := consentToken(t, l.xs.Config(l.base+"/oauth/xero/callback"))
	rec, _ := json.Marshal(map[string]any{"access_token": tok.AccessToken, "refresh_token": tok.RefreshToken,
		"expiry": tok.Expiry.UTC(), "auth_event_id": tok.AuthEventID, "saved_at": time.Now().UTC()})
	if err := db.PutSecret(domain.SecretBindingTokens(b.ID), rec); err != nil {
		t.Fatal(err)
	}
	bank := l.xs.Account(l.org, xerotest.BankAccountCode)
	if _, err := db.UpdateBinding(b.ID, func(b *domain.Binding) error {
		now := time.Now().UTC()
		b.Status, b.XeroTenantID, b.XeroOrgName, b.ConnectedAt = domain.BindingActive, l.org, "Demo Ltd", &now
		b.Policy.DefaultRevenueAccountCode, b.Policy.DefaultTaxType, b.Policy.DefaultBankAccountID = "200", "OUTPUT2", bank.AccountID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutReference(b.ID, &domain.ReferenceCache{
		FetchedAt:    time.Now().UTC(),
		Organisation: domain.Organisation{Name: "Demo Ltd", BaseCurrency: "GBP", CountryCode: "GB", Timezone: "Europe/London"},
		Accounts: []domain.Account{
			{AccountID: bank.AccountID, Code: "090", Name: "Business Bank Account", Type: "BANK", Status: "ACTIVE", CurrencyCode: "GBP"},
			{AccountID: l.xs.Account(l.org, "200").AccountID, Code: "200", Name: "Sales", Type: "REVENUE", Status: "ACTIVE"},
			{AccountID: l.xs.Account(l.org, "400").AccountID, Code: "400", Name: "Other Revenue", Type: "SALES", Status: "ACTIVE"},
		},
		TaxRates: []domain.TaxRate{{TaxType: "OUTPUT2", Name: "20%", EffectiveRate: "20.0000", Status: "ACTIVE"}, {TaxType: "NONE", Name: "No VAT", EffectiveRate: "0", Status: "ACTIVE"}},
	}); err != nil {
		t.Fatal(err)
	}
	return l
}

// consentToken runs the fake Xero's consent and exchanges the code.
func consentToken(t *testing.T, cfg xero.Config) *xero.Token {
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

// serveArgs are `ledger serve`'s flags pointing at the fakes.
func (l *syncLedger) serveArgs() []string {
	x := l.xs.URL
	return []string{"serve", "--data-dir", l.dir, "--addr", l.addr, "--public-url", l.base,
		"--xero-client-id", "client-id", "--xero-client-secret", "client-secret",
		"--xero-authorize-url", x + "/identity/connect/authorize", "--xero-token-url", x + "/connect/token",
		"--xero-revoke-url", x + "/connect/revocation", "--xero-connections-url", x + "/connections",
		"--xero-api-url", x + "/api.xro/2.0", "--magento-allow-private", "--log-format", "json"}
}

func (l *syncLedger) env(k string) (string, bool) {
	if k == "LEDGER_MASTER_KEY" {
		return l.masterKey, true
	}
	return "", false
}

// cli runs one command in-process (forwarded to the server when it runs).
func (l *syncLedger) cli(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cmd.Run(context.Background(), append(args, "--data-dir", l.dir), l.env, strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), code
}

// addOrder registers a paid order n with a new customer in Magento: 2 ×
// 10.00 + 20 % VAT, 5.00 shipping + 1.00 VAT = 30.00.
func (l *syncLedger) addOrder(n int64) {
	first, last := "Cust", fmt.Sprintf("N%d", n)
	inc := fmt.Sprintf("2%08d", n)
	d := decimal.RequireFromString
	method := "checkmo"
	l.mg.AddInvoice(magento.Invoice{
		MagentoID: n, IncrementID: inc, OrderID: n, OrderIncrementID: inc, WebsiteID: 1, StoreID: 1, Currency: "GBP", State: "paid",
		Customer: magento.Contact{MagentoID: 5000 + n, Email: fmt.Sprintf("c%d@example.com", n), FirstName: &first, LastName: &last, WebsiteID: 1},
		Lines:    []magento.Line{{SKU: "TEE", Name: "T-shirt", Qty: d("2"), UnitPrice: d("10"), LineSubtotal: d("20"), LineTax: d("4"), LineTotal: d("24")}},
		Subtotal: d("20"), TaxAmount: d("5"), ShippingAmount: d("5"), ShippingTaxAmount: d("1"), DiscountAmount: d("0"),
		GrandTotal: d("30"), CreatedAt: "2026-04-29T08:00:00Z", PaymentMethod: &method,
	})
	l.mg.AddPayment(magento.Payment{MagentoID: n, InvoiceID: n, InvoiceIncrementID: inc, Method: method, Currency: "GBP", Amount: d("30"), CapturedAt: "2026-04-29T08:00:00Z"})
}

// publishOrder delivers an order's two webhooks; it reports whether both
// were accepted (Magento's outbox retries the rest).
func (l *syncLedger) publishOrder(ctx context.Context, n int64) bool {
	inc := fmt.Sprintf("2%08d", n)
	for _, ev := range []struct{ name, payload string }{
		{domain.EventInvoiceCreated, fmt.Sprintf(`{"increment_id":%q,"paid":true}`, inc)},
		{domain.EventInvoicePaid, fmt.Sprintf(`{"increment_id":%q}`, inc)},
	} {
		status, _, err := l.mg.Publish(ctx, l.base, ev.name, domain.Envelope{MagentoEntityID: n, WebsiteID: 1, StoreID: 1,
			OccurredAt: time.Now().UTC().Format(time.RFC3339), Payload: json.RawMessage(ev.payload)})
		if err != nil || status != http.StatusAccepted && status != http.StatusOK {
			return false
		}
	}
	return true
}

// waitUntil polls cond (an external process is doing the work) until it
// holds or the deadline passes.
func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		<-tick.C
	}
}

// synced counts the invoices Magento shows as synced.
func (l *syncLedger) synced() int {
	n := 0
	for k, v := range l.mg.SyncStates() {
		if k.EntityType == "invoice" && v.SyncStatus == "synced" && v.ProviderEntityID != nil {
			n++
		}
	}
	return n
}

// mirroredTwice counts the invoices Magento shows as synced after both
// of their events (created, paid) were mirrored.
func (l *syncLedger) mirroredTwice() int {
	n := 0
	for k, v := range l.mg.SyncStates() {
		if k.EntityType == "invoice" && v.SyncStatus == "synced" && v.ProviderEntityID != nil && v.Writes >= 2 {
			n++
		}
	}
	return n
}

func TestSyncEndToEnd(t *testing.T) {
	l := newSyncLedger(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan int, 1)
	go func() {
		var out bytes.Buffer
		served <- cmd.Run(ctx, l.serveArgs(), l.env, strings.NewReader(""), &out, &out)
	}()
	defer func() {
		cancel()
		if code := <-served; code != 0 {
			t.Errorf("serve exited %d", code)
		}
	}()
	waitUntil(t, "/healthz", 10*time.Second, func() bool {
		resp, err := http.Get(l.base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})

	// A webhook reaches Xero within about a second.
	l.addOrder(1)
	start := time.Now()
	if !l.publishOrder(ctx, 1) {
		t.Fatal("webhooks refused")
	}
	waitUntil(t, "order 1 in Xero", 10*time.Second, func() bool { return len(l.xs.Payments(l.org)) == 1 && l.synced() == 1 })
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("order reached Xero after %s", d)
	}

	// A refusal is quoted in `ledger sync list`; after `binding set` fixes
	// the setting, `sync retry` re-runs it through the server.
	if out, code := l.cli(t, "binding", "set", fmt.Sprint(l.bindingID), "default_xero_revenue_account_code", "400"); code != 0 {
		t.Fatalf("binding set: %d %s", code, out)
	}
	l.addOrder(2)
	l.xs.SetFault(&xerotest.Fault{Status: 400, Times: 1}) // not a Xero validation body: an HTTP error
	if !l.publishOrder(ctx, 2) {
		t.Fatal("webhooks refused")
	}
	var failed []map[string]any
	waitUntil(t, "a failed run", 10*time.Second, func() bool {
		out, _ := l.cli(t, "sync", "list", "--status", "failed", "--json")
		return json.Unmarshal([]byte(out), &failed) == nil && len(failed) == 1
	})
	if failed[0]["error_class"] != "http" || !strings.Contains(failed[0]["error_message"].(string), "Xero refused the request") {
		t.Errorf("failed run = %v", failed[0])
	}
	if out, code := l.cli(t, "sync", "retry", fmt.Sprint(failed[0]["id"])); code != 0 || !strings.Contains(out, "queued again") {
		t.Fatalf("sync retry: %d %s", code, out)
	}
	waitUntil(t, "order 2 in Xero", 10*time.Second, func() bool { return len(l.xs.Payments(l.org)) == 2 && l.synced() == 2 })
	if n := len(l.xs.Invoices(l.org)); n != 2 {
		t.Errorf("%d invoices in Xero, want 2", n)
	}
	for _, v := range l.xs.Invoices(l.org) {
		if v.InvoiceNumber == "200000002" && v.LineItems[0].AccountCode != "400" {
			t.Errorf("retried invoice posted to account %s, want 400", v.LineItems[0].AccountCode)
		}
	}
}
