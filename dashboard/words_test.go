package dashboard

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

// TestWordsForCodes: every code a page shows — event, run status, skip
// reason, timeline step, Magento connection state — has words of its own,
// never the snake_case code.
func TestWordsForCodes(t *testing.T) {
	tests := []struct {
		code string
		f    func(string) string
		want string // a part of the words
	}{
		{domain.EventInvoiceCreated, eventLabel, "Invoice created"},
		{domain.EventInvoicePaid, eventLabel, "Invoice paid"},
		{domain.EventCreditmemoCreated, eventLabel, "Credit memo created"},
		{domain.EventCustomerUpserted, eventLabel, "Customer saved"},
		{string(domain.RunSkipped), func(s string) string { return runStatusLabel(domain.RunStatus(s)) }, "skipped"},
		{string(domain.RunDeadLettered), func(s string) string { return runStatusLabel(domain.RunStatus(s)) }, "gave up"},
		{string(domain.RunSkipped), func(s string) string { return runStatusOption(domain.RunStatus(s)) }, "skipped by the settings"},
		{string(domain.RunDeadLettered), func(s string) string { return runStatusOption(domain.RunStatus(s)) }, "gave up after retries"},
		{domain.SkipUnpaidInvoice, skipReasonText, "“Sync unpaid invoices”"},
		{domain.SkipZeroValueInvoice, skipReasonText, "“Sync zero-value invoices”"},
		{domain.SkipOutsideSyncSince, skipReasonText, "“Sync documents created since”"},
		{domain.SkipWebsiteFiltered, skipReasonText, "“Only these Magento website ids”"},
		{domain.SkipStoreFiltered, skipReasonText, "“Only these Magento store ids”"},
		{domain.SkipPaymentMethodNotMapped, skipReasonText, "“Payment-method routing”"},
		{domain.SkipNotHandledEvent, skipReasonText, "nothing to do"},
		{"some_new_reason", skipReasonText, "some new reason"},
		{domain.StepReceived, stepLabel, "Received from Magento"},
		{domain.StepFetched, stepLabel, "Read from Magento"},
		{domain.StepPosted, stepLabel, "Posted to Xero"},
		{domain.StepMirrored, stepLabel, "Result sent back to Magento"},
		{domain.StepRetry, stepLabel, "Retry requested"},
		{string(domain.MagentoActive), func(s string) string { return magentoStatusLabel(domain.MagentoStatus(s)) }, "Connected"},
		{string(domain.MagentoPending), func(s string) string { return magentoStatusLabel(domain.MagentoStatus(s)) }, "check that the store is online"},
		{string(domain.MagentoTokenRevoked), func(s string) string { return magentoStatusLabel(domain.MagentoStatus(s)) }, "pair again"},
	}
	for _, tt := range tests {
		got := tt.f(tt.code)
		if !strings.Contains(got, tt.want) || strings.Contains(strings.SplitN(got, "(", 2)[0], "_") {
			t.Errorf("words for %q = %q, want %q in it and no snake_case code", tt.code, got, tt.want)
		}
	}
	// The everyday statuses keep their word: filters, the CLI and the
	// tests that wait for "succeeded" use it.
	for _, st := range []domain.RunStatus{domain.RunQueued, domain.RunRunning, domain.RunSucceeded, domain.RunFailed} {
		if got := runStatusLabel(st); got != string(st) {
			t.Errorf("runStatusLabel(%s) = %q, want the status word", st, got)
		}
	}
}

func TestFieldMessage(t *testing.T) {
	for _, tt := range []struct{ key, msg, want string }{
		{"default_xero_payment_terms_days", "default_xero_payment_terms_days: 999 days is outside 0–365 — use a whole number in that range",
			"999 days is outside 0–365 — use a whole number in that range"},
		{"invoice_number_prefix", "invoice_number_prefix: longer than 10 characters", "Longer than 10 characters"},
		{"invoice_number_prefix", "Longer than 10 characters", "Longer than 10 characters"}, // no key: as it is
		{"a", "b: c", "b: c"}, // another key: as it is
		{"a", "a: ", "a: "},   // nothing after the key: as it is
	} {
		if got := fieldMessage(tt.key, tt.msg); got != tt.want {
			t.Errorf("fieldMessage(%q, %q) = %q, want %q", tt.key, tt.msg, got, tt.want)
		}
	}
}

var titleRE = regexp.MustCompile(`<title>([^<]*)</title>`)

