package metrics

import (
	"errors"
	"io"
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
)

// scrape fetches /metrics through Handler and parses it with the Prometheus
// text parser.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type = %q, want text/plain", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return fams
}

// series flattens a family into "label=value,..." → value (counter, gauge,
// or histogram sample count).
func series(t *testing.T, fams map[string]*dto.MetricFamily, name string) map[string]float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("family %s missing", name)
	}
	out := map[string]float64{}
	for _, m := range f.GetMetric() {
		var parts []string
		for _, l := range m.GetLabel() {
			parts = append(parts, l.GetName()+"="+l.GetValue())
		}
		sort.Strings(parts)
		key := strings.Join(parts, ",")
		switch {
		case m.Counter != nil:
			out[key] = m.GetCounter().GetValue()
		case m.Gauge != nil:
			out[key] = m.GetGauge().GetValue()
		case m.Histogram != nil:
			out[key] = float64(m.GetHistogram().GetSampleCount())
		}
	}
	return out
}

func TestScrapeFamiliesAndValues(t *testing.T) {
	m := New()
	m.Webhook("invoice_save_after", "accepted", 20*time.Millisecond)
	m.Webhook("invoice_save_after", "accepted", 30*time.Millisecond)
	m.Webhook("invoice_save_after", "unauthorized", time.Millisecond)
	m.SyncTransition("queued")
	m.SyncTransition("running")
	m.SyncTransition("succeeded")
	m.SyncTransition("queued")
	m.SyncRun("invoice_save_after", 2*time.Second)
	m.XeroRequest("Invoices", 200, 300*time.Millisecond)
	m.XeroRequest("Invoices", 429, 100*time.Millisecond)
	m.XeroRequest("Contacts", 0, time.Second)
	m.RateLimited("minute")
	m.RateLimited("")
	m.LimiterWait(1500 * time.Millisecond)
	m.Budget("b1", WindowMinute, 57)
	m.Budget("b1", WindowDay, 4990)
	m.TokenRefresh(nil)
	m.TokenRefresh(errors.New("invalid_grant"))
	m.TokenRefresh(nil)
	m.SetQueueDepth(func() map[string]int { return map[string]int{"b1": 3, "b2": 0} })

	fams := scrape(t, m)
	tests := []struct {
		name string
		want map[string]float64
	}{
		{"ledger_webhooks_total", map[string]float64{
			"event=invoice_save_after,result=accepted":     2,
			"event=invoice_save_after,result=unauthorized": 1,
		}},
		{"ledger_webhook_duration_seconds", map[string]float64{"": 3}},
		{"ledger_sync_runs_total", map[string]float64{
			"status=queued": 2, "status=running": 1, "status=succeeded": 1,
		}},
		{"ledger_sync_run_duration_seconds", map[string]float64{"event=invoice_save_after": 1}},
		{"ledger_queue_depth", map[string]float64{"binding=b1": 3, "binding=b2": 0}},
		{"ledger_xero_requests_total", map[string]float64{
			"endpoint=Invoices,status=200": 1,
			"endpoint=Invoices,status=429": 1,
			"endpoint=Contacts,status=0":   1,
		}},
		{"ledger_xero_request_duration_seconds", map[string]float64{"endpoint=Invoices": 2, "endpoint=Contacts": 1}},
		{"ledger_xero_rate_limited_total", map[string]float64{"problem=minute": 1, "problem=unknown": 1}},
		{"ledger_xero_limiter_wait_seconds", map[string]float64{"": 1}},
		{"ledger_xero_budget_remaining", map[string]float64{"binding=b1,window=minute": 57, "binding=b1,window=day": 4990}},
		{"ledger_xero_token_refreshes_total", map[string]float64{"result=ok": 2, "result=failed": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, series(t, fams, tt.name)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
		})
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("runtime family %s missing", name)
		}
	}
	// Histogram sums are in seconds.
	h := fams["ledger_webhook_duration_seconds"].GetMetric()[0].GetHistogram()
	if got, want := h.GetSampleSum(), 0.051; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("webhook duration sum = %v, want %v", got, want)
	}
}

func TestPrivateRegistryNotGlobal(t *testing.T) {
	a, b := New(), New() // a second New must not panic on duplicate registration
	a.SyncTransition("failed")
	if _, ok := scrape(t, b)["ledger_sync_runs_total"]; ok {
		t.Error("a counter incremented on one Metrics shows up on another")
	}
}

func TestNilMetricsIsNoop(t *testing.T) {
	var m *Metrics
	m.Webhook("e", "accepted", time.Second)
	m.SyncTransition("queued")
	m.SyncRun("e", time.Second)
	m.XeroRequest("Invoices", 200, time.Second)
	m.RateLimited("day")
	m.LimiterWait(time.Second)
	m.Budget("b", WindowDay, 1)
	m.TokenRefresh(nil)
	m.SetQueueDepth(func() map[string]int { return nil })
	if m.Registry() != nil {
		t.Error("nil Metrics has a registry")
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Handler status = %d, want 404", rec.Code)
	}
	if rt := m.RoundTripper("https://x/api", http.DefaultTransport); rt != http.DefaultTransport {
		t.Error("nil RoundTripper should return next unchanged")
	}
}

func TestHandlerSharesOneRegistryUnderConcurrency(t *testing.T) {
	m := New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			m.XeroRequest("Invoices", 200, time.Millisecond)
		}
	}()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	for i := 0; i < 5; i++ {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	<-done
	got := series(t, scrape(t, m), "ledger_xero_requests_total")
	if got["endpoint=Invoices,status=200"] != 200 {
		t.Errorf("count = %v, want 200", got)
	}
}
