package magentotest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
)

const tenant = "tenant-123"
const apiKey = "byte8_lk_raw_secret"

func do(t *testing.T, method, url, auth string, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestPairValidationOrder(t *testing.T) {
	m := magentotest.New(t)
	url := m.URL() + "/rest/V1/byte8/xero_accounting/setup/pair"
	code := m.GeneratePairingCode()
	if len(code) != 32 || strings.Trim(code, "0123456789abcdef") != "" {
		t.Fatalf("code %q is not 32 lowercase hex", code)
	}
	tests := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"missing key", `{"pairing_code":"x","tenant_id":"t","byte8_api_key":"k"}`, 400, `"%fieldName" is required. Enter and try again.`},
		{"empty after trim", `{"pairing_code":"  ","tenant_id":"t","byte8_api_key":"k","ledger_base_url":"https://l"}`, 400, "pairing_code, tenant_id, byte8_api_key and ledger_base_url are all required."},
		{"bad url before code check", `{"pairing_code":"nottherealcode","tenant_id":"t","byte8_api_key":"k","ledger_base_url":"not-a-url"}`, 400, "ledger_base_url must be an absolute http(s) URL."},
		{"wrong code", `{"pairing_code":"nottherealcode","tenant_id":"t","byte8_api_key":"k","ledger_base_url":"https://l"}`, 401, "Invalid or expired pairing code."},
		{"uppercase code is a different hash", `{"pairing_code":"` + strings.ToUpper(code) + `","tenant_id":"t","byte8_api_key":"k","ledger_base_url":"https://l"}`, 401, "Invalid or expired pairing code."},
		{"camelCase accepted", `{"pairingCode":" ` + code + ` ","tenantId":"tenant-123","byte8ApiKey":"byte8_lk_raw_secret","ledgerBaseUrl":"https://ledger.byte8.io/"}`, 200, ""},
		{"burnt", `{"pairing_code":"` + code + `","tenant_id":"t","byte8_api_key":"k","ledger_base_url":"https://l"}`, 401, "Invalid or expired pairing code."},
	}
	for _, tt := range tests {
		status, body := do(t, "POST", url, "", tt.body)
		var got struct{ Message string }
		json.Unmarshal([]byte(body), &got)
		if status != tt.status || (tt.msg != "" && got.Message != tt.msg) || (tt.status == 200 && body != "[]") {
			t.Errorf("%s: %d %s, want %d %q", tt.name, status, body, tt.status, tt.msg)
		}
	}
	tn, key, base := m.Credentials()
	if diff := cmp.Diff([]string{tenant, apiKey, "https://ledger.byte8.io"}, []string{tn, key, base}); diff != "" {
		t.Errorf("learnt (-want +got):\n%s", diff)
	}
}

