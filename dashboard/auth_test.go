package dashboard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLogin(t *testing.T) {
	tests := []struct {
		name, email, password string
		wantCode              int
		wantBody              string
	}{
		{"ok", "alice@example.com", password, http.StatusSeeOther, ""},
		{"email is case-insensitive", " Alice@Example.com ", password, http.StatusSeeOther, ""},
		{"wrong password", "alice@example.com", "nope", http.StatusUnauthorized, "Email or password is incorrect."},
		{"unknown email", "nobody@example.com", password, http.StatusUnauthorized, "Email or password is incorrect."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			b := f.browser()
			p := b.post("/login", url.Values{"csrf": {b.csrf("/login")}, "email": {tt.email}, "password": {tt.password}})
			if p.code != tt.wantCode || !strings.Contains(p.body, tt.wantBody) {
				t.Fatalf("status %d, want %d with %q:\n%s", p.code, tt.wantCode, tt.wantBody, p.body)
			}
			home := b.get("/dashboard")
			if loggedIn := home.code == http.StatusOK; loggedIn != (tt.wantCode == http.StatusSeeOther) {
				t.Errorf("GET /dashboard after login: %d", home.code)
			}
		})
	}
}

func TestLoginCookieFlags(t *testing.T) {
	for _, tt := range []struct {
		publicURL  string
		wantSecure bool
	}{{"http://ledger.test", false}, {"https://ledger.example.com", true}} {
		f := setup(t, func(c *Config) { c.PublicURL = tt.publicURL })
		p := f.browser().get("/login")
		c := p.h.Get("Set-Cookie")
		if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") || strings.Contains(c, "Secure") != tt.wantSecure {
			t.Errorf("%s: Set-Cookie %q, want HttpOnly, SameSite=Lax, Secure=%v", tt.publicURL, c, tt.wantSecure)
		}
	}
}

func TestLoginRedirectsToNextOnSite(t *testing.T) {
	f := setup(t)
	b := f.browser()
	if p := b.get("/dashboard/sync"); p.code != http.StatusSeeOther || p.h.Get("Location") != "/login?next=%2Fdashboard%2Fsync" {
		t.Fatalf("anonymous GET: %d %q", p.code, p.h.Get("Location"))
	}
	for next, want := range map[string]string{"/dashboard/sync": "/dashboard/sync", "//evil.example": "/dashboard", "https://evil.example": "/dashboard"} {
		b := f.browser()
		tok := b.csrf("/login")
		p := b.post("/login?next="+url.QueryEscape(next), url.Values{"csrf": {tok}, "email": {"alice@example.com"}, "password": {password}})
		if got := p.h.Get("Location"); got != want {
			t.Errorf("next=%q: Location %q, want %q", next, got, want)
		}
	}
}

func TestLoginThrottled(t *testing.T) {
	f := setup(t)
	b := f.browser()
	for i := range 5 {
		p := b.post("/login", url.Values{"csrf": {b.csrf("/login")}, "email": {"alice@example.com"}, "password": {"wrong"}})
		if p.code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, p.code)
		}
	}
	// The right password is refused too while throttled, and the page says how long.
	p := b.post("/login", url.Values{"csrf": {b.csrf("/login")}, "email": {"alice@example.com"}, "password": {password}})
	if p.code != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many attempts — wait 15 minutes") {
		t.Fatalf("6th attempt: %d:\n%s", p.code, p.body)
	}
	f.clock.Add(10 * time.Minute)
	p = b.post("/login", url.Values{"csrf": {b.csrf("/login")}, "email": {"bob@example.com"}, "password": {password}})
	if p.code != http.StatusTooManyRequests || !strings.Contains(p.body, "wait 5 minutes") {
		t.Fatalf("same IP, other email after 10 min: %d:\n%s", p.code, p.body)
	}
	f.clock.Add(5 * time.Minute)
	if p := b.post("/login", url.Values{"csrf": {b.csrf("/login")}, "email": {"alice@example.com"}, "password": {password}}); p.code != http.StatusSeeOther {
		t.Fatalf("after the window: %d:\n%s", p.code, p.body)
	}
}

func TestLogout(t *testing.T) {
	f := setup(t)
	b := f.browser().login("alice@example.com")
	if p := b.submit("/dashboard", "/logout", nil); p.code != http.StatusSeeOther || p.h.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", p.code, p.h.Get("Location"))
	}
	if p := b.get("/dashboard"); p.code != http.StatusSeeOther {
		t.Fatalf("GET /dashboard after logout: %d", p.code)
	}
}

func TestCSRFRejected(t *testing.T) {
	f := setup(t)
	b := f.browser().login("alice@example.com")
	other := f.browser().login("alice@example.com").csrf("/dashboard")
	for _, tt := range []struct{ name, path, token string }{
		{"logout without token", "/logout", ""},
		{"retry with another session's token", "/dashboard/sync/100/retry", other},
		{"settings with a wrong token", "/dashboard/bindings/10/settings", "forged"},
		{"login without token", "/login", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := b.post(tt.path, url.Values{"csrf": {tt.token}, "email": {"alice@example.com"}, "password": {password}})
			if p.code != http.StatusForbidden || !strings.Contains(p.body, "This form has expired — reload the page and try again.") {
				t.Fatalf("%d:\n%s", p.code, p.body)
			}
		})
	}
	select {
	case c := <-f.calls:
		t.Fatalf("a hook ran despite the CSRF failure: %s", c)
	default:
	}
}

func TestSessionExpiry(t *testing.T) {
	tests := []struct {
		name   string
		steps  []time.Duration // wait before each GET /dashboard
		wantOK []bool
	}{
		{"idle 1h59 keeps the session", []time.Duration{119 * time.Minute}, []bool{true}},
		{"idle 2h01 ends it", []time.Duration{121 * time.Minute}, []bool{false}},
		{"hourly activity lasts until 12 h, not longer",
			[]time.Duration{time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, 59 * time.Minute, 2 * time.Minute},
			[]bool{true, true, true, true, true, true, true, true, true, true, true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			b := f.browser().login("alice@example.com")
			for i, d := range tt.steps {
				f.clock.Add(d)
				p := b.get("/dashboard")
				if got := p.code == http.StatusOK; got != tt.wantOK[i] {
					t.Fatalf("step %d (+%v): status %d, want ok=%v", i, d, p.code, tt.wantOK[i])
				}
			}
		})
	}
}
