package dashboard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLogoutEndsTheSessionEverywhere: logout ends the session on the
// server, not only in the browser — a replayed cookie, a copy in another
// browser and the Magento embed's cookie of the same user are all no
// session; another user's session is untouched; logging in again works.
func TestLogoutEndsTheSessionEverywhere(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	embed := "/embed/" + f.tenant.ID
	a := newJarless(t, f.ts.URL).login("/login", "merchant@example.com")
	copied := a.clone()
	replay := a.clone()
	inMagento := newJarless(t, f.ts.URL).login(embed, "merchant@example.com")
	other := newJarless(t, f.ts.URL).login("/login", "other@example.com")
	for name, br := range map[string]*jarless{"browser": a, "copy": copied} {
		if p := br.do("GET", "/dashboard", nil); p.code != http.StatusOK {
			t.Fatalf("%s before logout: %d", name, p.code)
		}
	}
	if p := inMagento.do("GET", embed, nil); p.code != http.StatusOK || strings.Contains(p.body, `action="`+embed+`/login"`) {
		t.Fatalf("embed before logout: %d, shows the login form", p.code)
	}

	staleCSRF := replay.csrf("/dashboard")
	p := a.do("POST", "/logout", url.Values{"csrf": {a.csrf("/dashboard")}})
	if p.code != http.StatusSeeOther || p.h.Get("Location") != "/login" {
		t.Fatalf("logout: %d → %q", p.code, p.h.Get("Location"))
	}
	if _, ok := a.cookies[sessionCookie]; ok {
		t.Error("logout left the session cookie in the browser")
	}

	for name, br := range map[string]*jarless{"browser": a, "replayed cookie": replay, "copied cookie": copied} {
		p := br.do("GET", "/dashboard/bindings", nil)
		if p.code != http.StatusSeeOther || !strings.HasPrefix(p.h.Get("Location"), "/login?next=") {
			t.Errorf("%s after logout: %d → %q, want 303 to /login", name, p.code, p.h.Get("Location"))
		}
	}
	// A form the copy loaded before the logout (its CSRF token matches) is refused.
	if p := replay.do("POST", "/logout", url.Values{"csrf": {staleCSRF}}); p.code != http.StatusForbidden {
		t.Errorf("POST with the old cookie: %d, want 403", p.code)
	}
	if p := inMagento.do("GET", embed, nil); p.code != http.StatusOK || !strings.Contains(p.body, `action="`+embed+`/login"`) {
		t.Errorf("embed after logout: %d, want the login form\n%s", p.code, p.body)
	}
	if p := other.do("GET", "/dashboard", nil); p.code != http.StatusOK {
		t.Errorf("another user's session after the logout: %d, want 200", p.code)
	}

	again := newJarless(t, f.ts.URL).login("/login", "merchant@example.com")
	if p := again.do("GET", "/dashboard", nil); p.code != http.StatusOK {
		t.Errorf("login after logout: %d", p.code)
	}
	if p := copied.do("GET", "/dashboard", nil); p.code != http.StatusSeeOther {
		t.Errorf("a new login revived the copied cookie: %d", p.code)
	}
}
