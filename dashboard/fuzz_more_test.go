package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/reconcile"
	"ledger/xero"
)

// Fuzz targets for the HTTP inputs the dashboard and the Magento API parse:
// the webhook path, token and body, /v1/status's query, the login form and
// its next, the pairing form, the list pages' filters and paging, and the
// reconciliation date. Handlers are driven through the real routes.

// FuzzSafeNext: the redirect after login stays on this site whatever next
// says, and is next itself or /dashboard.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/dashboard/sync?status=failed", "//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example",
		"/dashboard/bindings/10#x", "/%2F%2Fevil.example", "/a:b", ""} {
		f.Add(s)
	}
	base, _ := url.Parse("https://ledger.example.com/login")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != next && got != "/dashboard" {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		if safeNext(got) != got {
			t.Fatalf("safeNext(%q) = %q is not safe itself", next, got)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("safeNext(%q) = %q: %v", next, got, err)
		}
		if to := base.ResolveReference(u); to.Host != base.Host || to.Scheme != base.Scheme {
			t.Fatalf("safeNext(%q) = %q leads to %s", next, got, to)
		}
		if strings.ContainsAny(got, "\\\t\r\n ") {
			t.Fatalf("safeNext(%q) = %q keeps a byte a browser rewrites", next, got)
		}
	})
}

// FuzzBearer: an Authorization header yields a three-segment token without
// spaces around it, or nothing.
func FuzzBearer(f *testing.F) {
	for _, s := range []string{"Bearer a.b.c", "bearer  a.b.c ", "Basic dXNlcjpwdw==", "Bearer a.b", "Bearer", "BEARER x.y.z\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		tok, ok := bearer(h)
		if !ok {
			return
		}
		if tok == "" || strings.TrimSpace(tok) != tok || strings.Count(tok, ".") != 2 {
			t.Fatalf("bearer(%q) = %q", h, tok)
		}
		if again, ok := bearer("Bearer " + tok); !ok || again != tok {
			t.Fatalf("bearer(Bearer %q) = %q, %v", tok, again, ok)
		}
	})
}

// serve sends r through the server's routes.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// drainEnqueued empties the fixture's worker notifications so that accepted
// deliveries never fill the channel.
func (f *mgFixture) drainEnqueued() {
	for len(f.enqueued) > 0 {
		<-f.enqueued
	}
}

// FuzzWebhookRequest: POST /webhooks/magento/{tenant_id}/{event_name} with
// any tenant, event, token, key and body never answers 5xx over a healthy
// store, and accepts (2xx) only a valid token for that tenant, a valid
// event name and an envelope ParseEnvelope accepts. An empty tenant stands
// for the fixture's tenant; validToken sends a fresh valid token instead of
// auth.
func FuzzWebhookRequest(f *testing.F) {
	f.Add("", "invoice.created", true, "", "invoice.created:42", []byte(envelope42))
	f.Add("", "product.upserted", true, "", "", []byte(`{"magento_entity_id":7,"occurred_at":"2026-04-29T10:11:12Z","payload":{}}`))
	f.Add("", "Invoice", true, "", "k", []byte(envelope42))
	f.Add("", "invoice.created", true, "", "k", []byte(`{"magento_entity_id":"42"}`))
	f.Add("no-such-tenant", "invoice.created", false, "Bearer a.b.c", "k", []byte(envelope42))
	f.Add("../x", "..", false, "", "", []byte(`{`))
	mg := mgSetup(f, "http://ledger.test")
	h := mg.srv.Handler()
	f.Fuzz(func(t *testing.T, tenant, event string, validToken bool, auth, key string, body []byte) {
		mg.t = t
		mg.clock.Add(magento.DefaultReplayTTL) // earlier tokens leave the replay cache, as in real time
		defer mg.drainEnqueued()
		ours := tenant == ""
		if ours {
			tenant = mg.tenant.ID
		}
		r := httptest.NewRequest(http.MethodPost, "/webhooks/magento/"+url.PathEscape(tenant)+"/"+url.PathEscape(event), strings.NewReader(string(body)))
		if validToken {
			auth = "Bearer " + mg.token()
		}
		r.Header.Set("Authorization", auth)
		r.Header.Set("Content-Type", "application/json")
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		w := serve(h, r)
		switch w.Code {
		case 200, 202:
			_, envErr := magento.ParseEnvelope(body)
			if !validToken || !ours || !magento.ValidEventName(event) || envErr != nil || len(key) > maxIdempotencyKey {
				t.Fatalf("accepted: tenant %q event %q valid token %v envelope %v key %d bytes → %d %s", tenant, event, validToken, envErr, len(key), w.Code, w.Body)
			}
			var out webhookAccepted
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("accepted with body %s: %v", w.Body, err)
			}
			if _, err := strconv.ParseUint(out.SyncRunID, 10, 64); err != nil {
				t.Fatalf("sync_run_id %q", out.SyncRunID)
			}
		case 400, 401, 413, 422:
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%d with a non-JSON body %q", w.Code, w.Body)
			}
			if w.Code == 401 && strings.TrimSpace(w.Body.String()) != `{"error":"unauthorized"}` {
				t.Fatalf("401 says more than unauthorized: %s", w.Body)
			}
		case 301, 307, 308, 404, 405: // the mux: a path that is not the route
		default:
			t.Fatalf("tenant %q event %q: %d %s", tenant, event, w.Code, w.Body)
		}
	})
}

