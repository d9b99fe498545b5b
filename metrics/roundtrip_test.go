package metrics

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEndpoint(t *testing.T) {
	tests := []struct {
		base, path, want string
	}{
		{"/api.xro/2.0", "/api.xro/2.0/Invoices", "Invoices"},
		{"/api.xro/2.0", "/api.xro/2.0/Invoices/6f1c-…", "Invoices"},
		{"/api.xro/2.0/", "/api.xro/2.0/Contacts/abc/History", "Contacts"},
		{"/api.xro/2.0", "/api.xro/2.0", "other"},
		{"/api.xro/2.0", "/api.xro/2.0x/Invoices", "other"},
		{"/api.xro/2.0", "/connections", "other"},
		{"/api.xro/2.0", "/api.xro/2.0/%00weird", "other"},
		{"", "/Payments", "Payments"},
		{"", "/", "other"},
	}
	for _, tt := range tests {
		if got := Endpoint(tt.base, tt.path); got != tt.want {
			t.Errorf("Endpoint(%q, %q) = %q, want %q", tt.base, tt.path, got, tt.want)
		}
	}
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { c.t = c.t.Add(250 * time.Millisecond); return c.t }

func TestRoundTripperRecordsXeroCalls(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api.xro/2.0/Invoices":
			w.WriteHeader(http.StatusOK)
		case "/api.xro/2.0/Contacts":
			w.Header().Set("X-Rate-Limit-Problem", "Minute")
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/api.xro/2.0/Payments":
			w.Header().Set("X-Rate-Limit-Problem", "<script>")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer fake.Close()

	m := New()
	rt := m.RoundTripper(fake.URL+"/api.xro/2.0", nil)
	clk := &fakeClock{t: time.Unix(0, 0)}
	rt.(*roundTripper).now = clk.now
	client := &http.Client{Transport: rt}
	for _, p := range []string{"/api.xro/2.0/Invoices", "/api.xro/2.0/Invoices", "/api.xro/2.0/Contacts", "/api.xro/2.0/Payments", "/connections"} {
		resp, err := client.Get(fake.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// A transport error is recorded with status 0.
	failing := m.RoundTripper("https://api.example/api.xro/2.0", rtFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("dial refused")
	}))
	failing.(*roundTripper).now = clk.now
	req, _ := http.NewRequest("GET", "https://api.example/api.xro/2.0/Accounts", nil)
	if _, err := failing.RoundTrip(req); err == nil {
		t.Fatal("want the transport error passed through")
	}

	fams := scrape(t, m)
	if diff := cmp.Diff(map[string]float64{
		"endpoint=Invoices,status=200": 2,
		"endpoint=Contacts,status=429": 1,
		"endpoint=Payments,status=429": 1,
		"endpoint=other,status=404":    1,
		"endpoint=Accounts,status=0":   1,
	}, series(t, fams, "ledger_xero_requests_total")); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]float64{"problem=minute": 1, "problem=unknown": 1},
		series(t, fams, "ledger_xero_rate_limited_total")); diff != "" {
		t.Errorf("rate limited (-want +got):\n%s", diff)
	}
	// Each call took exactly one fake-clock tick of 250 ms.
	for _, mm := range fams["ledger_xero_request_duration_seconds"].GetMetric() {
		h := mm.GetHistogram()
		if want := 0.25 * float64(h.GetSampleCount()); h.GetSampleSum() != want {
			t.Errorf("duration sum %v, want %v", h.GetSampleSum(), want)
		}
	}
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func FuzzEndpoint(f *testing.F) {
	f.Add("/api.xro/2.0", "/api.xro/2.0/Invoices/x")
	f.Add("", "//")
	f.Add("/a", "/a/\xff")
	f.Fuzz(func(t *testing.T, base, path string) {
		got := Endpoint(base, path)
		if got != "other" && !identifier(got) || len(got) > 40 || got == "" {
			t.Fatalf("Endpoint(%q,%q) = %q: not a bounded label", base, path, got)
		}
	})
}

func BenchmarkRoundTripperOverhead(b *testing.B) {
	m := New()
	next := rtFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}}, nil
	})
	rt := m.RoundTripper("https://api.xero.com/api.xro/2.0", next)
	req, _ := http.NewRequest("GET", "https://api.xero.com/api.xro/2.0/Invoices/abc", nil)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		_, _ = rt.RoundTrip(req)
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "ns/call")
}
