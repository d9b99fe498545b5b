package dashboard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFormBodyLimited: a form POST larger than maxFormBody is refused
// before it is read into memory, on every browser route.
func TestFormBodyLimited(t *testing.T) {
	f := setup(t)
	b := f.browser().login("alice@example.com")
	tok := b.csrf("/dashboard")
	big := strings.Repeat("a", maxFormBody+1)
	for _, path := range []string{"/login", "/dashboard/sync/100/retry", "/dashboard/bindings/10/settings", "/logout"} {
		p := b.post(path, url.Values{"csrf": {tok}, "pad": {big}})
		if p.code != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with a %d-byte body: %d, want 413", path, maxFormBody+1, p.code)
		}
	}
	select {
	case c := <-f.calls:
		t.Fatalf("a hook ran on an oversized form: %s", c)
	default:
	}
}
