package dashboard

import (
	"net/url"
	"testing"
)

// TestSafeNext keeps every post-login redirect on this site: browsers drop
// tabs and newlines from URLs and read a backslash as a slash, so none of
// them may turn a path into //host.
func TestSafeNext(t *testing.T) {
	for _, tt := range []struct{ next, want string }{
		{"/dashboard/sync?status=failed", "/dashboard/sync?status=failed"},
		{"/dashboard/bindings/10", "/dashboard/bindings/10"},
		{"", "/dashboard"},
		{"dashboard", "/dashboard"},
		{"//evil.example", "/dashboard"},
		{"/\\evil.example", "/dashboard"},
		{"/\t/evil.example", "/dashboard"},
		{"/\n/evil.example", "/dashboard"},
		{"/\r/evil.example", "/dashboard"},
		{"\t//evil.example", "/dashboard"},
		{"/ /evil.example", "/dashboard"},
		{"/a\\..\\..\\\\evil.example", "/dashboard"},
		{"https://evil.example", "/dashboard"},
		{"/\x00/evil.example", "/dashboard"},
	} {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

// TestLoginNextWithTabStaysOnSite: a tab inside next survives into the
// Location header, where a browser would drop it and follow //evil.
func TestLoginNextWithTabStaysOnSite(t *testing.T) {
	f := setup(t)
	b := f.browser()
	tok := b.csrf("/login")
	p := b.post("/login?next="+url.QueryEscape("/\t/evil.example"), url.Values{"csrf": {tok}, "email": {"alice@example.com"}, "password": {password}})
	if got := p.h.Get("Location"); got != "/dashboard" {
		t.Fatalf("Location %q, want /dashboard", got)
	}
}
