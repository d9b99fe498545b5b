package dashboard

import (
	"strings"
	"testing"
)

// TestHSTS: an https ledger tells browsers to stay on https; a plain-http
// one (a test or a LAN install) must not.
func TestHSTS(t *testing.T) {
	for _, tt := range []struct {
		publicURL string
		want      bool
	}{{"http://ledger.test", false}, {"https://ledger.example.com", true}} {
		f := setup(t, func(c *Config) { c.PublicURL = tt.publicURL })
		for _, path := range []string{"/login", "/healthz", "/static/app.css"} {
			h := f.browser().get(path).h.Get("Strict-Transport-Security")
			if (h != "") != tt.want || (tt.want && !strings.Contains(h, "max-age=")) {
				t.Errorf("%s %s: Strict-Transport-Security %q, want set=%v", tt.publicURL, path, h, tt.want)
			}
		}
	}
}
