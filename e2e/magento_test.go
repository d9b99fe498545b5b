// Package e2e drives ledger end to end over real servers: the strict fake
// Magento of magentotest, ledger's HTTP handler on httptest over a real
// bbolt store, and the real command line run in-process.
package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"ledger/cmd"
	"ledger/dashboard"
	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/store"
)

// mgCLI runs `ledger <args>` in-process against dir.
func mgCLI(t *testing.T, dir, masterKey, stdin string, args ...string) (string, string) {
	t.Helper()
	vars := map[string]string{"LEDGER_MASTER_KEY": masterKey}
	var out, errb bytes.Buffer
	args = append(args, "--data-dir", dir)
	code := cmd.Run(context.Background(), args, func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		strings.NewReader(stdin), &out, &errb)
	if code != 0 {
		t.Fatalf("ledger %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

func TestMagentoEndToEnd(t *testing.T) {
	ctx := context.Background()
	mg := magentotest.New(t)
	code := mg.GeneratePairingCode()

	// ledger's public URL must exist before pairing (Magento learns it), and
	// the database must be free for the CLI: serve a placeholder until then.
	var handler atomic.Pointer[http.Handler]
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	defer ts.Close()

	dir := t.TempDir()
	rawKey := make([]byte, 32)
	_, _ = rand.Read(rawKey)
	masterKey := base64.StdEncoding.EncodeToString(rawKey)
	mgCLI(t, dir, masterKey, "a long enough password", "user", "add", "merchant@example.com", "--role", "merchant", "--password-stdin")
	out, _ := mgCLI(t, dir, masterKey, "", "binding", "pair", "--magento-url", mg.URL()+"/", "--code", " "+strings.ToUpper(code)+" ",
		"--owner", "merchant@example.com", "--json", "--public-url", ts.URL, "--magento-allow-private")
	var paired struct {
		TenantID  string `json:"tenant_id"`
		BindingID uint64 `json:"binding_id"`
	}
	if err := json.Unmarshal([]byte(out), &paired); err != nil || paired.TenantID == "" || paired.BindingID == 0 {
		t.Fatalf("pair --json printed %q (%v)", out, err)
	}
	tenantID, apiKey, learnt := mg.Credentials()
	if tenantID != paired.TenantID || learnt != ts.URL || !strings.HasPrefix(apiKey, magento.APIKeyPrefix) {
		t.Fatalf("Magento learnt tenant %q base %q; ledger printed %q", tenantID, learnt, paired.TenantID)
	}
	if _, err := uuid.Parse(tenantID); err != nil {
		t.Errorf("tenant id %q is not a UUID", tenantID)
	}

	db, err := store.Open(filepath.Join(dir, "ledger.db"), rawKey, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := dashboard.New(dashboard.Config{DB: db, PublicURL: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	handler.Store(&h)

	tn, _ := db.Tenant(tenantID)
	if tn.MagentoStatus != domain.MagentoActive || tn.OwnerID == 0 {
		t.Errorf("after pairing: magento status %q owner %d, want active", tn.MagentoStatus, tn.OwnerID)
	}

	// The four events the Xero module publishes, then their replays.
	events := []struct {
		name string
		id   int64
	}{{"invoice.created", 42}, {"invoice.paid", 42}, {"creditmemo.created", 8}, {"customer.upserted", 7}}
	runIDs := map[string]string{}
	for _, ev := range events {
		status, body, err := mg.Publish(ctx, "", ev.name, mgEnvelope(ev.id))
		if err != nil || status != http.StatusAccepted {
			t.Fatalf("publish %s: %d %s %v", ev.name, status, body, err)
		}
		runIDs[ev.name] = mgRunID(t, body)
	}
	runs, err := db.ListRuns(store.RunFilter{TenantID: tenantID})
	if err != nil || len(runs) != 4 {
		t.Fatalf("%d runs, %v; want 4", len(runs), err)
	}
	for _, r := range runs {
		if r.Status != domain.RunQueued || r.BindingID != paired.BindingID || runIDs[r.Event] != strconv.FormatUint(r.ID, 10) {
			t.Errorf("run %d %s: %s binding %d", r.ID, r.Event, r.Status, r.BindingID)
		}
	}
	for _, ev := range events {
		status, body, err := mg.Publish(ctx, "", ev.name, mgEnvelope(ev.id))
		if err != nil || status/100 != 2 || mgRunID(t, body) != runIDs[ev.name] {
			t.Errorf("replay %s: %d %s %v, want 2xx with run %s", ev.name, status, body, err, runIDs[ev.name])
		}
	}
	status, body, err := mg.Health(ctx)
	want := `{"tenant":{"magento_connection_status":"active"},"binding":{"status":"pending_oauth","region":null},"sync":{"last_run_at":"`
	if err != nil || status != 200 || !strings.HasPrefix(string(body), want) || !strings.Contains(string(body), `"pending_count":4,"failed_24h":0}}`) {
		t.Errorf("health: %d %s", status, body)
	}

	t.Run("forged tokens", func(t *testing.T) { mgForgedTokens(t, ts.URL, tenantID, apiKey) })
	t.Run("mgBodies", func(t *testing.T) { mgBodies(t, mg) })

	status, body, err = mg.Disconnect(ctx)
	if err != nil || status != http.StatusNoContent {
		t.Fatalf("disconnect: %d %s %v", status, body, err)
	}
	mg.SetCredentials(tenantID, apiKey, ts.URL) // a stale outbox row signed with the old key
	if status, _, _ := mg.Publish(ctx, "", "invoice.created", mgEnvelope(43)); status != http.StatusUnauthorized {
		t.Errorf("webhook after disconnect: %d, want 401", status)
	}
	if b, _ := db.Binding(paired.BindingID); b.Status != domain.BindingRevoked {
		t.Errorf("binding after disconnect: %s", b.Status)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := mg.Publish(ctx, "", "invoice.created", mgEnvelope(44)); status != http.StatusServiceUnavailable {
		t.Errorf("database closed: %d, want 503", status)
	}
}

func mgEnvelope(id int64) domain.Envelope {
	return domain.Envelope{MagentoEntityID: id, WebsiteID: 1, StoreID: 1, OccurredAt: "2026-04-29T10:11:12Z",
		Payload: json.RawMessage(`{"increment_id":"0000000` + strconv.FormatInt(id, 10) + `"}`)}
}

func mgRunID(t *testing.T, body []byte) string {
	t.Helper()
	var v struct {
		SyncRunID string `json:"sync_run_id"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.SyncRunID == "" {
		t.Fatalf("body %s has no sync_run_id", body)
	}
	return v.SyncRunID
}

// mgForgedTokens: every bad token is 401 — never 2xx, never 5xx.
func mgForgedTokens(t *testing.T, base, tenantID, apiKey string) {
	out, _ := magento.DeriveKeys(apiKey)
	now := time.Now().Unix()
	good := func() magento.Claims {
		return magento.Claims{Iss: magento.IssuerMagento, Sub: tenantID, Aud: magento.IssuerLedger,
			Iat: now, Nbf: now, Exp: now + 60, Jti: uuid.NewString()}
	}
	with := func(f func(*magento.Claims)) string { c := good(); f(&c); return magento.Mint(out, c) }
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	claimsJSON, _ := json.Marshal(good())
	replayed := magento.Mint(out, good())
	tests := []struct{ name, auth string }{
		{"no header", ""},
		{"alg none", "Bearer " + b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(string(claimsJSON)) + "."},
		{"missing typ", "Bearer " + mgSigned(out, b64(`{"alg":"HS256"}`)+"."+b64(string(claimsJSON)))},
		{"wrong key", "Bearer " + magento.Mint([]byte("0123456789abcdef0123456789abcdef"), good())},
		{"inbound key", "Bearer " + func() string { _, in := magento.DeriveKeys(apiKey); return magento.Mint(in, good()) }()},
		{"wrong iss", "Bearer " + with(func(c *magento.Claims) { c.Iss = magento.IssuerLedger })},
		{"wrong aud", "Bearer " + with(func(c *magento.Claims) { c.Aud = "magento" })},
		{"sub is not the path tenant", "Bearer " + with(func(c *magento.Claims) { c.Sub = uuid.NewString() })},
		{"expired", "Bearer " + with(func(c *magento.Claims) { c.Iat, c.Nbf, c.Exp = now-600, now-600, now-540 })},
		{"ttl over 300 s", "Bearer " + with(func(c *magento.Claims) { c.Exp = c.Iat + 301 })},
		{"replayed jti", "Bearer " + replayed},
		{"basic scheme", "Basic " + replayed},
	}
	path := base + "/webhooks/magento/" + tenantID + "/invoice.created"
	// The replayed token is used once legitimately first.
	if code := mgPost(t, path, "Bearer "+replayed, "invoice.created:500"); code/100 != 2 {
		t.Fatalf("first use of the token: %d", code)
	}
	for _, tt := range tests {
		if code := mgPost(t, path, tt.auth, "invoice.created:501"); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", tt.name, code)
		}
	}
}

func mgSigned(key []byte, signingInput string) string {
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(mgHMAC(key, signingInput))
}

func mgPost(t *testing.T, url, auth, key string) int {
	t.Helper()
	body := `{"magento_entity_id":500,"website_id":1,"store_id":1,"occurred_at":"2026-04-29T10:11:12Z","payload":{}}`
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// mgBodies: size limit, malformed mgBodies, and an event ledger does not sync.
func mgBodies(t *testing.T, mg *magentotest.Magento) {
	ctx := context.Background()
	big := []byte(`{"magento_entity_id":1,"occurred_at":"2026-04-29T10:11:12Z","payload":{"x":"` + strings.Repeat("a", 1<<20) + `"}}`)
	tests := []struct {
		name, event string
		body        []byte
		want        int
	}{
		{"over 1 MiB", "invoice.created", big, 413},
		{"not JSON", "invoice.created", []byte(`{"magento_entity_id":`), 400},
		{"string id", "invoice.created", []byte(`{"magento_entity_id":"42","occurred_at":"2026-04-29T10:11:12Z"}`), 422},
		{"no occurred_at", "invoice.created", []byte(`{"magento_entity_id":42}`), 422},
		{"payload not an object", "invoice.created", []byte(`{"magento_entity_id":42,"occurred_at":"2026-04-29T10:11:12Z","payload":[1]}`), 422},
		{"product.upserted", "product.upserted", []byte(`{"magento_entity_id":9,"website_id":0,"store_id":0,"occurred_at":"2026-04-29T10:11:12Z","payload":{}}`), 202},
	}
	for _, tt := range tests {
		status, body, _ := mg.PublishRaw(ctx, "", tt.event, tt.event+":"+tt.name, tt.body)
		if status != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, status, body, tt.want)
		}
	}
}

func mgHMAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