// FuzzStatusQuery: GET /v1/status answers 200 exactly for a known entity
// type and a positive id, else 400, always as JSON.
func FuzzStatusQuery(f *testing.F) {
	for _, s := range []string{"entity_type=invoice&entity_id=42", "entity_type=customer&entity_id=0", "entity_type=order&entity_id=1",
		"entity_id=9223372036854775808&entity_type=creditmemo", "entity_type=invoice&entity_type=x&entity_id=+1", "%zz"} {
		f.Add(s)
	}
	mg := mgSetup(f, "http://ledger.test")
	h := mg.srv.Handler()
	f.Fuzz(func(t *testing.T, rawQuery string) {
		mg.t = t
		mg.clock.Add(magento.DefaultReplayTTL) // earlier tokens leave the replay cache, as in real time
		r := httptest.NewRequest(http.MethodGet, "/v1/status", nil)
		r.URL.RawQuery = rawQuery
		r.Header.Set("Authorization", "Bearer "+mg.token())
		w := serve(h, r)
		q := r.URL.Query()
		_, known := statusEntityTypes[q.Get("entity_type")]
		id, err := strconv.ParseInt(q.Get("entity_id"), 10, 64)
		want := http.StatusBadRequest
		if known && err == nil && id > 0 {
			want = http.StatusOK
		}
		if w.Code != want || !json.Valid(w.Body.Bytes()) {
			t.Fatalf("?%s: %d %s, want %d", rawQuery, w.Code, w.Body, want)
		}
	})
}

// loggedIn is a fixture with a browser logged in as email; each fuzz
// iteration points the fixture's failures at its own t.
func loggedIn(f *testing.F, email string, modify ...func(*Config)) (*fixture, *browser) {
	fx := setup(f, modify...)
	return fx, fx.browser().login(email)
}

// pagerRE finds the list pages' previous/next links (bindings.html's
// rel="prev"/"next", sync.html's "Older runs").
var pagerRE = regexp.MustCompile(`<a href="([^"]*)"(?: rel="(?:prev|next)">|>Older runs)`)

// pagerLinks returns the page's previous/next links, unescaped.
func pagerLinks(t testing.TB, body string) []*url.URL {
	var out []*url.URL
	for _, m := range pagerRE.FindAllStringSubmatch(body, -1) {
		u, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		if err != nil {
			t.Fatalf("pager link %q: %v", m[1], err)
		}
		out = append(out, u)
	}
	return out
}

