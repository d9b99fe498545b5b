package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ledger/domain"
	"ledger/reconcile"
)

func TestReconcilePage(t *testing.T) {
	type call struct {
		id    uint64
		since time.Time
	}
	calls := make(chan call, 4)
	f := setup(t, func(c *Config) {
		c.Reconcile = func(_ context.Context, id uint64, since time.Time) (*reconcile.Report, error) {
			calls <- call{id, since}
			return &reconcile.Report{BindingID: id, Invoices: 2, XeroCalls: 1, GeneratedAt: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC),
				Drift: []reconcile.Drift{{Kind: "invoice", MagentoNumber: "000000042", XeroNumber: "INV-42", Field: "total", MagentoValue: "27.60", XeroValue: "30.00", Action: "Correct it in Xero."}},
				Coverage: reconcile.Coverage{InvoicesSampled: 2,
					PaymentMethods: []reconcile.UnmappedMethod{{Method: "checkmo", Invoices: 1, Examples: []string{"000000042"}}}}}, nil
		}
	})
	alice := f.browser().login("alice@example.com")
	p := alice.get("/dashboard/bindings/10/reconcile")
	if p.code != http.StatusOK || !strings.Contains(p.body, "Run reconciliation") || !strings.Contains(p.body, `action="/dashboard/bindings/10/reconcile"`) {
		t.Fatalf("GET: %d\n%s", p.code, p.body)
	}
	select {
	case c := <-calls:
		t.Fatalf("GET ran a reconciliation: %+v", c)
	default:
	}

	p = alice.submit("/dashboard/bindings/10/reconcile", "/dashboard/bindings/10/reconcile", url.Values{"since": {"2026-05-01"}})
	if p.code != http.StatusOK {
		t.Fatalf("POST: %d\n%s", p.code, p.body)
	}
	if c := <-calls; c.id != 10 || !c.since.Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("reconciled %+v, want binding 10 since 2026-05-01", c)
	}
	for _, want := range []string{"000000042", "30.00", "Correct it in Xero.", "checkmo", "not paid in Xero automatically", "2 invoice(s)"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("report page lacks %q", want)
		}
	}

	// Without the CSRF token nothing runs.
	if p := alice.post("/dashboard/bindings/10/reconcile", url.Values{}); p.code != http.StatusForbidden {
		t.Errorf("POST without CSRF: %d, want 403", p.code)
	}
	// A bad date is refused before anything runs.
	if p := alice.submit("/dashboard/bindings/10/reconcile", "/dashboard/bindings/10/reconcile", url.Values{"since": {"soon"}}); p.code != http.StatusBadRequest || !strings.Contains(p.body, "not a date") {
		t.Errorf("bad since: %d", p.code)
	}
	// Bob may not see Alice's binding.
	bob := f.browser().login("bob@example.com")
	if p := bob.get("/dashboard/bindings/10/reconcile"); p.code != http.StatusNotFound {
		t.Errorf("bob GET alice's reconcile: %d, want 404", p.code)
	}
	if p := bob.submit("/dashboard/bindings/20/reconcile", "/dashboard/bindings/10/reconcile", nil); p.code != http.StatusNotFound {
		t.Errorf("bob POST alice's reconcile: %d, want 404", p.code)
	}
	select {
	case c := <-calls:
		t.Errorf("a refused request ran a reconciliation: %+v", c)
	default:
	}
}

func TestReconcileUnavailableAndFailing(t *testing.T) {
	f := setup(t)
	admin := f.browser().login("admin@example.com")
	if p := admin.get("/dashboard/bindings/10/reconcile"); p.code != http.StatusOK || !strings.Contains(p.body, "not available on this server") {
		t.Errorf("unwired: %d\n%s", p.code, p.body)
	}
	f = setup(t, func(c *Config) {
		c.Reconcile = func(context.Context, uint64, time.Time) (*reconcile.Report, error) {
			return nil, domain.Wrap(domain.EUnavailable, context.DeadlineExceeded, "Xero could not be read just now — try the reconciliation again in a few minutes.")
		}
	})
	admin = f.browser().login("admin@example.com")
	p := admin.submit("/dashboard/bindings/10/reconcile", "/dashboard/bindings/10/reconcile", nil)
	if p.code != http.StatusBadGateway || !strings.Contains(p.body, "try the reconciliation again") || strings.Contains(p.body, "deadline") {
		t.Errorf("failing: %d\n%s", p.code, p.body)
	}
}

// The binding page links to its reconciliation page.
func TestBindingPageLinksReconciliation(t *testing.T) {
	f := setup(t)
	p := f.browser().login("alice@example.com").get("/dashboard/bindings/10")
	if p.code != http.StatusOK || !strings.Contains(p.body, `<a href="/dashboard/bindings/10/reconcile">Reconciliation</a>`) {
		t.Errorf("binding page: %d, no Reconciliation link\n%s", p.code, p.body)
	}
}