func TestAuthRules(t *testing.T) {
	m := magentotest.New(t)
	now := time.Unix(1777456800, 0)
	m.SetClock(func() time.Time { return now })
	m.SetCredentials(tenant, apiKey, "https://ledger.example")
	_, in := magento.DeriveKeys(apiKey)
	out, _ := magento.DeriveKeys(apiKey)
	claims := func(f func(*magento.Claims)) string {
		c := magento.Claims{Iss: "byte8-ledger", Sub: tenant, Aud: "magento", Iat: now.Unix() - 10, Nbf: now.Unix() - 10, Exp: now.Unix() + 290}
		c.Jti = magento.NewTenantID()
		if f != nil {
			f(&c)
		}
		return magento.Mint(in, c)
	}
	ping := m.URL() + "/rest/V1/byte8/ping"
	fixed := claims(nil)
	tests := []struct {
		name, auth string
		want       int
	}{
		{"good", "Bearer " + claims(nil), 200},
		{"lowercase bearer", "bearer " + claims(nil), 200},
		{"once", "Bearer " + fixed, 200},
		{"replayed jti", "Bearer " + fixed, 401},
		{"no header", "", 401},
		{"iss gate", "Bearer " + claims(func(c *magento.Claims) { c.Iss = "magento" }), 401},
		{"aud gate", "Bearer " + claims(func(c *magento.Claims) { c.Aud = "byte8-ledger" }), 401},
		{"outbound key", "Bearer " + magento.Mint(out[:31], magento.Claims{Iss: "byte8-ledger", Sub: tenant, Aud: "magento", Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Unix() + 60, Jti: "x"}), 401},
		{"other tenant", "Bearer " + claims(func(c *magento.Claims) { c.Sub = "tenant-1234" }), 401},
		{"nbf one second ahead", "Bearer " + claims(func(c *magento.Claims) { c.Nbf = now.Unix() + 1 }), 401},
		{"nbf now", "Bearer " + claims(func(c *magento.Claims) { c.Nbf = now.Unix() }), 200},
		{"iat 31 s ahead", "Bearer " + claims(func(c *magento.Claims) { c.Iat = now.Unix() + 31; c.Exp = c.Iat + 60 }), 401},
		{"expired", "Bearer " + claims(func(c *magento.Claims) { c.Exp = now.Unix() }), 401},
		{"lifetime 301", "Bearer " + claims(func(c *magento.Claims) { c.Exp = c.Iat + 301 }), 401},
		{"lifetime 300", "Bearer " + claims(func(c *magento.Claims) { c.Exp = c.Iat + 300 }), 200},
		{"empty jti", "Bearer " + magento.Mint(in, magento.Claims{Iss: "byte8-ledger", Sub: tenant, Aud: "magento", Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Unix() + 60}), 401},
	}
	for _, tt := range tests {
		status, body := do(t, "GET", ping, tt.auth, "")
		if status != tt.want {
			t.Errorf("%s: status %d (%s), want %d", tt.name, status, body, tt.want)
		}
		if status == 401 && !strings.Contains(body, "Byte8_Client::byte8_webapi") {
			t.Errorf("%s: 401 body %s", tt.name, body)
		}
	}
}

func TestSyncStateValidation(t *testing.T) {
	m := magentotest.New(t)
	m.SetCredentials(tenant, apiKey, "https://ledger.example")
	_, in := magento.DeriveKeys(apiKey)
	post := func(body string) int {
		status, _ := do(t, "POST", m.URL()+"/rest/V1/byte8/sync-state", "Bearer "+magento.MintInbound(in, tenant, time.Now()), body)
		return status
	}
	for body, want := range map[string]int{
		`{"entity_type":"invoice","magento_entity_id":42,"provider":"xero","sync_status":"synced","provider_entity_id":"a","provider_reference":"INV-1","last_sync_at":"2026-04-29 10:11:42"}`: 200,
		`{"entity_type":"order","magento_entity_id":42,"provider":"xero","sync_status":"synced"}`:                                                                                              400,
		`{"entity_type":"invoice","magento_entity_id":0,"provider":"xero","sync_status":"synced"}`:                                                                                             400,
		`{"entity_type":"invoice","magento_entity_id":42,"provider":"xero","sync_status":"pending"}`:                                                                                           400,
		`{"entity_type":"invoice","magento_entity_id":42,"provider":"","sync_status":"synced"}`:                                                                                                400,
		`{"entity_type":"invoice","magento_entity_id":42,"sync_status":"synced"}`:                                                                                                              400,
		`{"entity_type":"invoice","magento_entity_id":42,"provider":"xero","sync_status":"synced","last_sync_at":"2026-04-29T10:11:12Z"}`:                                                      500,
		`{"entity_type":"invoice","magento_entity_id":42,"provider":"xero","sync_status":"synced","provider_entity_id":"` + strings.Repeat("x", 65) + `"}`:                                     500,
	} {
		if got := post(body); got != want {
			t.Errorf("%s: %d, want %d", body, got, want)
		}
	}
	// A later callback without the ids clears them (resend them every time).
	if got := post(`{"entity_type":"invoice","magento_entity_id":42,"provider":"xero","sync_status":"failed","error_code":"auth"}`); got != 200 {
		t.Fatal(got)
	}
	row := m.SyncStates()[magentotest.SyncStateKey{EntityType: "invoice", MagentoID: 42, Provider: "xero"}]
	if row.ProviderEntityID != nil || row.ProviderReference != nil || *row.ErrorCode != "auth" || row.Writes != 2 {
		t.Errorf("row after overwrite: %+v", row)
	}
}