// asSent is a query string as a browser sends it: bytes that cannot stand
// in a request line (controls, spaces, non-ASCII, '#') percent-encoded.
func asSent(rawQuery string) string {
	var b strings.Builder
	for i := 0; i < len(rawQuery); i++ {
		if c := rawQuery[i]; c <= ' ' || c >= 0x7f || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzBindingsQuery: any ?q=&status=&page= renders the list (200), and its
// previous/next links name a page that exists.
func FuzzBindingsQuery(f *testing.F) {
	for _, s := range []string{"page=2", "q=shop01&status=needs_reauth", "page=-1", "page=99999999999999999999", "status=bogus", "q=%00&page=1e3", "page=3&page=1"} {
		f.Add(s)
	}
	fx, b := loggedIn(f, "admin@example.com")
	agency(fx, 60)
	if len(pagerLinks(f, b.get("/dashboard/bindings").body)) != 1 {
		f.Fatal("the first page has no next link: the property below would check nothing")
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		fx.t = t
		p := b.get("/dashboard/bindings?" + asSent(rawQuery))
		if p.code != http.StatusOK {
			t.Fatalf("?%s: %d", rawQuery, p.code)
		}
		pages := 62/bindingsPageSize + 1
		for _, u := range pagerLinks(t, p.body) {
			if s := u.Query().Get("page"); s != "" {
				if n, err := strconv.Atoi(s); err != nil || n < 2 || n > pages {
					t.Fatalf("?%s links to %s", rawQuery, u)
				}
			}
		}
	})
}

// FuzzSyncQuery: any ?status=&binding=&magento_id=&before= renders the
// history (200) or, for a binding id the user may not see, 404; never
// anything else, and the next-page link carries a run id.
func FuzzSyncQuery(f *testing.F) {
	for _, s := range []string{"status=failed", "status=bogus", "binding=10", "binding=20", "binding=99", "binding=alice", "magento_id=42", "magento_id=-1",
		"before=101", "before=x&magento_id=1e3", "binding=%23999"} {
		f.Add(s)
	}
	fx, b := loggedIn(f, "alice@example.com")
	fx.st.mu.Lock()
	for i := uint64(0); i < 2*syncPageSize; i++ { // two pages of alice's runs
		fx.st.runs[300+i] = &domain.SyncRun{ID: 300 + i, TenantID: "tenant-a", BindingID: 10, Event: domain.EventInvoiceCreated,
			MagentoID: int64(i%3 + 1), Status: runStatuses[i%uint64(len(runStatuses))], CreatedAt: fx.clock.Now()}
	}
	fx.st.mu.Unlock()
	if len(pagerLinks(f, b.get("/dashboard/sync").body)) != 1 {
		f.Fatal("the first page has no link to older runs: the property below would check nothing")
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		fx.t = t
		p := b.get("/dashboard/sync?" + asSent(rawQuery))
		if p.code != http.StatusOK && p.code != http.StatusNotFound {
			t.Fatalf("?%s: %d", rawQuery, p.code)
		}
		for _, u := range pagerLinks(t, p.body) {
			if s := u.Query().Get("before"); s != "" {
				if _, err := strconv.ParseUint(s, 10, 64); err != nil {
					t.Fatalf("?%s links to %s", rawQuery, u)
				}
			}
		}
	})
}

// FuzzConnectForm: the pairing form hands Pair the URL as typed (trimmed)
// and the code normalised, and the page it shows back never depends on the
// code (it is never echoed).
func FuzzConnectForm(f *testing.F) {
	f.Add("https://shop.example.com", " DEADBEEFCAFEF00D0123456789ABCDEF ")
	f.Add("shop.example.com", "abc")
	f.Add(" ", "x")
	f.Add("https://shop.example.com/?<script>", "<b>code</b>")
	var got []PairInput
	fx, b := loggedIn(f, "alice@example.com", func(c *Config) {
		c.Pair = func(_ context.Context, in PairInput) (PairResult, error) {
			got = append(got, in)
			return PairResult{}, domain.Errorf(domain.EInvalid, "Magento says the pairing code is invalid or expired — generate a new one and try again.")
		}
	})
	const placeholder = "placeholder-code-0000"
	f.Fuzz(func(t *testing.T, magentoURL, code string) {
		fx.t = t
		got = nil
		withCode := b.submit("/dashboard/connect-magento", "/dashboard/connect-magento", url.Values{"magento_url": {magentoURL}, "code": {code}})
		if withCode.code != http.StatusUnprocessableEntity {
			t.Fatalf("%d", withCode.code)
		}
		norm := magento.NormaliseCode(code)
		if len(got) > 0 {
			if got[0].Code != norm || got[0].MagentoURL != strings.TrimSpace(magentoURL) {
				t.Fatalf("Pair got %+v for url %q code %q", got[0], magentoURL, code)
			}
		}
		if norm == "" {
			return
		}
		withPlaceholder := b.submit("/dashboard/connect-magento", "/dashboard/connect-magento", url.Values{"magento_url": {magentoURL}, "code": {placeholder}})
		if withCode.body != withPlaceholder.body {
			t.Fatalf("the page depends on the code %q", code)
		}
	})
}

