package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"ledger/domain"
	"ledger/magento"
)

func TestSecurityHeaders(t *testing.T) {
	f := setup(t)
	b := f.browser()
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
		"X-Content-Type-Options":  "nosniff",
	}
	for _, path := range []string{"/login", "/dashboard", "/healthz", "/static/app.css", "/nope"} {
		p := b.get(path)
		got := map[string]string{}
		for k := range want {
			got[k] = p.h.Get(k)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("GET %s headers (-want +got):\n%s", path, d)
		}
		if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " onclick=") || strings.Contains(p.body, "style=") {
			t.Errorf("GET %s has inline script or style", path)
		}
	}
}

func TestFramableOptsOut(t *testing.T) {
	h := securityHeaders(false, framable(func(*http.Request) string { return "https://shop.example.com" }, http.NotFoundHandler()))
	rec := newRecorder(h, "/embed/x")
	if got := rec.Header().Get("X-Frame-Options"); got != "" {
		t.Errorf("X-Frame-Options = %q, want none", got)
	}
	if got, want := rec.Header().Get("Content-Security-Policy"), cspWithoutFrameGuard+"; frame-ancestors https://shop.example.com"; got != want {
		t.Errorf("CSP = %q, want %q", got, want)
	}
}

func TestNewFailsOnMissingTemplate(t *testing.T) {
	fsys := fstest.MapFS{"layout.html": {Data: []byte(`{{define "layout"}}{{template "content" .}}{{end}}`)}}
	if _, err := parsePagesFrom(fsys); err == nil {
		t.Fatal("parsePagesFrom with only a layout succeeded")
	}
}

// TestTenantIsolation: every route × two merchants; the other merchant's
// objects answer 404, the admin sees everything.
func TestTenantIsolation(t *testing.T) {
	type req struct{ method, path string }
	aliceOnly := []req{
		{"GET", "/dashboard/bindings/10"}, {"GET", "/dashboard/bindings/10/settings"}, {"POST", "/dashboard/bindings/10/settings"},
		{"GET", "/dashboard/bindings/10/disconnect"}, {"POST", "/dashboard/bindings/10/disconnect"}, {"POST", "/dashboard/bindings/10/reference/refresh"},
		{"GET", "/dashboard/sync/100"}, {"POST", "/dashboard/sync/100/retry"}, {"GET", "/dashboard/sync?binding=10"},
	}
	bobOnly := []req{
		{"GET", "/dashboard/bindings/20"}, {"GET", "/dashboard/bindings/20/settings"}, {"POST", "/dashboard/bindings/20/settings"},
		{"GET", "/dashboard/bindings/20/disconnect"}, {"POST", "/dashboard/bindings/20/disconnect"}, {"POST", "/dashboard/bindings/20/reference/refresh"},
		{"GET", "/dashboard/sync/200"}, {"POST", "/dashboard/sync/200/retry"}, {"GET", "/dashboard/sync?binding=20"},
	}
	do := func(b *browser, r req) int {
		if r.method == "GET" {
			return b.get(r.path).code
		}
		return b.submit("/dashboard", r.path, url.Values{"confirm": {"no"}}).code
	}
	f := setup(t)
	users := map[string]*browser{}
	for _, u := range []string{"alice", "bob", "admin"} {
		users[u] = f.browser().login(u + "@example.com")
	}
	for _, tt := range []struct {
		who          string
		own, foreign []req
	}{{"alice", aliceOnly, bobOnly}, {"bob", bobOnly, aliceOnly}, {"admin", append(aliceOnly, bobOnly...), nil}} {
		for _, r := range tt.own {
			if code := do(users[tt.who], r); code == http.StatusNotFound || code == http.StatusForbidden {
				t.Errorf("%s %s %s: %d, want access", tt.who, r.method, r.path, code)
			}
		}
		for _, r := range tt.foreign {
			if code := do(users[tt.who], r); code != http.StatusNotFound {
				t.Errorf("%s %s %s: %d, want 404", tt.who, r.method, r.path, code)
			}
		}
	}
	drain(f)
	// Lists show only one's own.
	for who, tt := range map[string]struct{ want, not []string }{
		"alice": {[]string{"alice-shop.example.com"}, []string{"bob-shop.example.com"}},
		"bob":   {[]string{"bob-shop.example.com"}, []string{"alice-shop.example.com"}},
		"admin": {[]string{"alice-shop.example.com", "bob-shop.example.com"}, nil},
	} {
		for _, path := range []string{"/dashboard", "/dashboard/bindings", "/dashboard/sync"} {
			body := users[who].get(path).body
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("%s GET %s: %q missing", who, path, s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(body, s) {
					t.Errorf("%s GET %s: shows %q", who, path, s)
				}
			}
		}
	}
	if body := users["alice"].get("/dashboard/sync").body; strings.Contains(body, "#200") {
		t.Error("alice's sync history shows bob's run 200")
	}
}

