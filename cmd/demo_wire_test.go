package cmd

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento"
)

// The demo is wired by the App's DashboardConfig, exactly like serve: its
// hooks reach the emulated store and Xero through the App's own worker
// factories (no second wiring to drift).
func TestDemoStackUsesDashboardConfig(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	emu, err := startEmulators(log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, b64 := newKey(t)
	cfg := Config{DataDir: dataDir(t), PublicURL: "http://" + ln.Addr().String(), MagentoAllowPrivate: true}
	emu.configure(&cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := startDemoLedger(ctx, cfg, log, func(k string) (string, bool) { return b64, k == "LEDGER_MASTER_KEY" }, ln)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.close(log) })
	if err := connectDemo(ctx, st, emu, "a demo password"); err != nil {
		t.Fatal(err)
	}
	c := st.dcfg
	if c.Enqueued == nil || c.RetryRun == nil || c.Reconcile == nil || c.PaymentMethods == nil || c.XeroDeepLink == nil || c.Pair == nil || c.Xero == nil {
		t.Fatalf("demo dashboard hooks missing: %+v", c)
	}
	if err := st.app.Healthy(); err != nil {
		t.Errorf("demo App not healthy (its sync worker must run): %v", err)
	}
	tenant, _, _ := emu.mg.Credentials()

	// A working store lists its payment methods; an older module's 404 is
	// the ENotFound the settings page turns into free text.
	methods, err := c.PaymentMethods(ctx, tenant)
	if err != nil {
		t.Fatalf("PaymentMethods: %v", err)
	}
	codes := map[string]bool{}
	for _, m := range methods {
		codes[m.Code] = true
	}
	if !codes["checkmo"] {
		t.Errorf("payment methods %v lack checkmo", codes)
	}
	emu.mg.DisablePaymentMethods()
	if _, err := c.PaymentMethods(ctx, tenant); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("PaymentMethods after the 404 = %v, want ENotFound (%v)", err, magento.ErrNotSupported)
	}
	if _, err := c.PaymentMethods(ctx, "no-such-tenant"); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("unknown tenant: %v", err)
	}

	// Reconciliation runs against the emulated Xero (nothing synced yet).
	bs, err := st.app.DB.BindingsByTenant(tenant)
	if err != nil || len(bs) != 1 {
		t.Fatalf("bindings of the demo tenant: %v %d", err, len(bs))
	}
	rep, err := c.Reconcile(ctx, bs[0].ID, time.Time{})
	if err != nil || rep.BindingID != bs[0].ID || len(rep.Drift) != 0 {
		t.Errorf("Reconcile = %+v, %v; want an empty report of binding %d", rep, err, bs[0].ID)
	}
	if _, err := c.Reconcile(ctx, 999, time.Time{}); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("Reconcile of no binding: %v, want ENotFound", err)
	}
}

func TestXeroDeepLink(t *testing.T) {
	got := map[string]string{}
	for _, k := range []string{domain.XrefInvoice, domain.XrefCreditNote, domain.XrefContact, "payment"} {
		got[k] = xeroDeepLink(k, "9f5e6f84-0000-4000-8000-000000000001")
	}
	want := map[string]string{
		domain.XrefInvoice:    "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=9f5e6f84-0000-4000-8000-000000000001",
		domain.XrefCreditNote: "https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=9f5e6f84-0000-4000-8000-000000000001",
		domain.XrefContact:    "https://go.xero.com/Contacts/View/9f5e6f84-0000-4000-8000-000000000001",
		"payment":             "",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("deep links (-want +got):\n%s", d)
	}
	if l := xeroDeepLink(domain.XrefInvoice, ""); l != "" {
		t.Errorf("no id: %q", l)
	}
}
