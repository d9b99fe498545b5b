package dashboard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// postPath fills a POST pattern's wildcards with values that exist in the
// Magento fixture, so a refusal comes from the token check, not a 404.
func (f *mgFixture) postPath(pattern string) string {
	path := strings.TrimPrefix(pattern, "POST ")
	return strings.NewReplacer(
		"{tenant_id}", url.PathEscape(f.tenant.ID),
		"{event_name}", "invoice.created",
		"{id}", itoa(f.binding.ID),
		"{run}", "1",
	).Replace(path)
}

// magentoFacing are the routes Magento calls with its JWT, not a cookie.
func magentoFacing(path string) bool {
	return strings.HasPrefix(path, "/webhooks/") || strings.HasPrefix(path, "/v1/")
}

// TestEveryPostChecksCSRF walks the route table: every POST without a CSRF
// token is refused with 403 — for a logged-in owner and for an anonymous
// visitor — and every Magento-facing POST without a token is 401.
func TestEveryPostChecksCSRF(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	var posts []string
	for _, p := range f.srv.mux.patterns {
		if strings.HasPrefix(p, "POST ") {
			posts = append(posts, p)
		}
	}
	if len(posts) < 12 {
		t.Fatalf("only %d POST routes in the table: %v", len(posts), posts)
	}
	for _, who := range []string{"owner", "anonymous"} {
		for _, pattern := range posts {
			t.Run(who+" "+pattern, func(t *testing.T) {
				b := f.browser()
				if who == "owner" {
					b.login("merchant@example.com")
					b.get("/embed/" + url.PathEscape(f.tenant.ID)) // an embed session too
				} else {
					b.get("/login")
					b.get("/embed/" + url.PathEscape(f.tenant.ID))
				}
				path := f.postPath(pattern)
				want := http.StatusForbidden
				if magentoFacing(path) {
					want = http.StatusUnauthorized
				}
				form := url.Values{"email": {"merchant@example.com"}, "password": {password}, "confirm": {"yes"},
					"binding": {itoa(f.binding.ID)}, "pending": {"x"}, "tenant": {"x"}, "since": {"2026-01-01"}}
				if p := b.post(path, form); p.code != want {
					t.Fatalf("POST %s without a CSRF token: %d, want %d:\n%s", path, p.code, want, p.body)
				}
			})
		}
	}
}
