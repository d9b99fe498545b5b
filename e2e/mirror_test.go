package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"ledger/cmd"
	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/store"
)

// What Magento's sync-state table shows after ledger serve syncs: a paid
// invoice is synced with its InvoiceID and number; a payment whose method
// is not mapped is skipped with payment_method_not_mapped and the InvoiceID
// still there (§12 #10); a refused invoice is failed with its error code —
// and once the currency is enabled in Xero, `ledger sync retry` (which
// refreshes the cached reference data first) syncs it.
func TestMirrorSyncStateAndRetryAfterCurrencyEnabled(t *testing.T) {
	l := newSyncLedger(t)
	mirrorPolicy(t, l)
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

	l.addMirrorOrder(1, "checkmo", "GBP")
	l.addMirrorOrder(2, magentotest.PaymentMethodPurchOrdr, "GBP")
	l.addMirrorOrder(3, "checkmo", "EUR")
	for n := int64(1); n <= 2; n++ {
		if !l.publishOrder(ctx, n) {
			t.Fatalf("order %d: webhooks refused", n)
		}
	}
	if !l.publishInvoice(ctx, 3) {
		t.Fatal("order 3: webhook refused")
	}
	row := func(n int64) magentotest.SyncStateRow {
		return l.mg.SyncStates()[magentotest.SyncStateKey{EntityType: "invoice", MagentoID: n, Provider: "xero"}]
	}
	settled := func(n int64, writes int) func() bool {
		return func() bool { r := row(n); return r.Writes >= writes && r.SyncStatus != "" }
	}
	waitUntil(t, "orders 1 and 2 mirrored twice (invoice and payment), order 3 once", 15*time.Second, func() bool {
		return settled(1, 2)() && settled(2, 2)() && settled(3, 1)()
	})

	invoiceIDs := map[string]string{} // number → InvoiceID
	for _, v := range l.xs.Invoices(l.org) {
		invoiceIDs[v.InvoiceNumber] = v.InvoiceID
	}
	want := map[int64]mirrorRow{
		1: {Status: "synced", ProviderEntityID: invoiceIDs["200000001"], ProviderReference: "200000001"},
		2: {Status: "skipped", ProviderEntityID: invoiceIDs["200000002"], ProviderReference: "200000002", SkipReason: "payment_method_not_mapped"},
		3: {Status: "failed", ErrorCode: domain.ClassValidation},
	}
	got := map[int64]mirrorRow{}
	for n := range want {
		got[n] = newMirrorRow(row(n))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Magento sync-state rows (-want +got):\n%s", d)
	}
	if want[1].ProviderEntityID == "" || want[2].ProviderEntityID == "" {
		t.Fatalf("invoices in Xero: %v", invoiceIDs)
	}

	// Enable EUR in Xero; `ledger sync retry` refreshes the cache (which
	// still says GBP only) before the run goes again, so it now syncs.
	var failed []struct {
		ID        uint64 `json:"id"`
		MagentoID int64  `json:"magento_id"`
	}
	if out, code := l.cli(t, "sync", "list", "--status", "failed", "--json"); code != 0 || json.Unmarshal([]byte(out), &failed) != nil || len(failed) != 1 || failed[0].MagentoID != 3 {
		t.Fatalf("sync list --status failed: %d %s", code, out)
	}
	l.xs.EnableCurrency(l.org, "EUR")
	if out, code := l.cli(t, "sync", "retry", fmt.Sprint(failed[0].ID)); code != 0 || !strings.Contains(out, "queued again") {
		t.Fatalf("sync retry: %d %s", code, out)
	}
	waitUntil(t, "order 3 synced after the retry", 15*time.Second, func() bool { return row(3).SyncStatus == "synced" })
	var eur string
	for _, v := range l.xs.Invoices(l.org) {
		if v.InvoiceNumber == "200000003" {
			eur = v.InvoiceID
		}
	}
	if d := cmp.Diff(mirrorRow{Status: "synced", ProviderEntityID: eur, ProviderReference: "200000003"}, newMirrorRow(row(3))); d != "" || eur == "" {
		t.Errorf("order 3 after retry (-want +got):\n%s", d)
	}
}

// mirrorRow is the part of a sync-state row the test compares.
type mirrorRow struct {
	Status, ProviderEntityID, ProviderReference, SkipReason, ErrorCode string
}

func newMirrorRow(r magentotest.SyncStateRow) mirrorRow {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return mirrorRow{Status: r.SyncStatus, ProviderEntityID: s(r.ProviderEntityID), ProviderReference: s(r.ProviderReference),
		SkipReason: s(r.SkipReason), ErrorCode: s(r.ErrorCode)}
}

// mirrorPolicy maps only checkmo to the bank account (no default bank
// account, so other methods are skipped) and caches GBP as the only
// enabled currency, so EUR is refused from the cache until it is refreshed.
func mirrorPolicy(t *testing.T, l *syncLedger) {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(l.masterKey)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(l.dir, "ledger.db"), key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.UpdateBinding(l.bindingID, func(b *domain.Binding) error {
		bank := b.Policy.DefaultBankAccountID
		b.Policy.DefaultBankAccountID = ""
		b.Policy.PaymentMethodMap = map[string]*string{"checkmo": &bank}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ref, err := db.Reference(l.bindingID)
	if err != nil {
		t.Fatal(err)
	}
	ref.Currencies = []string{"GBP"}
	if err := db.PutReference(l.bindingID, ref); err != nil {
		t.Fatal(err)
	}
}

// addMirrorOrder is a paid order n (30.00) paid with method in currency.
func (l *syncLedger) addMirrorOrder(n int64, method, currency string) {
	first, last := "Mirror", fmt.Sprintf("N%d", n)
	inc := fmt.Sprintf("2%08d", n)
	d := decimal.RequireFromString
	l.mg.AddInvoice(magento.Invoice{
		MagentoID: n, IncrementID: inc, OrderID: n, OrderIncrementID: inc, WebsiteID: 1, StoreID: 1, Currency: currency, State: "paid",
		Customer: magento.Contact{MagentoID: 6000 + n, Email: fmt.Sprintf("m%d@example.com", n), FirstName: &first, LastName: &last, WebsiteID: 1},
		Lines:    []magento.Line{{SKU: "TEE", Name: "T-shirt", Qty: d("2"), UnitPrice: d("10"), LineSubtotal: d("20"), LineTax: d("4"), LineTotal: d("24")}},
		Subtotal: d("20"), TaxAmount: d("5"), ShippingAmount: d("5"), ShippingTaxAmount: d("1"), DiscountAmount: d("0"),
		GrandTotal: d("30"), CreatedAt: "2026-04-29T08:00:00Z", PaymentMethod: &method,
	})
	l.mg.AddPayment(magento.Payment{MagentoID: n, InvoiceID: n, InvoiceIncrementID: inc, Method: method, Currency: currency, Amount: d("30"), CapturedAt: "2026-04-29T08:00:00Z"})
}

// publishInvoice delivers only invoice.created of order n.
func (l *syncLedger) publishInvoice(ctx context.Context, n int64) bool {
	status, _, err := l.mg.Publish(ctx, l.base, domain.EventInvoiceCreated, domain.Envelope{MagentoEntityID: n, WebsiteID: 1, StoreID: 1,
		OccurredAt: time.Now().UTC().Format(time.RFC3339), Payload: json.RawMessage(fmt.Sprintf(`{"increment_id":"2%08d","paid":true}`, n))})
	return err == nil && (status == http.StatusAccepted || status == http.StatusOK)
}
