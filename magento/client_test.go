package magento_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
)

// setup returns a paired fake Magento with fixtures and a client for it.
func setup(t *testing.T) (*magentotest.Magento, *magento.Client) {
	t.Helper()
	m := magentotest.New(t)
	m.LoadFixtures()
	tenant, key := magento.NewTenantID(), magento.NewAPIKey()
	m.SetCredentials(tenant, key, "https://ledger.example")
	c, err := magento.NewClient(m.URL()+"/", tenant, key, magento.ClientOptions{
		AllowPrivate: true, Backoff: func(int) time.Duration { return 0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, c
}

func TestPair(t *testing.T) {
	m := magentotest.New(t)
	ctx := context.Background()
	req := func(code string) magento.PairRequest {
		return magento.PairRequest{MagentoURL: m.URL(), Code: code, TenantID: "tenant-123", APIKey: "byte8_lk_raw_secret",
			LedgerBaseURL: "https://ledger.byte8.io/", AllowPrivate: true}
	}
	if err := magento.Pair(ctx, req("deadbeefcafef00d0123456789abcdef")); domain.KindOf(err) != domain.EUnauthorized ||
		domain.MessageOf(err) != "Invalid or expired pairing code — generate a new one in Magento." {
		t.Fatalf("no pending code: %v", err)
	}
	code := m.GeneratePairingCode()
	if err := magento.Pair(ctx, req("  "+strings.ToUpper(code)+"\n")); err != nil {
		t.Fatalf("Pair: %v", err)
	}
	tenant, key, base := m.Credentials()
	if diff := cmp.Diff([]string{"tenant-123", "byte8_lk_raw_secret", "https://ledger.byte8.io"}, []string{tenant, key, base}); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	if err := magento.Pair(ctx, req(code)); domain.KindOf(err) != domain.EUnauthorized {
		t.Fatalf("reused code: %v", err)
	}
	code = m.GeneratePairingCode()
	m.Advance(1801 * time.Second)
	if err := magento.Pair(ctx, req(code)); domain.KindOf(err) != domain.EUnauthorized {
		t.Fatalf("expired code: %v", err)
	}
	code = m.GeneratePairingCode()
	bad := req(code)
	bad.LedgerBaseURL = "not-a-url"
	err := magento.Pair(ctx, bad)
	if domain.KindOf(err) != domain.EInvalid || !strings.Contains(domain.MessageOf(err), "ledger_base_url must be an absolute http(s) URL.") {
		t.Fatalf("bad ledger url: %v / %s", err, domain.MessageOf(err))
	}
	bad = req(code)
	bad.TenantID = " "
	if err := magento.Pair(ctx, bad); !strings.Contains(domain.MessageOf(err), "are all required") {
		t.Fatalf("empty tenant: %s", domain.MessageOf(err))
	}
	nf := req(code)
	nf.MagentoURL = m.URL() + "/shop"
	if err := magento.Pair(ctx, nf); domain.KindOf(err) != domain.ENotFound || !strings.Contains(domain.MessageOf(err), "/index.php/rest") {
		t.Fatalf("404: %v", err)
	}
	down := req(code)
	down.MagentoURL = "http://127.0.0.1:1"
	if err := magento.Pair(ctx, down); domain.KindOf(err) != domain.EUnavailable || !strings.HasPrefix(domain.MessageOf(err), "Magento could not be reached") {
		t.Fatalf("down: %v", err)
	}
	private := req(code)
	private.AllowPrivate = false
	if err := magento.Pair(ctx, private); domain.KindOf(err) != domain.EInvalid {
		t.Fatalf("private refused: %v", err)
	}
}

func TestClientFetchesFixtures(t *testing.T) {
	m, c := setup(t)
	ctx := context.Background()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	inv, err := c.Invoice(ctx, magentotest.InvoiceDiscountedID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.GrandTotal.String() != "27.6" || inv.DiscountAmount.String() != "-2" || inv.Lines[0].Discount().String() != "2" ||
		inv.ShippingAddress != nil || inv.Customer.Company != nil || *inv.Customer.GroupID != 1 || inv.State != "paid" {
		t.Errorf("invoice 42 decoded wrong: %+v", inv)
	}
	sum := inv.Subtotal.Add(inv.ShippingAmount).Add(inv.TaxAmount).Add(inv.DiscountAmount)
	if !sum.Equal(inv.GrandTotal) {
		t.Errorf("totals identity: %s != %s", sum, inv.GrandTotal)
	}
	b, err := c.Invoice(ctx, magentotest.InvoiceBundleID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(magentotest.InvoiceBundle(), *b, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("bundle invoice round trip (-want +got):\n%s", diff)
	}
	if _, err := c.Invoice(ctx, magentotest.InvoiceGuestID); err != nil {
		t.Fatal(err)
	}
	cm, err := c.CreditMemo(ctx, magentotest.CreditMemoNoInvoiceID)
	if err != nil || cm.InvoiceID != nil || cm.GrandTotal.String() != "105" {
		t.Fatalf("credit memo: %+v %v", cm, err)
	}
	if cm, err := c.CreditMemo(ctx, magentotest.CreditMemoPartialID); err != nil || *cm.InvoiceID != 42 || cm.AdjustmentNegative.String() != "0.5" {
		t.Fatalf("partial credit memo: %+v %v", cm, err)
	}
	if cu, err := c.Customer(ctx, magentotest.CustomerJaneID); err != nil || len(cu.Addresses) != 2 {
		t.Fatalf("customer: %+v %v", cu, err)
	}
	if p, err := c.Payment(ctx, 42); err != nil || p.Amount.String() != "27.6" || p.Method != "stripe_payments" {
		t.Fatalf("payment: %+v %v", p, err)
	}
	pm, err := c.PaymentMethods(ctx)
	if err != nil || len(pm) != 3 || pm[1].Label != nil || pm[1].IsActive {
		t.Fatalf("payment methods: %+v %v", pm, err)
	}
	m.DisablePaymentMethods()
	if _, err := c.PaymentMethods(ctx); !errors.Is(err, magento.ErrNotSupported) {
		t.Fatalf("old module: %v", err)
	}
	// Every request carried its own jti.
	seen := map[string]bool{}
	for _, r := range m.Requests() {
		if r.JTI == "" || seen[r.JTI] {
			t.Errorf("request %s %s jti %q not fresh", r.Method, r.Path, r.JTI)
		}
		seen[r.JTI] = true
	}
}

func TestClientErrors(t *testing.T) {
	m, c := setup(t)
	ctx := context.Background()
	requests := len(m.Requests())
	if _, err := c.Customer(ctx, 0); domain.KindOf(err) != domain.EInvalid {
		t.Fatalf("customer 0: %v", err)
	}
	if len(m.Requests()) != requests {
		t.Fatal("customer 0 reached Magento")
	}
	if _, err := c.Invoice(ctx, 999); domain.KindOf(err) != domain.ENotFound {
		t.Fatalf("missing invoice: %v", err)
	}
	// Two 500s are retried with fresh tokens; the third attempt succeeds.
	m.FailNext(2, 500)
	if _, err := c.Invoice(ctx, 42); err != nil {
		t.Fatalf("retry: %v", err)
	}
	m.FailNext(3, 503)
	if _, err := c.Invoice(ctx, 42); domain.KindOf(err) != domain.EUnavailable {
		t.Fatalf("retries exhausted: %v", err)
	}
	m.RevokeToken()
	err := c.Ping(ctx)
	if !errors.Is(err, magento.ErrTokenRevoked) || domain.CodeOf(err) != "token_revoked" {
		t.Fatalf("revoked: %v", err)
	}
	_, key, _ := m.Credentials()
	if strings.Contains(err.Error(), key) {
		t.Fatal("error leaks the api key")
	}
}

func TestClientTokensMeetMagentoRules(t *testing.T) {
	// A client whose clock runs 20 s ahead still passes Magento's nbf ≤ now
	// thanks to the 10 s backdate… only up to 10 s: at +20 s it is refused.
	m, _ := setup(t)
	tenant, key, _ := m.Credentials()
	for _, tt := range []struct {
		skew time.Duration
		ok   bool
	}{{0, true}, {9 * time.Second, true}, {20 * time.Second, false}, {-250 * time.Second, true}, {-320 * time.Second, false}} {
		c, _ := magento.NewClient(m.URL(), tenant, key, magento.ClientOptions{AllowPrivate: true, Retries: -1,
			Now: func() time.Time { return m.Now().Add(tt.skew) }})
		err := c.Ping(context.Background())
		if (err == nil) != tt.ok {
			t.Errorf("skew %s: err = %v, want ok=%v", tt.skew, err, tt.ok)
		}
	}
}

func TestPostSyncState(t *testing.T) {
	m, c := setup(t)
	ctx := context.Background()
	id, num := "5a4c1e2d-7b3f-4e8a-9c0d-1e2f3a4b5c6d", "INV-000000042"
	at := time.Date(2026, 4, 29, 10, 11, 42, 0, time.FixedZone("x", 3600))
	if err := c.PostSyncState(ctx, magento.SyncState{EntityType: "invoice", MagentoEntityID: 42, SyncStatus: "synced",
		ProviderEntityID: &id, ProviderReference: &num, LastSyncAt: magento.FormatSyncTime(at)}); err != nil {
		t.Fatal(err)
	}
	skip := "payment_method_not_mapped"
	if err := c.PostSyncState(ctx, magento.SyncState{EntityType: "creditmemo", MagentoEntityID: 8, SyncStatus: "skipped", SkipReason: &skip}); err != nil {
		t.Fatal(err)
	}
	got := m.SyncStates()
	want := magentotest.SyncStateRow{SyncStatus: "synced", ProviderEntityID: &id, ProviderReference: &num, LastSyncAt: "2026-04-29 09:11:42", Writes: 1}
	if diff := cmp.Diff(want, got[magentotest.SyncStateKey{EntityType: "invoice", MagentoID: 42, Provider: "xero"}]); diff != "" {
		t.Errorf("invoice row (-want +got):\n%s", diff)
	}
	if r := got[magentotest.SyncStateKey{EntityType: "creditmemo", MagentoID: 8, Provider: "xero"}]; r.SyncStatus != "skipped" || *r.SkipReason != skip || len(r.LastSyncAt) != 19 {
		t.Errorf("credit memo row %+v", r)
	}
	for _, bad := range []magento.SyncState{
		{EntityType: "order", MagentoEntityID: 1, SyncStatus: "synced"},
		{EntityType: "invoice", MagentoEntityID: 0, SyncStatus: "synced"},
		{EntityType: "invoice", MagentoEntityID: 1, SyncStatus: "pending"},
		{EntityType: "invoice", MagentoEntityID: 1, SyncStatus: "synced", LastSyncAt: "2026-04-29T10:11:12Z"},
	} {
		if err := c.PostSyncState(ctx, bad); domain.KindOf(err) != domain.EInvalid {
			t.Errorf("PostSyncState(%+v) = %v, want EInvalid", bad, err)
		}
	}
}

func TestDecodeKeepsExactAmounts(t *testing.T) {
	inv, err := magento.DecodeInvoice([]byte(magentotest.Invoice42JSON))
	if err != nil {
		t.Fatal(err)
	}
	if inv.GrandTotal.String() != "27.6" || inv.Lines[0].TaxRate.String() != "0.18" || inv.Lines[0].LineTax.String() != "3.6" {
		t.Errorf("amounts changed: %s %s %s", inv.GrandTotal, inv.Lines[0].TaxRate, inv.Lines[0].LineTax)
	}
	pos, _ := magento.DecodeInvoice([]byte(strings.Replace(magentotest.Invoice42JSON, `"discount_amount": -2.0`, `"discount_amount": 2.0`, 1)))
	if pos.DiscountAmount.String() != "-2" {
		t.Errorf("positive header discount not normalised: %s", pos.DiscountAmount)
	}
	for _, bad := range []string{`[]`, `{"magento_id":0,"currency":"GBP"}`, `{"magento_id":1}`, `{"magento_id":1,"currency":"GBP","grand_total":"x"}`} {
		if _, err := magento.DecodeInvoice([]byte(bad)); domain.CodeOf(err) != domain.ClassSerde {
			t.Errorf("DecodeInvoice(%s) = %v, want serde error", bad, err)
		}
	}
}

func FuzzDecodeInvoice(f *testing.F) {
	f.Add([]byte(magentotest.Invoice42JSON))
	f.Add(magentotest.Wire(magentotest.InvoiceBundle()))
	f.Add(magentotest.Wire(magentotest.InvoiceGuest()))
	f.Fuzz(func(t *testing.T, body []byte) {
		inv, err := magento.DecodeInvoice(body)
		if err != nil {
			if domain.KindOf(err) != domain.EInternal || domain.CodeOf(err) != domain.ClassSerde {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if inv.MagentoID < 1 || inv.Currency == "" || inv.DiscountAmount.IsPositive() {
			t.Fatalf("accepted bad invoice %+v", inv)
		}
		// What Magento would serve back decodes to the same invoice.
		again, err := magento.DecodeInvoice(magentotest.Wire(*inv))
		if err != nil {
			t.Fatal(err)
		}
		if !again.GrandTotal.Equal(inv.GrandTotal) || len(again.Lines) != len(inv.Lines) {
			t.Fatalf("round trip changed the invoice")
		}
	})
}

// TestPostSyncStateLongFields: §7.3's optional columns are varchar(64); a
// longer value (a long prefix + increment id, a long code) must be cut to at
// most 64 bytes on a character boundary (≤ 64 characters whatever the
// column's charset), not refused by Magento with a 500 that is resent
// forever.
func TestPostSyncStateLongFields(t *testing.T) {
	m, c := setup(t)
	long := strings.Repeat("é", 70)
	ref := "WEBSHOP-1-" + strings.Repeat("0", 60)
	if err := c.PostSyncState(context.Background(), magento.SyncState{EntityType: "invoice", MagentoEntityID: 42, SyncStatus: "failed",
		ProviderReference: &ref, ErrorCode: &long, SkipReason: &long}); err != nil {
		t.Fatalf("PostSyncState: %v", err)
	}
	got := m.SyncStates()[magentotest.SyncStateKey{EntityType: "invoice", MagentoID: 42, Provider: "xero"}]
	want64 := strings.Repeat("é", 32)
	if diff := cmp.Diff([]string{ref[:64], want64, want64}, []string{*got.ProviderReference, *got.ErrorCode, *got.SkipReason}); diff != "" {
		t.Errorf("stored fields (-want +got):\n%s", diff)
	}
}