// FuzzLoginForm: the login form logs in only the right email (any case,
// any surrounding space) with the right password, and then redirects to
// safeNext(next); anything else is 401, or 429 once throttled.
func FuzzLoginForm(f *testing.F) {
	f.Add(" Alice@Example.com ", password, "/dashboard/sync")
	f.Add("alice@example.com", "wrong", "//evil.example")
	f.Add("nobody@example.com", password, "")
	fx := setup(f)
	f.Fuzz(func(t *testing.T, email, pw, next string) {
		fx.t = t
		fx.srv.throttle = newThrottle(fx.clock.Now, 5, 15*time.Minute) // each input on its own
		b := fx.browser()
		p := b.post("/login?next="+url.QueryEscape(next), url.Values{"csrf": {b.csrf("/login")}, "email": {email}, "password": {pw}})
		known := false
		if _, ok := fx.st.hashes[strings.ToLower(strings.TrimSpace(email))]; ok {
			known = true
		}
		switch p.code {
		case http.StatusSeeOther:
			if !known || pw != password {
				t.Fatalf("logged in as %q with %q", email, pw)
			}
			if loc := p.h.Get("Location"); loc != safeNext(next) {
				t.Fatalf("next %q redirected to %q", next, loc)
			}
		case http.StatusUnauthorized:
			if known && pw == password {
				t.Fatalf("refused %q with the right password", email)
			}
		default:
			t.Fatalf("%q: %d", email, p.code)
		}
	})
}

// FuzzReconcileSince: the reconciliation date is YYYY-MM-DD (a real date)
// or empty; anything else is 400 before any report runs.
func FuzzReconcileSince(f *testing.F) {
	for _, s := range []string{"2026-01-31", "", "2026-02-30", "31/01/2026", " 2026-01-31", "2026-1-3", "+2026-01-31"} {
		f.Add(s)
	}
	var calls []time.Time
	fx, b := loggedIn(f, "alice@example.com", func(c *Config) {
		c.Reconcile = func(_ context.Context, _ uint64, since time.Time) (*reconcile.Report, error) {
			calls = append(calls, since)
			return nil, domain.Errorf(domain.EUnavailable, "Xero is not reachable.")
		}
	})
	f.Fuzz(func(t *testing.T, since string) {
		fx.t = t
		calls = nil
		p := b.submit("/dashboard/bindings/10/reconcile", "/dashboard/bindings/10/reconcile", url.Values{"since": {since}})
		want, err := time.Parse(time.DateOnly, since)
		switch {
		case since != "" && err != nil:
			if p.code != http.StatusBadRequest || len(calls) != 0 {
				t.Fatalf("since %q: %d, %d reports run", since, p.code, len(calls))
			}
		case len(calls) != 1 || !calls[0].Equal(want):
			t.Fatalf("since %q: %d, reports run with %v", since, p.code, calls)
		}
	})
}

// FuzzOAuthCallbackQuery: whatever ?state=&code=&error= Xero (or anyone)
// sends back, the callback answers 200 (declined) or 400 without touching
// a binding, and quotes the error only when it is a code
// (oauthErrorCode): any other text gives the same page.
func FuzzOAuthCallbackQuery(f *testing.F) {
	for _, s := range []string{"error=access_denied&state=x", "error=invalid_scope&state=x", "error=%3Cscript%3E", "code=abc&state=unknown", "state=&code=", "error=temporarily_unavailable&error_description=x"} {
		f.Add(s)
	}
	mg := mgSetup(f, "http://ledger.test")
	mg.srv.cfg.Xero = &XeroOAuth{Config: xero.Config{ClientID: "client-id", ClientSecret: "client-secret", RedirectURL: "http://ledger.test/oauth/xero/callback"}}
	h := mg.srv.Handler()
	get := func(rawQuery string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/oauth/xero/callback", nil)
		r.URL.RawQuery = rawQuery
		return serve(h, r)
	}
	const unrecognised = "error=%21not+a+code%21"
	other := get(unrecognised)
	if other.Code != http.StatusBadRequest || !strings.Contains(other.Body.String(), "unrecognised") {
		f.Fatalf("reference page: %d %s", other.Code, other.Body)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		mg.t = t
		w := get(rawQuery)
		e := (&url.URL{RawQuery: rawQuery}).Query().Get("error")
		switch {
		case e == "access_denied":
			if w.Code != http.StatusOK {
				t.Fatalf("?%s: %d", rawQuery, w.Code)
			}
		case w.Code != http.StatusBadRequest:
			t.Fatalf("?%s: %d", rawQuery, w.Code)
		case e != "" && !oauthErrorCode.MatchString(e) && w.Body.String() != other.Body.String():
			t.Fatalf("?%s: the page quotes error %q", rawQuery, e)
		}
	})
}
