package dashboard

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/store"
)

func TestHealthReportsRealFigures(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	if r := f.call("GET", "/v1/tile/health", "", ""); r.code != 401 {
		t.Errorf("no token: %d", r.code)
	}
	empty := f.call("GET", "/v1/tile/health", "Bearer "+f.token(), "")
	wantEmpty := `{"tenant":{"magento_connection_status":"pending"},"binding":{"status":"pending_oauth","region":null},"sync":{"last_run_at":null,"pending_count":0,"failed_24h":0}}`
	if empty.code != 200 || empty.body != wantEmpty {
		t.Errorf("fresh tenant: %d\n got %s\nwant %s", empty.code, empty.body, wantEmpty)
	}
	for _, ev := range []string{"invoice.created", "invoice.paid"} {
		if r := f.webhook(ev, envelope42, ev+":42"); r.code != 202 {
			t.Fatalf("%s: %d", ev, r.code)
		}
	}
	if _, err := f.db.UpdateBinding(f.binding.ID, func(b *domain.Binding) error { b.Status = domain.BindingNeedsReauth; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.UpdateTenant(f.tenant.ID, func(t *domain.Tenant) error { t.MagentoStatus = domain.MagentoActive; return nil }); err != nil {
		t.Fatal(err)
	}
	r := f.call("GET", "/v1/tile/health", "Bearer "+f.token(), "")
	want := `{"tenant":{"magento_connection_status":"active"},"binding":{"status":"needs_reauth","region":null},"sync":{"last_run_at":"2026-11-29T12:00:00Z","pending_count":2,"failed_24h":0}}`
	if r.code != 200 || r.body != want {
		t.Errorf("after two events: %d\n got %s\nwant %s", r.code, r.body, want)
	}
}

func TestStatusOfLatestRun(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	f.webhook("invoice.created", envelope42, "invoice.created:42")
	tests := []struct {
		query string
		code  int
		want  map[string]any
	}{
		{"entity_type=invoice&entity_id=42", 200, map[string]any{"entity_type": "invoice", "entity_id": 42.0, "sync_status": "pending",
			"provider_entity_id": nil, "provider_reference": nil, "last_sync_at": "2026-11-29T12:00:00Z"}},
		{"entity_type=creditmemo&entity_id=42", 200, map[string]any{"entity_type": "creditmemo", "entity_id": 42.0, "sync_status": nil,
			"provider_entity_id": nil, "provider_reference": nil, "last_sync_at": nil}},
		{"entity_type=order&entity_id=42", 400, nil},
		{"entity_type=invoice&entity_id=x", 400, nil},
	}
	for _, tt := range tests {
		r := f.call("GET", "/v1/status?"+tt.query, "Bearer "+f.token(), "")
		if r.code != tt.code {
			t.Errorf("%s: %d %s, want %d", tt.query, r.code, r.body, tt.code)
			continue
		}
		if tt.want == nil {
			continue
		}
		var got map[string]any
		_ = json.Unmarshal([]byte(r.body), &got)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.query, diff)
		}
	}
}

func TestDisconnectRevokesAndIsIdempotent(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	f.webhook("invoice.created", envelope42, "invoice.created:42")
	for i := 0; i < 2; i++ {
		r := f.call("POST", "/v1/tenant/disconnect?provider=xero", "Bearer "+f.token(), "{}")
		if r.code != 204 || r.body != "" {
			t.Fatalf("disconnect %d: %d %s, want 204", i, r.code, r.body)
		}
	}
	if id := <-f.revoked; id != f.binding.ID {
		t.Errorf("BindingRevoked(%d), want %d", id, f.binding.ID)
	}
	tn, _ := f.db.Tenant(f.tenant.ID)
	b, _ := f.db.Binding(f.binding.ID)
	if !tn.Revoked() || b.Status != domain.BindingRevoked {
		t.Errorf("after disconnect: tenant revoked=%v binding %s", tn.Revoked(), b.Status)
	}
	if r := f.webhook("invoice.paid", envelope42, "invoice.paid:42"); r.code != 401 {
		t.Errorf("webhook after disconnect: %d, want 401", r.code)
	}
	if r := f.call("GET", "/v1/tile/health", "Bearer "+f.token(), ""); r.code != 401 {
		t.Errorf("health after disconnect: %d, want 401", r.code)
	}
	if runs, _ := f.db.ListRuns(store.RunFilter{TenantID: f.tenant.ID}); len(runs) != 1 {
		t.Errorf("history after disconnect: %d runs, want 1 kept", len(runs))
	}
	select {
	case id := <-f.revoked:
		t.Errorf("second disconnect revoked binding %d again", id)
	default:
	}
}

