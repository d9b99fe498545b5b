// Package e2e drives ledger's pieces together over HTTP: the real store in
// a temp dir, the dashboard on httptest, the token vault, and the strict
// fake Xero.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"ledger/cmd"
	"ledger/dashboard"
	"ledger/domain"
	"ledger/store"
	"ledger/store/storetest"
	"ledger/xero"
	"ledger/xero/xerotest"
)

const password = "correct horse battery staple"

// env is one ledger (store + dashboard + vault) against one fake Xero.
type env struct {
	t       *testing.T
	db      *store.DB
	fx      *xerotest.Server
	vault   *cmd.XeroVault
	web     string // the dashboard's base URL (= --public-url)
	user    *domain.User
	binding *domain.Binding

	mu    sync.Mutex
	extra []org // organisations added to the next consent's listing
}

type org struct{ id, name string }

func setup(t *testing.T, opts xerotest.Options, noCreds bool) *env {
	t.Helper()
	fx := xerotest.New(t, opts)
	clock := fx.Clock()
	db := storetest.MustOpenWith(t, store.Options{Now: clock.Now})
	var h http.Handler
	web := httpServer(t, func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) })
	xcfg := fx.Config(web + "/oauth/xero/callback")
	e := &env{t: t, fx: fx}
	xcfg.ConnectionsURL = httpServer(t, e.connections) + "/connections"
	if noCreds {
		xcfg.ClientID, xcfg.ClientSecret = "", ""
	}
	vault := cmd.NewXeroVault(db, xcfg, 5000, nil)
	vault.LimiterClock = fx.Clock()
	dcfg := dashboard.Config{DB: db, PublicURL: web, Now: clock.Now}
	app := &cmd.App{DB: db, Xero: vault}
	app.WireXero(&dcfg)
	srv, err := dashboard.New(dcfg)
	if err != nil {
		t.Fatal(err)
	}
	h = srv.Handler()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser("owner@example.com", domain.RoleMerchant, hash)
	if err != nil {
		t.Fatal(err)
	}
	_, b := storetest.MustPairing(t, db, u.ID)
	e.db, e.vault, e.web, e.user, e.binding = db, vault, web, u, b
	return e
}

// connections passes GET/DELETE /connections through to the fake, adding
// the organisations of e.extra to a listing as if the consent had chosen
// them too (the fake's consent picks one organisation per server).
func (e *env) connections(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest(r.Method, e.fx.URL+r.URL.RequestURI(), nil)
	req.Header = r.Header.Clone()
	resp, err := e.fx.Client().Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	e.mu.Lock()
	extra := e.extra
	e.mu.Unlock()
	var list []map[string]string
	if r.Method == http.MethodGet && resp.StatusCode == http.StatusOK && len(extra) > 0 && json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		for i, x := range extra {
			c := maps.Clone(list[0])
			c["id"], c["tenantId"], c["tenantName"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), x.id, x.name
			list = append(list, c)
		}
		raw, _ = json.Marshal(list)
	}
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(raw)
}

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }

func httpServer(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// browser is a cookie jar that follows redirects by hand.
type browser struct {
	t  *testing.T
	hc *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	code int
	url  string
	body string
	hops []string // every URL visited, in order
}

// get follows redirects (at most 10) and returns the last answer.
func (b *browser) get(u string) page {
	b.t.Helper()
	return b.do(http.MethodGet, u, nil)
}

func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	return b.do(http.MethodPost, u, form)
}

func (b *browser) do(method, u string, form url.Values) page {
	b.t.Helper()
	var p page
	for range 10 {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, u, body)
		if err != nil {
			b.t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := b.hc.Do(req)
		if err != nil {
			b.t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		p.hops = append(p.hops, u)
		p.code, p.url, p.body = resp.StatusCode, u, string(raw)
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			return p
		}
		next, err := resp.Request.URL.Parse(loc)
		if err != nil {
			b.t.Fatal(err)
		}
		u, method, form = next.String(), http.MethodGet, nil
	}
	b.t.Fatalf("too many redirects: %v", p.hops)
	return p
}