func drain(f *fixture) {
	for {
		select {
		case <-f.calls:
		default:
			return
		}
	}
}

func TestHome(t *testing.T) {
	f := setup(t)
	bob := f.browser().login("bob@example.com").get("/dashboard")
	for _, want := range []string{"Connect your Xero account", `href="/dashboard/connect-xero?binding=20"`, "<svg", "Last 30 days"} {
		if !strings.Contains(bob.body, want) {
			t.Errorf("bob's home lacks %q", want)
		}
	}
	f.st.users[4] = &domain.User{ID: 4, Email: "new@example.com", Role: domain.RoleMerchant}
	f.st.hashes["new@example.com"] = f.st.hashes["bob@example.com"]
	fresh := f.browser().login("new@example.com").get("/dashboard")
	if !strings.Contains(fresh.body, "Pair your Magento store") || !strings.Contains(fresh.body, `href="/dashboard/connect-magento?provider=xero"`) {
		t.Errorf("a merchant with no store is not prompted to pair:\n%s", fresh.body)
	}
	alice := f.browser().login("alice@example.com").get("/dashboard")
	for _, want := range []string{"alice-shop.example.com", "Alice Ltd", "Failed in 24 h", `status=failed`} {
		if !strings.Contains(alice.body, want) {
			t.Errorf("alice's home lacks %q", want)
		}
	}
}

func TestBindingPage(t *testing.T) {
	f := setup(t)
	bob := f.browser().login("bob@example.com").get("/dashboard/bindings/20")
	if !strings.Contains(bob.body, "Xero not connected yet") {
		t.Errorf("pending binding lacks the banner")
	}
	alice := f.browser().login("alice@example.com")
	if p := alice.get("/dashboard/bindings/10"); strings.Contains(p.body, "Xero not connected yet") || !strings.Contains(p.body, "Updated 5 minutes ago") {
		t.Errorf("active binding page:\n%s", p.body)
	}
	if p := alice.get("/dashboard/bindings"); !strings.Contains(p.body, "Magento alice-shop.example.com ↔ Xero Alice Ltd") {
		t.Errorf("bindings list:\n%s", p.body)
	}
	if p := alice.submit("/dashboard/bindings/10", "/dashboard/bindings/10/reference/refresh", nil); p.code != http.StatusOK || !strings.Contains(p.body, "Accounts and tax rates refreshed from Xero.") {
		t.Errorf("refresh: %d", p.code)
	}
	if got := <-f.calls; got != "refresh 10" {
		t.Errorf("hook call %q", got)
	}
	confirm := alice.submit("/dashboard/bindings/10", "/dashboard/bindings/10/disconnect", nil)
	if !strings.Contains(confirm.body, "What gets removed") || !strings.Contains(confirm.body, "What stays") {
		t.Fatalf("disconnect without confirm shows no confirmation:\n%s", confirm.body)
	}
	if p := alice.submit("/dashboard/bindings/10/disconnect", "/dashboard/bindings/10/disconnect", url.Values{"confirm": {"yes"}}); p.code != http.StatusSeeOther {
		t.Errorf("disconnect: %d", p.code)
	}
	if got := <-f.calls; got != "disconnect 10" {
		t.Errorf("hook call %q", got)
	}
}

