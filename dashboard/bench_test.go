package dashboard

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"

	"ledger/assets"
)

// BenchmarkHome renders the dashboard home (two bindings' tiles with their
// 30-day SVG charts) and reports its page weight: HTML + CSS + JS bytes.
func BenchmarkHome(b *testing.B) {
	f := setup(b)
	br := f.browser().login("admin@example.com")
	cookies := br.c.Jar.Cookies(mustURL(f.ts.URL))
	h := f.srv.Handler()
	var html int
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/dashboard", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		html = rec.Body.Len()
	}
	css, _ := fs.ReadFile(assets.Static, "app.css")
	js, _ := fs.ReadFile(assets.Static, "app.js")
	b.ReportMetric(float64(html), "html-bytes")
	b.ReportMetric(float64(len(css)), "css-bytes")
	b.ReportMetric(float64(len(js)), "js-bytes")
	b.ReportMetric(float64(html+len(css)+len(js)), "page-bytes")
}
