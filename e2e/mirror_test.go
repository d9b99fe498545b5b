package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
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
	ctx := l.serve(t)

	l.addOrderWith(1, "checkmo", "GBP")
	l.addOrderWith(2, magentotest.PaymentMethodPurchOrdr, "GBP")
	l.addOrderWith(3, "checkmo", "EUR")
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
		1: {Status: "synced", ProviderEntityID: invoiceIDs["100000001"], ProviderReference: "100000001"},
		2: {Status: "skipped", ProviderEntityID: invoiceIDs["100000002"], ProviderReference: "100000002", SkipReason: "payment_method_not_mapped"},
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
		if v.InvoiceNumber == "100000003" {
			eur = v.InvoiceID
		}
	}
	if d := cmp.Diff(mirrorRow{Status: "synced", ProviderEntityID: eur, ProviderReference: "100000003"}, newMirrorRow(row(3))); d != "" || eur == "" {
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