func field(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s field in:\n%s", name, body)
	}
	return html.UnescapeString(m[1])
}

func (e *env) login(b *browser) {
	e.t.Helper()
	p := b.get(e.web + "/login")
	p = b.post(e.web+"/login", url.Values{"csrf": {field(e.t, p.body, "csrf")}, "email": {e.user.Email}, "password": {password}})
	if p.code != http.StatusOK || !strings.Contains(p.url, "/dashboard") {
		e.t.Fatalf("login: %d at %s", p.code, p.url)
	}
}

func (e *env) mustBinding() *domain.Binding {
	e.t.Helper()
	b, err := e.db.Binding(e.binding.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) cliLink() string {
	e.t.Helper()
	link, err := dashboard.NewConnectLink(e.db, e.web, e.binding.ID, e.fx.Clock().Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return link
}

func wantText(t *testing.T, p page, code int, text string) {
	t.Helper()
	if p.code != code || !strings.Contains(html.UnescapeString(p.body), text) {
		t.Fatalf("got %d at %s, want %d with %q:\n%s", p.code, p.url, code, text, p.body)
	}
}

func TestConnectThroughCLILink(t *testing.T) {
	e := setup(t, xerotest.Options{}, false)
	link := e.cliLink()
	if !strings.HasPrefix(link, e.web+"/oauth/xero/start?state=") {
		t.Fatalf("link %s does not point at ledger", link)
	}
	p := newBrowser(t).get(link) // any browser: no ledger session
	wantText(t, p, http.StatusOK, "is now connected to the Xero organisation Demo Ltd")

	b := e.mustBinding()
	org := e.fx.Organisations()[0]
	if b.Status != domain.BindingActive || b.XeroTenantID != org || b.XeroOrgName != "Demo Ltd" || b.XeroConnectionID == "" || b.ConnectedAt == nil {
		t.Fatalf("binding after connect: %+v", b)
	}
	ref, err := e.db.Reference(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Organisation.Name != "Demo Ltd" || ref.Organisation.BaseCurrency != "GBP" || len(ref.TaxRates) != 3 || len(ref.BrandingThemes) != 1 {
		t.Fatalf("reference cache: %+v", ref)
	}
	var codes []string
	for _, a := range ref.Accounts {
		codes = append(codes, a.Code)
	}
	if diff := cmp.Diff([]string{"090", "200", "400"}, codes); diff != "" {
		t.Errorf("cached accounts (-want +got):\n%s", diff)
	}
	// One call per resource: the whole connect.
	want := map[string]int{"GET /authorize": 1, "POST /token": 1, "GET /connections": 1,
		"GET /Organisation": 1, "GET /Accounts": 1, "GET /TaxRates": 1, "GET /BrandingThemes": 1,
		"GET /TrackingCategories": 1, "GET /Currencies": 1}
	if diff := cmp.Diff(want, e.fx.Calls()); diff != "" {
		t.Errorf("calls per connect (-want +got):\n%s", diff)
	}

	// The printed link is single use.
	wantText(t, newBrowser(t).get(link), http.StatusBadRequest, "This connect link has expired or was already used")

	// No token is readable in the database file.
	tok, err := e.vault.Source(b.ID).AccessToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(e.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range append(strings.Split(tok, "."), "refresh_token", "access_token") {
		if len(part) > 8 && bytes.Contains(raw, []byte(part)) {
			t.Errorf("the database file holds %q in clear", part)
		}
	}
}

func TestConnectThroughDashboard(t *testing.T) {
	e := setup(t, xerotest.Options{}, false)
	br := newBrowser(t)
	e.login(br)
	p := br.get(e.web + "/dashboard/connect-xero?binding=" + itoa(e.binding.ID))
	// Ledger → Xero's consent → the callback → the binding page, connected.
	if len(p.hops) != 4 || !strings.HasPrefix(p.hops[1], e.fx.URL) || !strings.HasPrefix(p.hops[2], e.web+"/oauth/xero/callback") ||
		p.url != e.web+"/dashboard/bindings/"+itoa(e.binding.ID) {
		t.Fatalf("hops: %v", p.hops)
	}
	wantText(t, p, http.StatusOK, "Demo Ltd")
	if b := e.mustBinding(); b.Status != domain.BindingActive {
		t.Fatalf("status %s", b.Status)
	}
	// The authorize URL carried PKCE S256 and the configured redirect URI.
	u, _ := url.Parse(p.hops[1])
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("redirect_uri") != e.web+"/oauth/xero/callback" || len(q.Get("state")) < 22 {
		t.Fatalf("authorize query: %v", q)
	}

	// Replaying Xero's callback (same state and code) is refused.
	wantText(t, newBrowser(t).get(p.hops[2]), http.StatusBadRequest, "This connect link has expired or was already used")

	// Another merchant's binding is not found for this user.
	_, other := storetest.MustPairing(t, e.db, 0)
	wantText(t, br.get(e.web+"/dashboard/connect-xero?binding="+itoa(other.ID)), http.StatusNotFound, "Not found")
}

// A consent started from the dashboard must come back to the browser that
// started it: someone else consenting on that link connects nothing.
func TestConsentInAnotherBrowserRefused(t *testing.T) {
	e := setup(t, xerotest.Options{}, false)
	owner := newBrowser(t)
	e.login(owner)
	resp, err := owner.hc.Get(e.web + "/dashboard/connect-xero?binding=" + itoa(e.binding.ID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	authorize := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(authorize, e.fx.URL) {
		t.Fatalf("connect-xero = %d → %q, want a redirect to Xero", resp.StatusCode, authorize)
	}
	// The link travels to another browser (no ledger session), which consents.
	p := newBrowser(t).get(authorize)
	wantText(t, p, http.StatusForbidden, "started by another ledger login")
	if b := e.mustBinding(); b.Status != domain.BindingPendingOAuth || b.XeroTenantID != "" {
		t.Fatalf("binding after a foreign consent: status %s, org %q; want pending_oauth and nothing pinned", b.Status, b.XeroTenantID)
	}
}

func TestPicker(t *testing.T) {
	e := setup(t, xerotest.Options{}, false)
	first := e.fx.Organisations()[0]
	second := e.fx.AddOrganisation("Second Ltd", "EUR")
	e.extra = []org{{second, "Second Ltd"}}
	br := newBrowser(t)
	e.login(br)
	p := br.get(e.web + "/dashboard/connect-xero?binding=" + itoa(e.binding.ID))
	wantText(t, p, http.StatusOK, "Choose the Xero organisation")
	wantText(t, p, http.StatusOK, "Second Ltd")
	if b := e.mustBinding(); b.Status != domain.BindingPendingOAuth {
		t.Fatalf("the picker must not connect yet: %s", b.Status)
	}
	form := url.Values{"csrf": {field(t, p.body, "csrf")}, "binding": {field(t, p.body, "binding")},
		"pending": {field(t, p.body, "pending")}, "tenant": {first}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(k, v)
		return f
	}
	wantText(t, br.post(e.web+"/oauth/xero/pick", with("csrf", "forged")), http.StatusForbidden, "This form has expired")
	wantText(t, br.post(e.web+"/oauth/xero/pick", with("pending", "guessed")), http.StatusBadRequest, "expired or was already used")

	p = br.post(e.web+"/oauth/xero/pick", form)
	if p.code != http.StatusOK || !strings.HasSuffix(p.url, "/dashboard/bindings/"+itoa(e.binding.ID)) {
		t.Fatalf("pick: %d at %s", p.code, p.url)
	}
	b := e.mustBinding()
	if b.XeroTenantID != first || b.XeroOrgName != "Demo Ltd" || b.Status != domain.BindingActive {
		t.Fatalf("binding after pick: %+v", b)
	}
	if _, err := e.db.Reference(b.ID); err != nil {
		t.Fatalf("reference after pick: %v", err)
	}
	if _, err := e.db.Secret(dashboard.SecretXeroPending(b.ID)); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("pending choice kept: %v", err)
	}
	// The pending choice is single use.
	wantText(t, br.post(e.web+"/oauth/xero/pick", form), http.StatusBadRequest, "expired or was already used")
}

func TestDeniedConsent(t *testing.T) {
	e := setup(t, xerotest.Options{Deny: true}, false)
	p := newBrowser(t).get(e.cliLink())
	wantText(t, p, http.StatusOK, "You declined access in Xero — nothing was connected. Start again when ready.")
	if b := e.mustBinding(); b.Status != domain.BindingPendingOAuth {
		t.Fatalf("status %s", b.Status)
	}
}

func TestMissingCredentials(t *testing.T) {
	e := setup(t, xerotest.Options{}, true)
	br := newBrowser(t)
	e.login(br)
	p := br.get(e.web + "/dashboard/connect-xero?binding=" + itoa(e.binding.ID))
	wantText(t, p, http.StatusServiceUnavailable, "--xero-client-id and --xero-client-secret")
	wantText(t, p, http.StatusServiceUnavailable, "LEDGER_XERO_CLIENT_SECRET_FILE")
	if n := len(e.fx.Calls()); n != 0 {
		t.Errorf("Xero was called %d times", n)
	}
}

func TestReconnectOtherOrganisationRefused(t *testing.T) {
	e := setup(t, xerotest.Options{}, false)
	// The binding was connected to another organisation before: its
	// documents live there.
	_, err := e.db.UpdateBinding(e.binding.ID, func(b *domain.Binding) error {
		b.XeroTenantID, b.XeroOrgName, b.Status = "0f0f0f0f-0000-4000-8000-000000000001", "Old Books Ltd", domain.BindingRevoked
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p := newBrowser(t).get(e.cliLink())
	wantText(t, p, http.StatusConflict, "This binding is connected to Old Books Ltd; its synced documents belong to that organisation. Disconnect and create a new binding to use Demo Ltd.")
	b := e.mustBinding()
	if b.XeroOrgName != "Old Books Ltd" || b.Status != domain.BindingRevoked {
		t.Fatalf("binding changed: %+v", b)
	}
	if _, err := e.db.Secret(domain.SecretBindingTokens(b.ID)); !domain.IsKind(err, domain.ENotFound) {
		t.Fatalf("tokens of the refused organisation were kept: %v", err)
	}
}

func TestOneRefreshForConcurrentCalls(t *testing.T) {
	e := setup(t, xerotest.Options{PerMinute: 1000, Concurrent: 200}, false)
	wantText(t, newBrowser(t).get(e.cliLink()), http.StatusOK, "now connected")
	e.fx.Clock().Advance(xerotest.AccessTTL) // every caller sees an expired token
	before := e.fx.Calls()["POST /token"]
	c, err := e.vault.Client(e.binding.ID)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			if _, err := c.Currencies(context.Background()); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := e.fx.Calls()["POST /token"] - before; got != 1 {
		t.Errorf("refreshes for 100 concurrent calls = %d, want 1", got)
	}
}

func TestInvalidGrantNeedsReauthThenResumes(t *testing.T) {
	e := setup(t, xerotest.Options{}, false)
	wantText(t, newBrowser(t).get(e.cliLink()), http.StatusOK, "now connected")
	ctx := context.Background()
	// The merchant revokes ledger in Xero: the refresh token dies.
	raw, _ := e.db.Secret(domain.SecretBindingTokens(e.binding.ID))
	rt := regexp.MustCompile(`"refresh_token":"([^"]+)"`).FindSubmatch(raw)
	if err := e.vault.Config().Revoke(ctx, string(rt[1])); err != nil {
		t.Fatal(err)
	}
	e.fx.Clock().Advance(xerotest.AccessTTL)
	c, _ := e.vault.Client(e.binding.ID)
	if _, err := c.Organisation(ctx); !errors.Is(err, xero.ErrReauthRequired) {
		t.Fatalf("err = %v, want reauth", err)
	}
	if b := e.mustBinding(); b.Status != domain.BindingNeedsReauth {
		t.Fatalf("status %s, want needs_reauth", b.Status)
	}
	if err := e.vault.RefreshReference(ctx, e.binding.ID); domain.KindOf(err) != domain.EConflict {
		t.Fatalf("refresh while needs_reauth: %v", err)
	}
	// Reconnecting the same organisation resumes.
	wantText(t, newBrowser(t).get(e.cliLink()), http.StatusOK, "now connected")
	if b := e.mustBinding(); b.Status != domain.BindingActive {
		t.Fatalf("status after reconnect %s", b.Status)
	}
	if _, err := c.Organisation(ctx); err != nil {
		t.Fatalf("after reconnect: %v", err)
	}
}

func TestDisconnect(t *testing.T) {
	e := setup(t, xerotest.Options{}, false)
	wantText(t, newBrowser(t).get(e.cliLink()), http.StatusOK, "now connected")
	x := domain.Xref{BindingID: e.binding.ID, Kind: domain.XrefContact, MagentoKey: "7", XeroID: "11111111-1111-4111-8111-111111111111"}
	if err := e.db.PutXref(x); err != nil {
		t.Fatal(err)
	}
	if err := e.vault.Disconnect(context.Background(), e.binding.ID); err != nil {
		t.Fatal(err)
	}
	calls := e.fx.Calls()
	if calls["DELETE /connections"] != 1 || calls["POST /revocation"] != 1 {
		t.Errorf("calls: %v", calls)
	}
	if _, err := e.db.Secret(domain.SecretBindingTokens(e.binding.ID)); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("tokens still stored: %v", err)
	}
	b := e.mustBinding()
	if b.Status != domain.BindingRevoked || b.XeroTenantID == "" {
		t.Errorf("binding after disconnect: %+v", b)
	}
	if got, err := e.db.Xref(e.binding.ID, domain.XrefContact, "7"); err != nil || got.XeroID != x.XeroID {
		t.Errorf("xref lost: %v %v", got, err)
	}
	// Twice is fine.
	if err := e.vault.Disconnect(context.Background(), e.binding.ID); err != nil {
		t.Fatal(err)
	}
}

func TestDailyJobs(t *testing.T) {
	e := setup(t, xerotest.Options{}, false)
	wantText(t, newBrowser(t).get(e.cliLink()), http.StatusOK, "now connected")
	ctx := context.Background()
	clock := e.fx.Clock()
	before := e.fx.Calls()
	// Same day, before the slot moved on: nothing is due.
	if err := e.vault.SweepKeepAlive(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(25 * time.Hour)
	if err := e.vault.SweepReferences(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.vault.SweepKeepAlive(ctx); err != nil {
		t.Fatal(err)
	}
	after := e.fx.Calls()
	delta := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			delta[k] = d
		}
	}
	// The reference refresh refreshes the expired token itself, so the
	// keep-alive has nothing left to do the same hour.
	want := map[string]int{"POST /token": 1, "GET /Organisation": 1, "GET /Accounts": 1, "GET /TaxRates": 1,
		"GET /BrandingThemes": 1, "GET /TrackingCategories": 1, "GET /Currencies": 1}
	if diff := cmp.Diff(want, delta); diff != "" {
		t.Errorf("calls per daily refresh (-want +got):\n%s", diff)
	}
	// A quiet connection whose cache is fresh still gets its keep-alive.
	clock.Advance(25 * time.Hour)
	if err := e.db.PutReference(e.binding.ID, &domain.ReferenceCache{FetchedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	n := e.fx.Calls()["POST /token"]
	if err := e.vault.SweepKeepAlive(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.fx.Calls()["POST /token"] - n; got != 1 {
		t.Errorf("keep-alive refreshes = %d, want 1", got)
	}
}