// TestPageTitles: every page has a <title> of its own, naming the store
// where the page is about one, so browser tabs and history tell them apart.
func TestPageTitles(t *testing.T) {
	f := setup(t)
	alice := f.browser().login("alice@example.com")
	want := map[string]string{
		"/dashboard":                               "Home · ledger",
		"/dashboard/bindings":                      "Connections · ledger",
		"/dashboard/bindings/10":                   "alice-shop.example.com ↔ Xero · ledger",
		"/dashboard/bindings/10/settings":          "Settings · alice-shop.example.com · ledger",
		"/dashboard/bindings/10/disconnect":        "Disconnect alice-shop.example.com · ledger",
		"/dashboard/bindings/10/reconcile":         "Reconciliation · alice-shop.example.com · ledger",
		"/dashboard/sync":                          "Sync history · ledger",
		"/dashboard/sync/100":                      "Sync run #100 · Invoice created · ledger",
		"/dashboard/connect-magento?provider=xero": "Pair your Magento store · ledger",
	}
	got := map[string]string{}
	for path := range want {
		p := alice.get(path)
		if m := titleRE.FindStringSubmatch(p.body); p.code == http.StatusOK && m != nil {
			got[path] = m[1]
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("page titles (-want +got):\n%s", d)
	}
}

// TestPagesSpeakPlainly: the pages show words, not codes — a skipped run
// says why and which setting to change, the Magento connection reads
// "Connected" or what to do, and the connection page's "Last sync" (the
// last document synced to Xero) is the home tile's.
func TestPagesSpeakPlainly(t *testing.T) {
	f := setup(t)
	f.st.runs[102] = &domain.SyncRun{ID: 102, TenantID: "tenant-a", BindingID: 10, Event: domain.EventInvoiceCreated, MagentoID: 44,
		Status: domain.RunSkipped, SkipReason: domain.SkipUnpaidInvoice, CreatedAt: f.clock.Now().Add(-2 * time.Minute)}
	synced := f.clock.Now().Add(-10 * time.Minute)
	f.st.bindings[10].LastSyncAt = &synced
	alice := f.browser().login("alice@example.com")
	bob := f.browser().login("bob@example.com")
	for _, tt := range []struct {
		b           *browser
		path        string
		want, avoid []string
	}{
		{alice, "/dashboard/sync", []string{"Invoice created", ">skipped<", "tick “Sync unpaid invoices” in the settings", `<option value="skipped_by_policy">skipped by the settings (skipped_by_policy)</option>`},
			[]string{">invoice.created<", "unpaid_invoice", ">skipped_by_policy<"}},
		{alice, "/dashboard/sync/102", []string{"Skipped because", "tick “Sync unpaid invoices”"}, []string{"unpaid_invoice"}},
		{alice, "/dashboard/bindings/10", []string{"<dd>Connected</dd>", "<dt>Last sync</dt><dd>10 minutes ago</dd>"}, []string{"<dd>active</dd>", "<dt>Binding</dt>"}},
		{alice, "/dashboard", []string{"<dt>Last sync</dt><dd>10 minutes ago</dd>"}, nil},
		{bob, "/dashboard/bindings/20", []string{"Not confirmed yet"}, []string{"<dd>pending</dd>"}},
		{alice, "/dashboard/bindings", []string{"<h1>Connections</h1>", ">Connections</a>"}, []string{">Bindings<"}},
	} {
		p := tt.b.get(tt.path)
		if p.code != http.StatusOK {
			t.Errorf("GET %s: %d", tt.path, p.code)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(p.body, w) {
				t.Errorf("GET %s lacks %q", tt.path, w)
			}
		}
		for _, a := range tt.avoid {
			if strings.Contains(p.body, a) {
				t.Errorf("GET %s shows %q", tt.path, a)
			}
		}
	}
}

// TestErrorsTiedToFields: a refused setting's message sits under its
// field without the policy key, and the input names its hint and its
// error in aria-describedby; the summary says nothing was saved. A wrong
// password marks both inputs and points them at the message.
func TestErrorsTiedToFields(t *testing.T) {
	f := setup(t)
	alice := f.browser().login("alice@example.com")
	p := alice.submit("/dashboard/bindings/10/settings", "/dashboard/bindings/10/settings", url.Values{"default_xero_payment_terms_days": {"999"}})
	for _, want := range []string{
		`aria-invalid="true" aria-describedby="h-default_xero_payment_terms_days e-default_xero_payment_terms_days"`,
		`<p class="hint" id="h-default_xero_payment_terms_days">Empty means 14.</p>`,
		`<span class="field-error" id="e-default_xero_payment_terms_days">999 days`,
		`<span class="code">(out_of_range)</span>`,
		"Nothing was saved: 1 setting needs fixing.",
		`<li><a href="#f-default_xero_payment_terms_days">Payment terms (days)</a>: 999 days`, // the summary links to the field
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("settings with terms 999 lack %q", want)
		}
	}
	if strings.Contains(p.body, "default_xero_payment_terms_days:") {
		t.Error("the field's error starts with the policy key")
	}
	// Unchanged fields name only their hint.
	if !strings.Contains(p.body, `name="invoice_number_prefix" value="" aria-describedby="h-invoice_number_prefix">`) {
		t.Error("the prefix input does not name its hint")
	}

	b := f.browser()
	p = b.post("/login", url.Values{"csrf": {b.csrf("/login")}, "email": {"alice@example.com"}, "password": {"nope"}})
	if n := strings.Count(p.body, `aria-invalid="true" aria-describedby="login-error"`); n != 2 || !strings.Contains(p.body, `id="login-error"`) {
		t.Errorf("wrong password: %d inputs point at the error, want 2:\n%s", n, p.body)
	}
}