// ledger is a minimal webhook receiver verifying with the real Verifier.
func ledger(t *testing.T, status int) (*httptest.Server, *[]*http.Request, *[][]byte) {
	var reqs []*http.Request
	var bodies [][]byte
	out, _ := magento.DeriveKeys(apiKey)
	v := &magento.Verifier{Replay: magento.NewReplayCache(0, 0)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs, bodies = append(reqs, r), append(bodies, b)
		if _, err := v.Verify(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), out, tenant); err != nil {
			http.Error(w, domain.MessageOf(err), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"sync_run_id":"run-abc"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &reqs, &bodies
}

func TestPublisher(t *testing.T) {
	m := magentotest.New(t)
	srv, reqs, bodies := ledger(t, 202)
	m.SetCredentials(tenant, apiKey, srv.URL+"/")
	env := domain.Envelope{MagentoEntityID: 42, WebsiteID: 1, StoreID: 1, OccurredAt: "2026-04-29T10:11:12Z",
		Payload: json.RawMessage(`{"increment_id":"000000042","paid":false}`)}
	ctx := context.Background()
	status, body, err := m.Publish(ctx, "", "invoice.created", env)
	if err != nil || status != 202 || string(body) != `{"sync_run_id":"run-abc"}` {
		t.Fatalf("Publish = %d %s %v", status, body, err)
	}
	r := (*reqs)[0]
	if r.URL.Path != "/webhooks/magento/tenant-123/invoice.created" || r.Header.Get("Idempotency-Key") != "invoice.created:42" || r.URL.RawQuery != "" {
		t.Errorf("request %s %v", r.URL, r.Header)
	}
	want := `{"magento_entity_id":42,"website_id":1,"store_id":1,"occurred_at":"2026-04-29T10:11:12Z","payload":{"increment_id":"000000042","paid":false}}`
	if string((*bodies)[0]) != want {
		t.Errorf("body\n%s\nwant\n%s", (*bodies)[0], want)
	}
	// A second publish of the same event mints a fresh token (the receiver's replay cache would 401 otherwise).
	if _, _, err := m.Publish(ctx, srv.URL, "invoice.created", env); err != nil {
		t.Fatalf("second publish: %v", err)
	}
	if status, _, err := m.Health(ctx); err != nil || status != 202 || (*reqs)[2].URL.Path != "/v1/tile/health" {
		t.Fatalf("Health %d %v", status, err)
	}
	if _, _, err := m.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	d := (*reqs)[3]
	if d.Header.Get("Idempotency-Key") != "disconnect:cc3957b00501f09a0566e6ec6c0d88f1fb0902d8" || !bytes.Equal((*bodies)[3], []byte(`{}`)) {
		t.Errorf("disconnect %v %s", d.Header, (*bodies)[3])
	}
	if tn, _, base := m.Credentials(); tn != "" || base == "" {
		t.Errorf("after disconnect tenant %q base %q", tn, base)
	}
}

func TestClassify(t *testing.T) {
	for status, want := range map[int]magentotest.Outcome{200: "success", 202: "success", 204: "success", 301: "retry",
		400: "dead_letter", 401: "dead_letter", 404: "dead_letter", 409: "dead_letter", 422: "dead_letter", 429: "dead_letter",
		500: "retry", 503: "retry", 0: "retry", 100: "retry"} {
		if got := magentotest.Classify(status); got != want {
			t.Errorf("Classify(%d) = %s, want %s", status, got, want)
		}
	}
	m := magentotest.New(t)
	srv, _, _ := ledger(t, 503)
	m.SetCredentials(tenant, apiKey, srv.URL)
	if _, _, err := m.Publish(context.Background(), "", "invoice.paid", domain.Envelope{MagentoEntityID: 99}); !errors.Is(err, magentotest.ErrRetry) {
		t.Errorf("503: %v", err)
	}
	m.SetCredentials(tenant, "byte8_lk_other", srv.URL)
	if _, _, err := m.Publish(context.Background(), "", "invoice.paid", domain.Envelope{MagentoEntityID: 99}); !errors.Is(err, magentotest.ErrDeadLetter) {
		t.Errorf("401: %v", err)
	}
	if got := magentotest.RawURLEncode("a b/c~d.e_f-g:h"); got != "a%20b%2Fc~d.e_f-g%3Ah" {
		t.Errorf("RawURLEncode = %s", got)
	}
}
