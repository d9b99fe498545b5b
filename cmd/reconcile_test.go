package cmd

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/reconcile"
)

func TestReconcileCoverageFromBackfilledRuns(t *testing.T) {
	s := newShopEnv(t, nil)
	s.run(t, "sync", "backfill", "1", "--invoices", "1-50")
	r := s.run(t, "reconcile", "1", "--json")
	var got reconcile.Report
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	want := reconcile.Coverage{
		InvoicesSampled: 3,
		TaxRates:        []reconcile.UnmappedRate{{Rate: "20.00", Invoices: 1, Examples: []string{"000000042"}}},
		PaymentMethods: []reconcile.UnmappedMethod{
			{Method: "banktransfer", Invoices: 1, Examples: []string{"000000003"}},
			{Method: "purchaseorder", Invoices: 1, Examples: []string{"000000005"}},
			{Method: "stripe_payments", Invoices: 1, Examples: []string{"000000042"}},
		},
	}
	if diff := cmp.Diff(want, got.Coverage); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	if got.Invoices != 0 || len(got.Drift) != 0 || got.XeroCalls != 0 {
		t.Errorf("nothing synced yet, but checked %d with %d calls: %+v", got.Invoices, got.XeroCalls, got.Drift)
	}
	if !strings.Contains(r.stdout, `"unmapped_payment_methods"`) || !strings.Contains(r.stdout, `"invoices_checked"`) {
		t.Errorf("JSON fields are not snake_case:\n%s", r.stdout)
	}

	bad := runCLI(t, invocation{args: []string{"reconcile", "1", "--since", "yesterday", "--data-dir", s.dir}, env: s.env})
	if bad.code != exitUsage || !strings.Contains(bad.stderr, `--since "yesterday" is not a date`) {
		t.Errorf("bad --since: exit %d stderr %q", bad.code, bad.stderr)
	}
}

func TestPrintReconcile(t *testing.T) {
	since := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	rep := &reconcile.Report{BindingID: 3, Since: &since, Invoices: 2, CreditNotes: 1, XeroCalls: 2,
		Drift:    []reconcile.Drift{{Kind: "invoice", MagentoNumber: "000000042", XeroNumber: "000000042", Field: "total", MagentoValue: "27.60", XeroValue: "30.00", Action: "Correct it in Xero."}},
		Problems: []reconcile.Problem{{Kind: "invoice", MagentoID: 9, Message: "Magento no longer has this invoice (404); it cannot be compared."}},
		Coverage: reconcile.Coverage{InvoicesSampled: 2,
			TaxRates:       []reconcile.UnmappedRate{{Rate: "5.00", Invoices: 1, Examples: []string{"000000007"}}},
			PaymentMethods: []reconcile.UnmappedMethod{{Method: "checkmo", Invoices: 2, Examples: []string{"1", "2"}, Fallback: "bank-id"}}},
	}
	var b strings.Builder
	if err := printReconcile(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := `binding 3: 2 invoice(s) and 1 credit note(s) synced since 2026-05-01 checked with 2 Xero call(s)

1 drift(s):
KIND     MAGENTO    XERO       FIELD  MAGENTO VALUE  XERO VALUE  WHAT TO DO
invoice  000000042  000000042  total  27.60          30.00       Correct it in Xero.

1 document(s) could not be checked:
  invoice 9: Magento no longer has this invoice (404); it cannot be compared.

mapping coverage of 2 recent invoice(s):
  UNMAPPED        VALUE    INVOICES  EXAMPLES   MEANWHILE
  tax rate        5.00%    1         000000007  fails — add it to tax_rate_map
  payment method  checkmo  2         1, 2       paid into default_bank_account_id
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
}