func TestHooksUnavailable(t *testing.T) {
	f := setup(t, func(c *Config) { c.RefreshReference, c.DisconnectBinding, c.RetryRun, c.Pair = nil, nil, nil, nil })
	b := f.browser().login("alice@example.com")
	for path, want := range map[string]string{
		"/dashboard/bindings/10/reference/refresh": "ledger reference refresh",
		"/dashboard/sync/100/retry":                "ledger sync retry",
		"/dashboard/connect-magento":               "ledger binding pair",
	} {
		p := b.submit("/dashboard", path, url.Values{"magento_url": {"https://x.example"}, "code": {"abc"}})
		if !strings.Contains(p.body, want) {
			t.Errorf("POST %s: %d, lacks %q", path, p.code, want)
		}
	}
}

func TestConnectMagento(t *testing.T) {
	var got PairInput
	f := setup(t, func(c *Config) {
		c.Pair = func(_ context.Context, in PairInput) (PairResult, error) {
			got = in
			if in.Code != "deadbeefcafef00d0123456789abcdef" {
				return PairResult{}, domain.Errorf(domain.EInvalid, "Magento says the pairing code is invalid or expired — generate a new one and try again.")
			}
			return PairResult{TenantID: "tenant-c", BindingID: 30}, nil
		}
	})
	b := f.browser().login("alice@example.com")
	form := b.get("/dashboard/connect-magento?provider=xero")
	for _, want := range []string{"Stores → Configuration → Byte8 → Xero", "Generate Pairing Code", `for="magento_url"`, `for="code"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	bad := b.submit("/dashboard/connect-magento", "/dashboard/connect-magento?provider=xero", url.Values{"magento_url": {"https://shop.example"}, "code": {"nottherealcode"}})
	if bad.code != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "generate a new one") || strings.Contains(bad.body, "nottherealcode") {
		t.Errorf("bad code: %d:\n%s", bad.code, bad.body)
	}
	ok := b.submit("/dashboard/connect-magento", "/dashboard/connect-magento?provider=xero", url.Values{"magento_url": {"https://shop.example"}, "code": {" DEADBEEFCAFEF00D0123456789ABCDEF "}})
	if ok.code != http.StatusSeeOther || ok.h.Get("Location") != "/dashboard/bindings/30" {
		t.Errorf("good code: %d %q", ok.code, ok.h.Get("Location"))
	}
	if got.Owner == nil || got.Owner.ID != 2 || got.MagentoURL != "https://shop.example" {
		t.Errorf("Pair got %+v", got)
	}
}

func TestSettings(t *testing.T) {
	methods := func(context.Context, string) ([]magento.PaymentMethod, error) {
		l := "Check / Money order"
		return []magento.PaymentMethod{{Code: "checkmo", Label: &l, IsActive: true}, {Code: "stripe"}}, nil
	}
	f := setup(t, func(c *Config) { c.PaymentMethods = methods })
	b := f.browser().login("alice@example.com")
	page := b.get("/dashboard/bindings/10/settings")
	for _, want := range []string{"Sync behaviour", "Default mappings and Xero defaults", "Payment-method routing", "Invoices and contacts in Xero", "Tax-rate map", "Rounding and adjustment accounts",
		"Check / Money order (checkmo)", `value="200"`, "200 — Sales", "Business Bank", "Don&#39;t auto-pay"} {
		if !strings.Contains(page.body, want) && !strings.Contains(page.body, strings.ReplaceAll(want, "&#39;", "'")) {
			t.Errorf("settings page lacks %q", want)
		}
	}
	t.Run("invalid fields are shown with their code and nothing is saved", func(t *testing.T) {
		p := b.submit("/dashboard/bindings/10/settings", "/dashboard/bindings/10/settings", url.Values{
			"sync_unpaid_invoices":              {"true"},
			"default_xero_revenue_account_code": {"999"},
			"default_xero_payment_terms_days":   {"9999"},
			"website_filter":                    {"1, two"},
			"invoice_number_prefix":             {"MAG-"},
		})
		if p.code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", p.code)
		}
		for _, want := range []string{"(not_in_reference)", "(out_of_range)", "(invalid_format)", `value="1, two"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("error page lacks %q", want)
			}
		}
		if got := f.st.bindings[10].Policy.InvoiceNumberPrefix; got != "" {
			t.Errorf("prefix saved despite errors: %q", got)
		}
	})
	t.Run("a valid save persists", func(t *testing.T) {
		p := b.submit("/dashboard/bindings/10/settings", "/dashboard/bindings/10/settings", url.Values{
			"sync_zero_value_invoices":          {"true"},
			"default_xero_revenue_account_code": {"200"},
			"default_xero_tax_type":             {"OUTPUT2"},
			"default_bank_account_id":           {"bank-1"},
			"pm:checkmo":                        {"none"},
			"pm:stripe":                         {"bank-1"},
			"invoice_number_prefix":             {"MAG-"},
			"default_xero_payment_terms_days":   {"30"},
			"tr_rate_0":                         {"20"},
			"tr_type_0":                         {"OUTPUT2"},
			"website_filter":                    {"1, 2"},
		})
		if p.code != http.StatusOK || !strings.Contains(p.body, "Settings saved.") {
			t.Fatalf("status %d:\n%s", p.code, p.body)
		}
		got := f.st.bindings[10].Policy
		bank := "bank-1"
		days := 30
		want := domain.DefaultPolicy()
		want.SyncUnpaidInvoices = false
		want.DefaultRevenueAccountCode, want.DefaultTaxType, want.DefaultBankAccountID = "200", "OUTPUT2", "bank-1"
		want.PaymentMethodMap = map[string]*string{"checkmo": nil, "stripe": &bank}
		want.InvoiceNumberPrefix, want.PaymentTermsDays = "MAG-", &days
		want.TaxRateMap = map[string]string{"20.00": "OUTPUT2"}
		want.WebsiteFilter = []int64{1, 2}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("saved policy (-want +got):\n%s", d)
		}
	})
	t.Run("a stale reference shows as missing and is kept when untouched", func(t *testing.T) {
		f.st.refs[10].Accounts = f.st.refs[10].Accounts[1:] // account 200 deleted in Xero
		p := b.get("/dashboard/bindings/10/settings")
		if !strings.Contains(p.body, "(missing) 200") {
			t.Fatalf("no (missing) marker")
		}
		p = b.submit("/dashboard/bindings/10/settings", "/dashboard/bindings/10/settings", url.Values{
			"default_xero_revenue_account_code": {"200"}, "invoice_number_prefix": {"M-"}, "pm:checkmo": {"none"}, "pm:stripe": {"bank-1"},
			"default_xero_tax_type": {"OUTPUT2"}, "default_bank_account_id": {"bank-1"}, "tr_rate_0": {"20.00"}, "tr_type_0": {"OUTPUT2"}, "default_xero_payment_terms_days": {"30"}, "website_filter": {"1,2"},
		})
		if p.code != http.StatusOK {
			t.Fatalf("status %d:\n%s", p.code, p.body)
		}
		if got := f.st.bindings[10].Policy.InvoiceNumberPrefix; got != "M-" {
			t.Errorf("prefix = %q", got)
		}
	})
}