func TestEmbed(t *testing.T) {
	f := mgSetup(t, "https://ledger.test")
	f.webhook("invoice.created", envelope42, "invoice.created:42")
	path := "/embed/" + f.tenant.ID
	br := f.browser()
	p := br.get(path)
	if p.code != 200 || !strings.Contains(p.body, `action="/embed/`+f.tenant.ID+`/login"`) || strings.Contains(p.body, "invoice.created") {
		t.Fatalf("anonymous embed: %d\n%s", p.code, p.body)
	}
	if got, want := p.h.Get("Content-Security-Policy"), "frame-ancestors "+f.tenant.MagentoURL; !strings.HasSuffix(got, want) {
		t.Errorf("CSP = %q, want it to end with %q", got, want)
	}
	if xfo := p.h.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options = %q on the embed", xfo)
	}
	cookie := p.h.Get("Set-Cookie")
	if !strings.Contains(cookie, "SameSite=None") || !strings.Contains(cookie, "Secure") || !strings.Contains(cookie, "HttpOnly") {
		t.Errorf("embed cookie over https: %s", cookie)
	}
	csrf := csrfRE.FindStringSubmatch(p.body)[1]
	// The httptest server is plain http; Secure cookies are still kept by
	// the jar for 127.0.0.1 only over https, so carry the cookie by hand.
	login := func(email string) page {
		req, _ := http.NewRequest("POST", f.ts.URL+path+"/login", strings.NewReader(url.Values{"csrf": {csrf}, "email": {email}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", strings.SplitN(cookie, ";", 2)[0])
		return br.read(br.c.Do(req))
	}
	bad := login("nobody@example.com")
	if bad.code != 401 || strings.Contains(bad.body, "invoice.created") {
		t.Errorf("bad login: %d", bad.code)
	}
	for _, tt := range []struct {
		email string
		code  int
		data  bool
	}{{"merchant@example.com", 200, true}, {"other@example.com", 404, false}} {
		lp := login(tt.email)
		if lp.code != http.StatusSeeOther || lp.h.Get("Location") != path {
			t.Fatalf("login %s: %d %s", tt.email, lp.code, lp.h.Get("Location"))
		}
		sess := strings.SplitN(lp.h.Get("Set-Cookie"), ";", 2)[0]
		req, _ := http.NewRequest("GET", f.ts.URL+path, nil)
		req.Header.Set("Cookie", sess)
		got := br.read(br.c.Do(req))
		if got.code != tt.code || strings.Contains(got.body, "000000042") != tt.data {
			t.Errorf("embed as %s: %d, data shown=%v\n%s", tt.email, got.code, !tt.data, got.body)
		}
		// The history is live like Sync history: refreshed every 5 s,
		// a Refresh link to this very URL, a polite status line, the
		// runs in the region app.js swaps. A refused user's page is not.
		m := parseLive(t, got.body)
		want := liveMarkup{Regions: map[string]string{}}
		if tt.data {
			want = liveMarkup{Live: "5", Refresh: path, Status: true, Regions: map[string]string{"runs": m.Regions["runs"]}}
			if !strings.Contains(m.Regions["runs"], "000000042") {
				t.Errorf("embed as %s: the runs region lacks the invoice:\n%s", tt.email, m.Regions["runs"])
			}
		}
		if d := cmp.Diff(want, m); d != "" {
			t.Errorf("embed as %s live markup (-want +got):\n%s", tt.email, d)
		}
	}
	if m := parseLive(t, p.body); m.Live != "" || m.Refresh != "" || len(m.Regions) != 0 {
		t.Errorf("the embed's login form is live: %+v", m)
	}
	if p := f.browser().get("/embed/no-such-tenant"); p.code != 200 || p.h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("unknown tenant anonymous: %d XFO=%q (framing must stay forbidden)", p.code, p.h.Get("X-Frame-Options"))
	}
}

// A Magento URL whose host could smuggle CSP syntax never becomes a
// frame-ancestors source: framing stays denied.
func TestEmbedAncestorsOnlyPlainHosts(t *testing.T) {
	f := mgSetup(t, "https://ledger.test")
	for _, tt := range []struct {
		magentoURL string
		want       string // "" = framing denied
	}{
		{"https://shop.example.com", "https://shop.example.com"},
		{"http://127.0.0.1:8443", "http://127.0.0.1:8443"},
		{"https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"},
		{"https://shop.example.com;script-src", ""},
		{"https://*", ""},
		{"https://shop.example.com%20*", ""},
		{"ftp://shop.example.com", ""},
	} {
		if _, err := f.db.UpdateTenant(f.tenant.ID, func(tn *domain.Tenant) error { tn.MagentoURL = tt.magentoURL; return nil }); err != nil {
			t.Fatal(err)
		}
		p := f.browser().get("/embed/" + f.tenant.ID)
		csp, xfo := p.h.Get("Content-Security-Policy"), p.h.Get("X-Frame-Options")
		if tt.want == "" {
			if xfo != "DENY" || strings.Contains(csp, "frame-ancestors http") {
				t.Errorf("%q: CSP %q, X-Frame-Options %q; want framing denied", tt.magentoURL, csp, xfo)
			}
			continue
		}
		if !strings.HasSuffix(csp, "frame-ancestors "+tt.want) || xfo != "" {
			t.Errorf("%q: CSP %q, X-Frame-Options %q; want frame-ancestors %s", tt.magentoURL, csp, xfo, tt.want)
		}
	}
}

// TestEmbedLiveRegionFollowsState: what app.js swaps into the embed is the
// runs region of a later fetch of the same URL, made with the embed cookie
// alone: a new event shows there; a fetch whose session is gone gets the
// login form, which has no region, so app.js stops rather than swap it in.
func TestEmbedLiveRegionFollowsState(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	f.webhook("invoice.created", envelope42, "invoice.created:42")
	path := "/embed/" + f.tenant.ID
	br := newJarless(t, f.ts.URL).login(path, "merchant@example.com")
	if _, ok := br.cookies[sessionCookie]; ok {
		t.Fatal("the embed login set the dashboard cookie; the test must run on the embed cookie alone")
	}
	before := parseLive(t, br.do("GET", path, nil).body).Regions["runs"]
	if !strings.Contains(before, "Invoice created") || strings.Contains(before, "Invoice paid") {
		t.Fatalf("runs region before:\n%s", before)
	}
	if r := f.webhook("invoice.paid", envelope42, "invoice.paid:42"); r.code != 202 {
		t.Fatalf("invoice.paid: %d", r.code)
	}
	after := parseLive(t, br.do("GET", path, nil).body).Regions["runs"]
	if after == before || !strings.Contains(after, "Invoice paid") {
		t.Errorf("the refetched runs region does not show the new event:\n%s", after)
	}
	anon := parseLive(t, newJarless(t, f.ts.URL).do("GET", path, nil).body)
	if _, ok := anon.Regions["runs"]; ok {
		t.Error("the login form has a runs region; app.js would swap it into a signed-in page")
	}
}

// tenantReads wraps the Magento API's store: it counts Tenant reads and
// answers every read after the first since reset with the tenant
// moved to another owner and another Magento, as if it were re-paired
// between two reads.
type tenantReads struct {
	magentoStore
	mu    sync.Mutex
	reads int
	moved func(*domain.Tenant)
}

func (s *tenantReads) Tenant(id string) (*domain.Tenant, error) {
	t, err := s.magentoStore.Tenant(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if err == nil && s.reads > 1 {
		s.moved(t)
	}
	return t, err
}

func (s *tenantReads) reset() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.reads
	s.reads = 0
	return n
}

// The framing header and the page come from one read of the tenant: the
// page a user sees is never framed for another store's admin.
func TestEmbedReadsTenantOnce(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	f.webhook("invoice.created", envelope42, "invoice.created:42")
	reads := &tenantReads{magentoStore: f.srv.magento.db, moved: func(tn *domain.Tenant) {
		tn.OwnerID, tn.MagentoURL = tn.OwnerID+1000, "https://moved.example.com"
	}}
	f.srv.magento.db = reads
	path := "/embed/" + f.tenant.ID
	br := newJarless(t, f.ts.URL).login(path, "merchant@example.com")
	if n := reads.reset(); n != 2 { // the form and the login post
		t.Errorf("GET and POST of the embed login read the tenant %d times, want 2", n)
	}
	p := br.do("GET", path, nil)
	if n := reads.reset(); n != 1 {
		t.Errorf("GET %s read the tenant %d times, want 1", path, n)
	}
	if got, want := p.h.Get("Content-Security-Policy"), "frame-ancestors "+f.tenant.MagentoURL; p.code != http.StatusOK || !strings.HasSuffix(got, want) || !strings.Contains(p.body, "000000042") {
		t.Errorf("embed: %d, CSP %q (want it to end with %q), the owner's runs shown = %v", p.code, got, want, strings.Contains(p.body, "000000042"))
	}
}
