package cmd

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"ledger/alert"
	"ledger/dashboard"
	"ledger/domain"
)

// openApp opens and starts an App over a seeded data dir, as serve does.
func openApp(t *testing.T, s seeded, mut func(*Config)) *App {
	t.Helper()
	cfg := Config{DataDir: s.dir, Addr: DefaultAddr, PublicURL: "http://" + DefaultAddr, XeroDailyBudget: 100,
		XeroAPIURL: DefaultXeroAPIURL, XeroTokenURL: DefaultXeroTokenURL, AlertFailuresPerHour: DefaultAlertFailures}
	if mut != nil {
		mut(&cfg)
	}
	getenv := func(k string) (string, bool) { v, ok := s.env[k]; return v, ok }
	a := NewApp(cfg, slog.New(slog.DiscardHandler), getenv)
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	return a
}

// alertSink is a local webhook receiver that hands every alert to a channel.
func alertSink(t *testing.T) (string, <-chan alert.Alert) {
	t.Helper()
	ch := make(chan alert.Alert, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var al alert.Alert
		if err := json.NewDecoder(r.Body).Decode(&al); err != nil {
			t.Errorf("alert body: %v", err)
		}
		ch <- al
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook?token=t0ken", ch
}

func TestAlertNeedsReauthOnceWithinCooldown(t *testing.T) {
	s := seed(t) // the active binding's tokens have no refresh token: Xero needs a new consent
	url, got := alertSink(t)
	a := openApp(t, s, func(c *Config) { c.AlertWebhookURL = url })
	for i := 0; i < 2; i++ {
		c, err := a.Xero.Client(s.active.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.InvoicesByNumber(context.Background(), []string{"INV-1"}); err == nil {
			t.Fatal("a call without a usable token succeeded")
		}
		if i == 0 { // the second failure finds the binding already needs_reauth
			b, _ := a.DB.Binding(s.active.ID)
			if b.Status != domain.BindingNeedsReauth {
				t.Fatalf("binding status = %s, want needs_reauth", b.Status)
			}
		}
	}
	a.sweepAlerts() // the sweep sees needs_reauth too, within the cool-down
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Alerts.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var alerts []alert.Alert
	for len(got) > 0 {
		alerts = append(alerts, <-got)
	}
	want := []alert.Alert{{Kind: alert.KindNeedsReauth, BindingID: bindingLabel(s.active.ID), TenantID: s.tenant.ID}}
	if diff := cmp.Diff(want, alerts, cmp.FilterPath(func(p cmp.Path) bool {
		f := p.Last().String()
		return f == ".Message" || f == ".At"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
}

func TestHealthzDegradedReasons(t *testing.T) {
	s := seed(t)
	a := openApp(t, s, nil)
	clock := time.Date(2026, 4, 29, 9, 0, 0, 0, time.UTC)
	a.reasonCache().now = func() time.Time { return clock }
	srv, err := dashboard.New(a.DashboardConfig())
	if err != nil {
		t.Fatal(err)
	}
	hz := func() (int, map[string]any) {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("healthz body %q: %v", rec.Body, err)
		}
		return rec.Code, body
	}
	if code, body := hz(); code != 200 || body["status"] != "ok" {
		t.Fatalf("fresh healthz = %d %v, want 200 ok", code, body)
	}
	if _, err := a.DB.UpdateBinding(s.active.ID, func(b *domain.Binding) error { b.Status = domain.BindingNeedsReauth; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.UpdateTenant(s.tenant.ID, func(t *domain.Tenant) error { t.MagentoStatus = domain.MagentoTokenRevoked; return nil }); err != nil {
		t.Fatal(err)
	}
	// Within degradedTTL the reasons are reused: still ok.
	clock = clock.Add(degradedTTL - time.Millisecond)
	if code, body := hz(); code != 200 || body["status"] != "ok" {
		t.Errorf("healthz within the cache TTL = %d %v, want the cached 200 ok", code, body)
	}
	clock = clock.Add(time.Millisecond)
	code, body := hz()
	want := map[string]any{"status": "degraded", "reasons": []any{
		"tenant " + s.tenant.ID + " Magento token revoked; pair the store again",
		"binding " + bindingLabel(s.active.ID) + " needs re-authorisation with Xero",
	}}
	if code != 200 {
		t.Errorf("degraded healthz status code = %d, want 200", code)
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("healthz (-want +got):\n%s", diff)
	}
	// A closed database is checked live, never hidden by the cache.
	_ = a.Close(context.Background())
	if code, body := hz(); code != 503 || body["status"] != "unavailable" {
		t.Errorf("healthz after close (within the cache TTL) = %d %v, want 503 unavailable", code, body)
	}
}

// fakeXeroAPI answers every Accounting API call with an empty invoice list
// and Xero's rate-limit headers.
func fakeXeroAPI(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-DayLimit-Remaining", "10")
		_, _ = io.WriteString(w, `{"Invoices":[]}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api.xro/2.0"
}

func scrapeFamilies(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

func seriesOf(fams map[string]*dto.MetricFamily, name string) map[string]float64 {
	out := map[string]float64{}
	for _, m := range fams[name].GetMetric() {
		var parts []string
		for _, l := range m.GetLabel() {
			parts = append(parts, l.GetName()+"="+l.GetValue())
		}
		sort.Strings(parts)
		v := m.GetCounter().GetValue() + m.GetGauge().GetValue()
		out[strings.Join(parts, ",")] = v
	}
	return out
}

func TestMetricsAfterWebhookAndSyncedRun(t *testing.T) {
	s := seed(t)
	api := fakeXeroAPI(t)
	url, got := alertSink(t)
	a := openApp(t, s, func(c *Config) { c.XeroAPIURL, c.AlertWebhookURL = api, url })
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if err := a.DB.PutSecret(domain.SecretBindingTokens(s.active.ID), []byte(`{"access_token":"a","refresh_token":"r","expiry":"`+future+`"}`)); err != nil {
		t.Fatal(err)
	}
	srv, err := dashboard.New(a.DashboardConfig())
	if err != nil {
		t.Fatal(err)
	}
	// A webhook without a valid JWT, and a synced run through the worker's hook.
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/webhooks/magento/"+s.tenant.ID+"/invoice.created", strings.NewReader(`{}`)))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("unsigned webhook = %d, want 401", rec.Code)
	}
	now := time.Now().UTC()
	a.syncFinished(&domain.SyncRun{ID: 7, BindingID: s.active.ID, TenantID: s.tenant.ID, Event: domain.EventInvoiceCreated,
		Status: domain.RunSucceeded, CreatedAt: now.Add(-time.Second), FinishedAt: &now})
	c, err := a.Xero.Client(s.active.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.InvoicesByNumber(context.Background(), []string{"INV-1"}); err != nil {
		t.Fatal(err)
	}

	fams := scrapeFamilies(t, srv.Handler())
	b := bindingLabel(s.active.ID)
	tests := []struct {
		name string
		want map[string]float64
	}{
		{"ledger_webhooks_total", map[string]float64{"event=invoice.created,result=unauthorized": 1}},
		{"ledger_sync_runs_total", map[string]float64{"status=succeeded": 1}},
		{"ledger_xero_requests_total", map[string]float64{"endpoint=Invoices,status=200": 1}},
		// Xero said 10 calls are left today: the day gauge follows it.
		{"ledger_xero_budget_remaining", map[string]float64{"binding=" + b + ",window=day": 10, "binding=" + b + ",window=minute": 59}},
		{"ledger_queue_depth", map[string]float64{"binding=" + b: 0, "binding=" + bindingLabel(s.pending.ID): 0}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, seriesOf(fams, tt.name)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	// The worker's pacing sees the same day figure (90 of 100 used), and
	// nothing for a binding whose organisation has no limiter yet.
	if got := a.Xero.DayUsed(s.active.ID); got != 90 {
		t.Errorf("DayUsed(active) = %d, want 90", got)
	}
	if got := a.Xero.DayUsed(s.pending.ID); got != 0 {
		t.Errorf("DayUsed(pending) = %d, want 0", got)
	}
	// Every organisation's limiter also counts against Xero's app-wide minute.
	if st := a.Xero.limiters[s.active.XeroTenantID].Remaining(); st.AppMinuteRemaining < 0 {
		t.Errorf("the organisation's limiter has no app-wide limiter (AppMinuteRemaining %d)", st.AppMinuteRemaining)
	}
	if n := fams["ledger_xero_limiter_wait_seconds"].GetMetric()[0].GetHistogram().GetSampleCount(); n != 1 {
		t.Errorf("limiter waits = %d, want 1", n)
	}
	// 90 of 100 calls used: the 80 % budget alert went out, once.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Alerts.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d alerts, want 1 (daily budget)", len(got))
	}
	if al := <-got; al.Kind != alert.KindDailyBudget80 || al.BindingID != b {
		t.Errorf("alert = %+v, want daily_budget_80 for binding %s", al, b)
	}
	// /healthz reports the budget too.
	want := "binding " + b + " has used 90 % of today's Xero budget"
	if r := a.degraded(); !contains(r, want) {
		t.Errorf("degraded = %q, want it to hold %q", r, want)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
