package magentotest_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"ledger/magento"
	"ledger/magento/magentotest"
)

// A shop's stream publishes signed webhooks in its plan's order, and every
// entity it announces is served by the fake, decodes through ledger's own
// client, and adds up to the cent.
func TestShopStream(t *testing.T) {
	m := magentotest.New(t)
	srv, reqs, _ := ledger(t, 202)
	m.SetCredentials(tenant, apiKey, srv.URL)
	client, err := magento.NewClient(m.URL(), tenant, apiKey, magento.ClientOptions{AllowPrivate: true, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	shop := magentotest.NewShop(m, 1)
	var kinds []string
	for range 24 {
		sale, err := shop.Step(ctx)
		if err != nil {
			t.Fatalf("step %d (%s): %v", len(kinds), sale, err)
		}
		kinds = append(kinds, sale.Kind)
		for _, ev := range sale.Events {
			name, rawID, _ := strings.Cut(ev, ":")
			id, _ := strconv.ParseInt(rawID, 10, 64)
			checkEntity(t, ctx, client, name, id, sale.Kind)
		}
	}
	want := []string{"paid", "guest", "paid", "unpaid", "refund", "paid", "eur", "customer", "card", "paid", "refund", "guest"}
	if diff := cmp.Diff(append(want, want...), kinds); diff != "" {
		t.Errorf("sale kinds (-want +got):\n%s", diff)
	}
	for _, r := range *reqs {
		if !strings.HasPrefix(r.URL.Path, "/webhooks/magento/"+tenant+"/") || r.Header.Get("Idempotency-Key") == "" {
			t.Errorf("webhook %s with key %q", r.URL.Path, r.Header.Get("Idempotency-Key"))
		}
	}
}

func checkEntity(t *testing.T, ctx context.Context, c *magento.Client, event string, id int64, kind string) {
	t.Helper()
	switch event {
	case "invoice.created":
		inv, err := c.Invoice(ctx, id)
		if err != nil {
			t.Fatalf("invoice %d: %v", id, err)
		}
		lines := decimal.Zero
		for _, l := range inv.Lines {
			if !l.LineSubtotal.Equal(l.Qty.Mul(l.UnitPrice)) {
				t.Errorf("invoice %d line %s: subtotal %s ≠ qty × price", id, l.SKU, l.LineSubtotal)
			}
			lines = lines.Add(l.LineTotal)
		}
		if got := lines.Add(inv.ShippingAmount).Add(inv.ShippingTaxAmount); !got.Equal(inv.GrandTotal) {
			t.Errorf("invoice %d: lines + shipping = %s, grand total %s", id, got, inv.GrandTotal)
		}
		if got := inv.Subtotal.Add(inv.DiscountAmount).Add(inv.ShippingAmount).Add(inv.TaxAmount); !got.Equal(inv.GrandTotal) {
			t.Errorf("invoice %d: subtotal + discount + shipping + tax = %s, grand total %s", id, got, inv.GrandTotal)
		}
		if want := map[bool]string{true: "EUR", false: "GBP"}[kind == "eur"]; inv.Currency != want {
			t.Errorf("invoice %d (%s): currency %s, want %s", id, kind, inv.Currency, want)
		}
		if kind == "guest" && inv.Customer.MagentoID != 0 {
			t.Errorf("guest invoice %d has customer %d", id, inv.Customer.MagentoID)
		}
	case "invoice.paid":
		p, err := c.Payment(ctx, id)
		if err != nil {
			t.Fatalf("payment of invoice %d: %v", id, err)
		}
		inv, _ := c.Invoice(ctx, id)
		if !p.Amount.Equal(inv.GrandTotal) {
			t.Errorf("payment %s of invoice %d ≠ grand total %s", p.Amount, id, inv.GrandTotal)
		}
		if want := map[bool]string{true: magentotest.ShopCardMethod, false: magentotest.ShopPaidMethod}[kind == "card"]; p.Method != want {
			t.Errorf("payment of invoice %d (%s): method %s, want %s", id, kind, p.Method, want)
		}
	case "creditmemo.created":
		cm, err := c.CreditMemo(ctx, id)
		if err != nil {
			t.Fatalf("credit memo %d: %v", id, err)
		}
		sum := cm.ShippingAmount.Add(cm.ShippingTaxAmount).Add(cm.AdjustmentPositive).Sub(cm.AdjustmentNegative)
		for _, l := range cm.Lines {
			sum = sum.Add(l.LineTotal)
		}
		if !sum.Equal(cm.GrandTotal) || cm.InvoiceID == nil {
			t.Errorf("credit memo %d: parts %s, grand total %s, invoice %v", id, sum, cm.GrandTotal, cm.InvoiceID)
		}
	case "customer.upserted":
		if _, err := c.Customer(ctx, id); err != nil {
			t.Fatalf("customer %d: %v", id, err)
		}
	default:
		t.Errorf("unexpected event %s", event)
	}
}
