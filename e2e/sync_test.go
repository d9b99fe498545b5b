package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"ledger/xero/xerotest"
)

func TestSyncEndToEnd(t *testing.T) {
	l := newSyncLedger(t)
	ctx := l.serve(t)

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
		if v.InvoiceNumber == "100000002" && v.LineItems[0].AccountCode != "400" {
			t.Errorf("retried invoice posted to account %s, want 400", v.LineItems[0].AccountCode)
		}
	}
}
