package dashboard

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"ledger/domain"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const password = "correct horse battery staple"

type fixture struct {
	t     testing.TB
	st    *fakeStore
	clock *clock
	srv   *Server
	ts    *httptest.Server
	cfg   *Config
	calls chan string // hooks report what they were called with
}

// setup builds a server over a fake store holding an admin, two merchants
// (alice owns tenant-a and binding 10, bob owns tenant-b and binding 20) and
// runs of both. modify may set hooks on the config before New.
func setup(t testing.TB, modify ...func(*Config)) *fixture {
	t.Helper()
	st := newFakeStore()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, u := range []*domain.User{
		{ID: 1, Email: "admin@example.com", Role: domain.RoleAdmin},
		{ID: 2, Email: "alice@example.com", Role: domain.RoleMerchant},
		{ID: 3, Email: "bob@example.com", Role: domain.RoleMerchant},
	} {
		st.users[u.ID] = u
		st.hashes[u.Email] = hash
	}
	st.tenants["tenant-a"] = &domain.Tenant{ID: "tenant-a", MagentoURL: "https://alice-shop.example.com", MagentoStatus: domain.MagentoActive, OwnerID: 2}
	st.tenants["tenant-b"] = &domain.Tenant{ID: "tenant-b", MagentoURL: "https://bob-shop.example.com", MagentoStatus: domain.MagentoPending, OwnerID: 3}
	st.bindings[10] = &domain.Binding{ID: 10, TenantID: "tenant-a", Provider: "xero", Status: domain.BindingActive, XeroOrgName: "Alice Ltd", Policy: domain.DefaultPolicy()}
	st.bindings[20] = &domain.Binding{ID: 20, TenantID: "tenant-b", Provider: "xero", Status: domain.BindingPendingOAuth, Policy: domain.DefaultPolicy()}
	st.refs[10] = &domain.ReferenceCache{FetchedAt: now.Add(-5 * time.Minute),
		Accounts: []domain.Account{
			{AccountID: "acc-200", Code: "200", Name: "Sales", Type: "REVENUE", Status: "ACTIVE"},
			{AccountID: "bank-1", Code: "090", Name: "Business Bank", Type: "BANK", Status: "ACTIVE"},
		},
		TaxRates: []domain.TaxRate{{TaxType: "OUTPUT2", Name: "20% (VAT on Income)", EffectiveRate: "20.0000", Status: "ACTIVE"}}}
	st.runs[100] = &domain.SyncRun{ID: 100, TenantID: "tenant-a", BindingID: 10, Event: domain.EventInvoiceCreated, MagentoID: 42, MagentoNumber: "000000042",
		Status: domain.RunFailed, ErrorClass: domain.ClassValidation, ErrorMessage: "Xero says: Account code '999' is not valid.", CreatedAt: now.Add(-time.Hour),
		Timeline: []domain.RunStep{{At: now.Add(-time.Hour), Step: domain.StepReceived, OK: true}, {At: now.Add(-time.Hour), Step: domain.StepFailed, Detail: "validation"}}}
	st.runs[101] = &domain.SyncRun{ID: 101, TenantID: "tenant-a", BindingID: 10, Event: domain.EventInvoiceCreated, MagentoID: 43,
		Status: domain.RunSucceeded, XeroType: domain.XrefInvoice, XeroID: "inv-guid-43", XeroNumber: "INV-0043", CreatedAt: now.Add(-30 * time.Minute)}
	st.runs[200] = &domain.SyncRun{ID: 200, TenantID: "tenant-b", BindingID: 20, Event: domain.EventInvoicePaid, MagentoID: 42, Status: domain.RunFailed, CreatedAt: now}

	f := &fixture{t: t, st: st, clock: &clock{t: now}, calls: make(chan string, 10)}
	cfg := Config{Store: st, Now: f.clock.Now, PublicURL: "http://ledger.test",
		XeroDeepLink: func(kind, id string) string {
			return "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=" + id
		},
		RetryRun: func(_ context.Context, id uint64) error {
			f.calls <- "retry " + itoa(id)
			return nil
		},
		RefreshReference: func(_ context.Context, id uint64) error { f.calls <- "refresh " + itoa(id); return nil },
		DisconnectBinding: func(_ context.Context, id uint64) error {
			f.calls <- "disconnect " + itoa(id)
			return nil
		},
	}
	for _, m := range modify {
		m(&cfg)
	}
	f.cfg = &cfg
	if f.srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(f.srv.Handler())
	t.Cleanup(f.ts.Close)
	return f
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// browser is one visitor with their own cookie jar; it does not follow redirects.
type browser struct {
	f *fixture
	c *http.Client
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	code int
	body string
	h    http.Header
}

func (b *browser) get(path string) page {
	b.f.t.Helper()
	resp, err := b.c.Get(b.f.ts.URL + path)
	return b.read(resp, err)
}

func (b *browser) post(path string, form url.Values) page {
	b.f.t.Helper()
	resp, err := b.c.PostForm(b.f.ts.URL+path, form)
	return b.read(resp, err)
}

func (b *browser) read(resp *http.Response, err error) page {
	b.f.t.Helper()
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{code: resp.StatusCode, body: string(body), h: resp.Header}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the form on path.
func (b *browser) csrf(path string) string {
	b.f.t.Helper()
	p := b.get(path)
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		b.f.t.Fatalf("GET %s: no csrf token in %d page:\n%s", path, p.code, p.body)
	}
	return m[1]
}

// login logs the browser in as email and returns it.
func (b *browser) login(email string) *browser {
	b.f.t.Helper()
	p := b.post("/login", url.Values{"csrf": {b.csrf("/login")}, "email": {email}, "password": {password}})
	if p.code != http.StatusSeeOther {
		b.f.t.Fatalf("login %s: status %d:\n%s", email, p.code, p.body)
	}
	return b
}

// submit posts form to path with the CSRF token of the page at from.
func (b *browser) submit(from, path string, form url.Values) page {
	b.f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf(from))
	return b.post(path, form)
}
