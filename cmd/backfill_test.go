package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento/magentotest"
	"ledger/store"
)

// shopEnv is a data dir with one tenant paired to a fake Magento holding
// the standard fixtures, its binding's policy set by policy.
type shopEnv struct {
	dir string
	env map[string]string
	key []byte
	mg  *magentotest.Magento
	b   *domain.Binding
}

func newShopEnv(t *testing.T, policy func(*domain.Policy)) shopEnv {
	t.Helper()
	key, b64 := newKey(t)
	s := shopEnv{dir: dataDir(t), key: key, env: map[string]string{"LEDGER_MASTER_KEY": b64}}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	s.mg = magentotest.New(t)
	s.mg.LoadFixtures()
	db := s.open(t)
	defer db.Close()
	const apiKey = "byte8_lk_backfill-test-0123456789abcdef0123456789"
	tn := &domain.Tenant{ID: "tenant-backfill", MagentoURL: s.mg.URL(), MagentoStatus: domain.MagentoActive}
	b := &domain.Binding{Provider: domain.ProviderXero}
	if err := db.CreatePairing(tn, apiKey, b); err != nil {
		t.Fatal(err)
	}
	s.mg.SetCredentials(tn.ID, apiKey, "http://ledger.test")
	var err error
	s.b, err = db.UpdateBinding(b.ID, func(b *domain.Binding) error {
		b.Status = domain.BindingActive
		if policy != nil {
			policy(&b.Policy)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s shopEnv) open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(s.dir, dbFileName), s.key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func (s shopEnv) run(t *testing.T, args ...string) result {
	t.Helper()
	return mustRun(t, invocation{args: append(args, "--data-dir", s.dir, "--magento-allow-private"), env: s.env})
}

func since2020(p *domain.Policy) {
	d := "2020-01-01"
	p.SyncSince = &d
}

func TestBackfillDryRun(t *testing.T) {
	s := newShopEnv(t, since2020)
	sum := fileSum(t, filepath.Join(s.dir, dbFileName))
	r := s.run(t, "sync", "backfill", "1", "--invoices", "1-50", "--creditmemos", "1-10", "--dry-run", "--json", "--xero-daily-budget", "2")
	var got backfillResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	want := backfillResult{
		BindingID: 1, DryRun: true,
		Invoices: kindTally{Scanned: 50, Gaps: 47, Queued: 2, Skipped: map[string]int{domain.SkipOutsideSyncSince: 1},
			Sample: []string{"000000005", "000000042"}},
		Payments: kindTally{Scanned: 2, Skipped: map[string]int{domain.SkipOutsideSyncSince: 1, domain.SkipPaymentMethodNotMapped: 1}, Sample: []string{}},
		CreditMemos: kindTally{Scanned: 10, Gaps: 8, Queued: 2, Skipped: map[string]int{},
			Sample: []string{"000000001", "000000008"}},
		// 3 contacts (guest of 5, Jo of 42 and 8, guest of 1) in one batch;
		// one invoice batch; credit notes: one batch, one invoice read and
		// one allocation (memo 8 has an invoice).
		Estimate: &xeroEstimate{Contacts: 1, Invoices: 1, Payments: 0, CreditNotes: 3, Total: 5, DailyBudget: 2, Days: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if fileSum(t, filepath.Join(s.dir, dbFileName)) != sum {
		t.Error("a dry run changed the database file")
	}
	text := s.run(t, "sync", "backfill", "1", "--invoices", "1-50", "--dry-run", "--xero-daily-budget", "1000").stdout
	for _, line := range []string{
		"dry run for binding 1 — nothing was queued",
		"invoices:     50 scanned: 2 would post, 47 gaps (not in Magento), 1 skipped by policy (outside_sync_since)",
		"e.g. 000000005, 000000042",
		"Xero calls:   2 (contacts 1, invoices 1, payments 0, credit notes 0; batches of up to 50)",
		"Xero budget:  1 day(s) at 1000 calls a day",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("dry run text lacks %q:\n%s", line, text)
		}
	}
}

func TestBackfillQueuesOnceThroughThePipeline(t *testing.T) {
	s := newShopEnv(t, nil)
	r := s.run(t, "sync", "backfill", "1", "--invoices", "1-50", "--creditmemos", "1-10", "--json")
	var got backfillResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if got.Invoices.Queued != 3 || got.Invoices.Gaps != 47 || got.Payments.Queued != 2 || got.CreditMemos.Queued != 2 || got.CreditMemos.Gaps != 8 {
		t.Errorf("first backfill: %+v", got)
	}
	if len(got.RunIDs) != 7 {
		t.Errorf("first backfill created %d runs, want 7", len(got.RunIDs))
	}

	db := s.open(t)
	runs, err := db.ListRuns(store.RunFilter{BindingID: s.b.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, run := range runs {
		keys = append(keys, run.IdempotencyKey+" "+string(run.Status)+" "+run.MagentoNumber)
		if _, err := time.Parse(time.RFC3339, run.Envelope.OccurredAt); err != nil || run.Envelope.WebsiteID != 1 || run.Envelope.StoreID != 1 {
			t.Errorf("run %d envelope %+v is not Magento's", run.ID, run.Envelope)
		}
	}
	wantKeys := []string{
		"creditmemo.created:8 queued 000000008",
		"creditmemo.created:1 queued 000000001",
		"invoice.paid:42 queued 000000042",
		"invoice.created:42 queued 000000042",
		"invoice.created:5 queued 000000005",
		"invoice.paid:3 queued 000000003",
		"invoice.created:3 queued 000000003",
	}
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("queued runs (-want +got):\n%s", diff)
	}
	var pl map[string]any
	if err := json.Unmarshal(runs[3].Envelope.Payload, &pl); err != nil || pl["paid"] != true || pl["increment_id"] != "000000042" {
		t.Errorf("invoice.created:42 payload %s", runs[3].Envelope.Payload)
	}
	// The real webhook arriving afterwards is a duplicate, as Magento's is.
	res, err := db.AcceptEvent(t.Context(), store.AcceptRequest{TenantID: "tenant-backfill", IdempotencyKey: "invoice.created:5", Event: domain.EventInvoiceCreated,
		Envelope: domain.Envelope{MagentoEntityID: 5, Payload: json.RawMessage(`{}`)}})
	if err != nil || !res.Duplicate {
		t.Errorf("webhook after backfill: %+v, %v; want a duplicate", res, err)
	}
	db.Close()

	again := s.run(t, "sync", "backfill", "1", "--invoices", "1-50", "--creditmemos", "1-10")
	if !strings.Contains(again.stdout, "invoices:     50 scanned: 0 queued, 3 already received, 47 gaps (not in Magento)") || strings.Contains(again.stdout, "sync run(s) created") {
		t.Errorf("second backfill:\n%s", again.stdout)
	}
	db = s.open(t)
	defer db.Close()
	after, err := db.ListRuns(store.RunFilter{BindingID: s.b.ID, Limit: 1000})
	if err != nil || len(after) != 7 {
		t.Errorf("after a second backfill there are %d runs (%v), want 7", len(after), err)
	}
}

func TestBackfillRefusals(t *testing.T) {
	s := newShopEnv(t, nil)
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"sync", "backfill", "1"}, exitUsage, "needs --invoices FROM-TO or --creditmemos FROM-TO"},
		{[]string{"sync", "backfill", "1", "--invoices", "9-1"}, exitUsage, "FROM may not exceed TO"},
		{[]string{"sync", "backfill", "7", "--invoices", "1-2"}, exitError, "there is no binding 7"},
	} {
		r := runCLI(t, invocation{args: append(tt.args, "--data-dir", s.dir, "--magento-allow-private"), env: s.env})
		if r.code != tt.code || !strings.Contains(r.stderr, tt.msg) {
			t.Errorf("%v: exit %d stderr %q; want %d and %q", tt.args, r.code, r.stderr, tt.code, tt.msg)
		}
	}
}

func TestProgressBar(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf strings.Builder
	now := start
	p := newProgressBar(&buf, "backfill", func() time.Time { return now })
	p.width = 10
	now = start.Add(10 * time.Second)
	p.Update(25, 100)
	now = now.Add(50 * time.Millisecond)
	p.Update(26, 100) // within the redraw interval: not drawn
	now = start.Add(40 * time.Second)
	p.Update(100, 100)
	want := "\rbackfill [==>       ] 25/100  25% 2/s ETA 0:30" +
		"\rbackfill [==========] 100/100 100% 2/s ETA 0:00\n"
	if buf.String() != want {
		t.Errorf("progress:\n got %q\nwant %q", buf.String(), want)
	}
}