func TestSyncList(t *testing.T) {
	f := setup(t)
	admin := f.browser().login("admin@example.com")
	tests := []struct {
		query      string
		want, not  []string
		wantFilter RunFilter
	}{
		{"", []string{"#100", "#101", "#200"}, nil, RunFilter{Limit: syncPageSize + 1}},
		{"?status=failed", []string{"#100", "#200"}, []string{"#101"}, RunFilter{Status: domain.RunFailed, Limit: syncPageSize + 1}},
		{"?binding=10", []string{"#100", "#101"}, []string{"#200"}, RunFilter{BindingID: 10, Limit: syncPageSize + 1}},
		{"?magento_id=42", []string{"#100", "#200"}, []string{"#101"}, RunFilter{MagentoID: 42, Limit: syncPageSize + 1}},
		{"?magento_id=abc", []string{"whole number"}, nil, RunFilter{Limit: syncPageSize + 1}},
		{"?before=101", []string{"#100"}, []string{"#101", "#200"}, RunFilter{BeforeID: 101, Limit: syncPageSize + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := admin.get("/dashboard/sync" + tt.query)
			for _, s := range tt.want {
				if !strings.Contains(p.body, s) {
					t.Errorf("lacks %q", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(p.body, s) {
					t.Errorf("shows %q", s)
				}
			}
			if d := cmp.Diff(tt.wantFilter, f.st.lastRunFilter); d != "" {
				t.Errorf("filter (-want +got):\n%s", d)
			}
		})
	}
	alice := f.browser().login("alice@example.com")
	p := alice.get("/dashboard/sync")
	if d := cmp.Diff([]string{"tenant-a"}, f.st.lastRunFilter.TenantIDs); d != "" || f.st.lastRunFilter.TenantID != "" {
		t.Errorf("merchant query not scoped to their tenant: %+v", f.st.lastRunFilter)
	}
	for _, want := range []string{"https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=inv-guid-43", "INV-0043", "Account code &#39;999&#39; is not valid", `action="/dashboard/sync/100/retry"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("alice's history lacks %q", want)
		}
	}
	if strings.Contains(p.body, `/dashboard/sync/101/retry`) {
		t.Error("a succeeded run offers Retry")
	}
	run := alice.get("/dashboard/sync/100")
	for _, want := range []string{"Timeline", "Received from Magento", "Do what the error says", "Account code &#39;999&#39; is not valid", "<title>Sync run #100 · Invoice created · ledger</title>"} {
		if !strings.Contains(run.body, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	// The error class is for the log, not the merchant.
	if strings.Contains(run.body, "(validation)") {
		t.Error("run page shows the raw error class (validation)")
	}
	if r := alice.submit("/dashboard/sync/100", "/dashboard/sync/100/retry", nil); r.code != http.StatusSeeOther {
		t.Errorf("retry: %d", r.code)
	}
	// Run 100 failed validation: the reference data is rebuilt first, so a
	// fix just made in Xero is seen by the retry.
	for _, want := range []string{"refresh 10", "retry 100"} {
		if got := <-f.calls; got != want {
			t.Errorf("hook call %q, want %q", got, want)
		}
	}
}

func TestSyncListPaging(t *testing.T) {
	f := setup(t)
	for i := uint64(1); i <= syncPageSize+5; i++ {
		f.st.runs[1000+i] = &domain.SyncRun{ID: 1000 + i, TenantID: "tenant-a", BindingID: 10, Status: domain.RunSucceeded, Event: domain.EventInvoiceCreated, CreatedAt: f.clock.Now()}
	}
	p := f.browser().login("alice@example.com").get("/dashboard/sync?binding=10")
	if !strings.Contains(p.body, "before=1006") || strings.Contains(p.body, "#1005<") {
		t.Errorf("paging link missing or page too long")
	}
}

// A merchant who owns several stores gets full pages of their own runs even
// when other tenants' runs are newer and far more numerous.
func TestSyncListSeveralStoresFullPages(t *testing.T) {
	f := setup(t)
	f.st.tenants["tenant-c"] = &domain.Tenant{ID: "tenant-c", MagentoURL: "https://alice-outlet.example.com", MagentoStatus: domain.MagentoActive, OwnerID: 2}
	f.st.bindings[30] = &domain.Binding{ID: 30, TenantID: "tenant-c", Provider: "xero", Status: domain.BindingActive, Policy: domain.DefaultPolicy()}
	now := f.clock.Now()
	for i := uint64(1); i <= syncPageSize; i++ { // alice's two stores, interleaved
		tenant, binding := "tenant-a", uint64(10)
		if i%2 == 0 {
			tenant, binding = "tenant-c", 30
		}
		f.st.runs[1000+i] = &domain.SyncRun{ID: 1000 + i, TenantID: tenant, BindingID: binding, Status: domain.RunSucceeded, Event: domain.EventInvoiceCreated, CreatedAt: now}
	}
	for i := uint64(1); i <= 3*syncPageSize; i++ { // bob's, all newer
		f.st.runs[5000+i] = &domain.SyncRun{ID: 5000 + i, TenantID: "tenant-b", BindingID: 20, Status: domain.RunSucceeded, Event: domain.EventInvoiceCreated, CreatedAt: now}
	}
	p := f.browser().login("alice@example.com").get("/dashboard/sync")
	if got := strings.Count(p.body, `href="/dashboard/sync/10`); got < syncPageSize {
		t.Errorf("alice's first page lists %d of her runs, want a full page of %d", got, syncPageSize)
	}
	if strings.Contains(p.body, "/dashboard/sync/50") {
		t.Error("alice's page shows bob's runs")
	}
	if d := cmp.Diff([]string{"tenant-a", "tenant-c"}, f.st.lastRunFilter.TenantIDs, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
		t.Errorf("tenants asked for (-want +got):\n%s", d)
	}
}
