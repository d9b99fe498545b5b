package cmd

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"ledger/domain"
	"ledger/store"
)

// openSeeded opens the seeded database with its master key.
func openSeeded(t *testing.T, s seeded) *store.DB {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(s.keyB64)
	if err != nil {
		key, err = base64.URLEncoding.DecodeString(s.keyB64)
	}
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(s.dir, dbFileName), key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// seedRun adds one failed invoice.created run to the active binding.
func seedRun(t *testing.T, s seeded) uint64 {
	t.Helper()
	db := openSeeded(t, s)
	res, err := db.AcceptEvent(context.Background(), store.AcceptRequest{TenantID: s.tenant.ID, IdempotencyKey: "invoice.created:42", Event: domain.EventInvoiceCreated,
		Envelope: domain.Envelope{MagentoEntityID: 42, Payload: json.RawMessage(`{"increment_id":"000000042"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	var id uint64
	for _, rid := range res.RunIDs {
		r, _ := db.Run(rid)
		if r.BindingID == s.active.ID {
			id = rid
		}
	}
	if _, err := db.UpdateRun(id, func(r *domain.SyncRun) error {
		r.Status, r.ErrorClass, r.ErrorMessage, r.Attempts = domain.RunFailed, domain.ClassValidation, "Xero: Account code '999' is not a valid code", 1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSyncListAndRetry(t *testing.T) {
	s := seed(t)
	id := seedRun(t, s)

	var rows []runRow
	out := s.run(t, "sync", "list", "--binding", fmt.Sprint(s.active.ID), "--json")
	if err := json.Unmarshal([]byte(out.stdout), &rows); err != nil {
		t.Fatalf("sync list --json: %v\n%s", err, out.stdout)
	}
	if len(rows) != 1 || rows[0].ID != id || rows[0].Status != "failed" || rows[0].MagentoNumber != "000000042" || rows[0].ErrorClass != "validation" {
		t.Fatalf("rows = %+v", rows)
	}
	for _, field := range []string{`"magento_id"`, `"error_message"`, `"xero_number"`, `"next_attempt_at"`} {
		if !strings.Contains(out.stdout, field) {
			t.Errorf("JSON lacks %s", field)
		}
	}
	text := s.run(t, "sync", "list", "--status", "failed")
	if !strings.Contains(text.stdout, "validation: Xero: Account code") || !strings.Contains(text.stdout, "42 #000000042") {
		t.Errorf("sync list:\n%s", text.stdout)
	}
	if r := runCLI(t, invocation{args: []string{"sync", "list", "--status", "bogus", "--data-dir", s.dir}, env: s.env}); r.code != exitUsage {
		t.Errorf("bad --status: exit %d", r.code)
	}

	if r := s.run(t, "sync", "retry", fmt.Sprint(id)); !strings.Contains(r.stdout, "queued again") {
		t.Errorf("retry: %+v", r)
	}
	out = s.run(t, "sync", "list", "--status", "queued", "--json")
	rows = nil
	if err := json.Unmarshal([]byte(out.stdout), &rows); err != nil || len(rows) != 1 || rows[0].ErrorClass != "" || rows[0].Attempts != 0 {
		t.Errorf("after retry: %v %+v", err, rows)
	}
	if r := runCLI(t, invocation{args: []string{"sync", "retry", fmt.Sprint(id), "--data-dir", s.dir}, env: s.env}); r.code != exitError || !strings.Contains(r.stderr, "already queued") {
		t.Errorf("second retry: %+v", r)
	}
	if r := runCLI(t, invocation{args: []string{"sync", "retry", "999", "--data-dir", s.dir}, env: s.env}); r.code != exitError || !strings.Contains(r.stderr, "no sync run 999") {
		t.Errorf("unknown run: %+v", r)
	}
	if r := runCLI(t, invocation{args: []string{"sync", "retry", "x", "--data-dir", s.dir}, env: s.env}); r.code != exitUsage {
		t.Errorf("bad id: %+v", r)
	}
}

func TestBindingSet(t *testing.T) {
	s := seed(t)
	id := fmt.Sprint(s.active.ID)
	if r := s.run(t, "binding", "set", id, "invoice_number_prefix", "WEB-"); r.stdout != "binding "+id+": invoice_number_prefix = \"WEB-\"\n" {
		t.Errorf("set prefix: %q", r.stdout)
	}
	if r := s.run(t, "binding", "set", id, "default_xero_payment_terms_days", "30"); !strings.Contains(r.stdout, "= 30") {
		t.Errorf("set terms: %q", r.stdout)
	}
	db := openSeeded(t, s)
	b, err := db.Binding(s.active.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Policy.InvoiceNumberPrefix != "WEB-" || b.Policy.TermsDays() != 30 {
		t.Errorf("stored policy = %+v", b.Policy)
	}
	db.Close()
	for _, tt := range []struct{ key, value, code string }{
		{"default_xero_payment_terms_days", "9999", "out_of_range"},
		{"xero_invoice_status_default", "PAID", "invalid_format"},
		{"no_such_key", "1", "invalid_format"},
		{"default_bank_account_id", "9f5e6f84-0000-4000-8000-000000000001", "not_in_reference"},
	} {
		r := runCLI(t, invocation{args: []string{"binding", "set", id, tt.key, tt.value, "--data-dir", s.dir}, env: s.env})
		if r.code != exitError || !strings.Contains(r.stderr, "("+tt.code+")") {
			t.Errorf("set %s %s: exit %d stderr %q, want code %s", tt.key, tt.value, r.code, r.stderr, tt.code)
		}
	}
}