// TestBindingPageNextSteps: the connection page offers what works in its
// state and says what to do next — a disconnected one how to sync again,
// one without Xero no Refresh or Reconciliation that could only fail.
func TestBindingPageNextSteps(t *testing.T) {
	f := setup(t)
	f.st.bindings[30] = &domain.Binding{ID: 30, TenantID: "tenant-a", Provider: "xero", Status: domain.BindingRevoked, XeroOrgName: "Old Ltd", Policy: domain.DefaultPolicy()}
	f.st.bindings[40] = &domain.Binding{ID: 40, TenantID: "tenant-a", Provider: "xero", Status: domain.BindingNeedsReauth, XeroOrgName: "Alice Ltd", Policy: domain.DefaultPolicy()}
	alice := f.browser().login("alice@example.com")
	bob := f.browser().login("bob@example.com")
	refresh, reconcile, disconnect := "/reference/refresh", "/reconcile", `/disconnect">Disconnect…</a>`
	for _, tt := range []struct {
		name        string
		b           *browser
		path        string
		want, avoid []string
	}{
		{"active", alice, "/dashboard/bindings/10", []string{refresh, reconcile, disconnect}, []string{"banner"}},
		{"pending", bob, "/dashboard/bindings/20", []string{"Xero not connected yet", "Connect Xero to read them.", disconnect}, []string{refresh, reconcile}},
		{"revoked", alice, "/dashboard/bindings/30", []string{"Disconnected: nothing new is sent to Xero.", `<a href="/dashboard/connect-xero?binding=30">Reconnect Xero</a> to sync this store again`},
			[]string{refresh, reconcile, disconnect}},
		{"needs re-auth", alice, "/dashboard/bindings/40", []string{"nothing syncs until you do", `<a href="/dashboard/connect-xero?binding=40">Reconnect Xero</a>`, disconnect}, []string{refresh}},
		{"home tile of needs re-auth", alice, "/dashboard", []string{`Xero sign-in expired</span> <a href="/dashboard/connect-xero?binding=40">Reconnect Xero</a>`}, []string{"Needs re-auth"}},
	} {
		p := tt.b.get(tt.path)
		if p.code != http.StatusOK {
			t.Errorf("%s: GET %s: %d", tt.name, tt.path, p.code)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(p.body, w) {
				t.Errorf("%s: GET %s lacks %q", tt.name, tt.path, w)
			}
		}
		for _, a := range tt.avoid {
			if strings.Contains(p.body, a) {
				t.Errorf("%s: GET %s shows %q", tt.name, tt.path, a)
			}
		}
	}
}

// TestEmbedPointsToTheDashboard: the history inside Magento's admin says
// where failed documents are retried — the dashboard, in a new tab, since
// the dashboard refuses to be framed.
func TestEmbedPointsToTheDashboard(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	f.webhook("invoice.created", envelope42, "invoice.created:42")
	path := "/embed/" + f.tenant.ID
	body := newJarless(t, f.ts.URL).login(path, "merchant@example.com").do("GET", path, nil).body
	for _, want := range []string{`<a href="/dashboard/sync" target="_blank" rel="noopener">Open the ledger dashboard</a>`, ">Invoice created<"} {
		if !strings.Contains(body, want) {
			t.Errorf("embed lacks %q:\n%s", want, body)
		}
	}
}
