package dashboard

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
)

func TestWebhookAcceptAndReplay(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	r := f.webhook("invoice.created", envelope42, "invoice.created:42")
	if r.code != 202 {
		t.Fatalf("first delivery: %d %s, want 202", r.code, r.body)
	}
	runs, err := f.db.ListRuns(store.RunFilter{TenantID: f.tenant.ID})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs after accept: %v, %v", runs, err)
	}
	want := `{"sync_run_id":"` + itoa(runs[0].ID) + `"}`
	if r.body != want {
		t.Errorf("body = %s, want %s", r.body, want)
	}
	if runs[0].Status != domain.RunQueued || runs[0].MagentoNumber != "000000042" || runs[0].BindingID != f.binding.ID {
		t.Errorf("run = %+v", runs[0])
	}
	if diff := cmp.Diff([]uint64{f.binding.ID}, <-f.enqueued); diff != "" {
		t.Errorf("Enqueued (-want +got):\n%s", diff)
	}
	// A requeued outbox row: same key, fresh token.
	again := f.webhook("invoice.created", envelope42, "invoice.created:42")
	if again.code != 200 || again.body != want {
		t.Errorf("replay: %d %s, want 200 %s", again.code, again.body, want)
	}
	// No Idempotency-Key: the key Magento would have sent is derived.
	derived := f.call("POST", "/webhooks/magento/"+f.tenant.ID+"/invoice.created", "Bearer "+f.token(), envelope42)
	if derived.code != 200 || derived.body != want {
		t.Errorf("derived key: %d %s, want 200 %s", derived.code, derived.body, want)
	}
	if n, _ := f.db.ListRuns(store.RunFilter{TenantID: f.tenant.ID}); len(n) != 1 {
		t.Errorf("%d runs after replays, want 1", len(n))
	}
	select {
	case ids := <-f.enqueued:
		t.Errorf("replay woke the worker: %v", ids)
	default:
	}
}

func TestWebhookRefusals(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	tid := f.tenant.ID
	claims := func(mod func(*magento.Claims)) string {
		c := f.claims()
		mod(&c)
		return "Bearer " + magento.Mint(f.outbound, c)
	}
	tests := []struct {
		name, path, auth, body string
		want                   int
	}{
		{"no token", "/webhooks/magento/" + tid + "/invoice.created", "", envelope42, 401},
		{"wrong key", "/webhooks/magento/" + tid + "/invoice.created", "Bearer " + magento.Mint([]byte("another-key-0123456789abcdef0123"), f.claims()), envelope42, 401},
		{"sub is another tenant", "/webhooks/magento/" + tid + "/invoice.created", claims(func(c *magento.Claims) { c.Sub = "someone-else" }), envelope42, 401},
		{"unknown tenant", "/webhooks/magento/no-such-tenant/invoice.created", claims(func(c *magento.Claims) { c.Sub = "no-such-tenant" }), envelope42, 401},
		{"expired", "/webhooks/magento/" + tid + "/invoice.created", claims(func(c *magento.Claims) { c.Iat -= 600; c.Nbf -= 600; c.Exp -= 600 }), envelope42, 401},
		{"bad json", "/webhooks/magento/" + tid + "/invoice.created", "Bearer " + f.token(), `{"magento_entity_id":`, 400},
		{"envelope rule", "/webhooks/magento/" + tid + "/invoice.created", "Bearer " + f.token(), `{"magento_entity_id":"42","occurred_at":"2026-04-29T10:11:12Z"}`, 422},
		{"bad event name", "/webhooks/magento/" + tid + "/Invoice", "Bearer " + f.token(), envelope42, 422},
		{"too large", "/webhooks/magento/" + tid + "/invoice.created", "Bearer " + f.token(), `{"payload":"` + strings.Repeat("x", 1<<20) + `"}`, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.call("POST", tt.path, tt.auth, tt.body, "Idempotency-Key", "k:"+tt.name)
			if r.code != tt.want {
				t.Errorf("%d %s, want %d", r.code, r.body, tt.want)
			}
			if r.code == 401 && r.body != `{"error":"unauthorized"}` {
				t.Errorf("401 body %s leaks detail", r.body)
			}
		})
	}
	if runs, _ := f.db.ListRuns(store.RunFilter{}); len(runs) != 0 {
		t.Errorf("refusals recorded %d runs", len(runs))
	}
}

func TestWebhookUnhandledEventIsSkipped(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	r := f.webhook("product.upserted", `{"magento_entity_id":9,"website_id":0,"store_id":0,"occurred_at":"2026-04-29T10:11:12Z","payload":{}}`, "product.upserted:9")
	if r.code != 202 {
		t.Fatalf("%d %s, want 202", r.code, r.body)
	}
	runs, _ := f.db.ListRuns(store.RunFilter{TenantID: f.tenant.ID})
	if len(runs) != 1 || runs[0].Status != domain.RunSkipped || runs[0].SkipReason != domain.SkipNotHandledEvent {
		t.Errorf("runs = %+v", runs)
	}
	select {
	case ids := <-f.enqueued:
		t.Errorf("a skipped event woke the worker: %v", ids)
	default:
	}
}

func TestWebhookDatabaseClosedIs503(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	tok := "Bearer " + f.token()
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	r := f.call("POST", "/webhooks/magento/"+f.tenant.ID+"/invoice.created", tok, envelope42, "Idempotency-Key", "invoice.created:42")
	if r.code != 503 {
		t.Errorf("%d %s, want 503", r.code, r.body)
	}
}
