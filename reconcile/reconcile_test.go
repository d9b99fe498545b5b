package reconcile

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento/magentotest"
	"ledger/store"
	"ledger/sync/synctest"
)

func TestCleanBindingHasNoDrift(t *testing.T) {
	e := newEnv(t, nil)
	e.standard()
	rep, err := Run(e.Ctx, e.deps, e.Binding.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() {
		t.Fatalf("clean binding reported drift %+v and problems %+v", rep.Drift, rep.Problems)
	}
	if rep.Invoices != 2 || rep.CreditNotes != 1 {
		t.Errorf("checked %d invoices and %d credit notes, want 2 and 1", rep.Invoices, rep.CreditNotes)
	}
	if rep.XeroCalls != 2 {
		t.Errorf("XeroCalls = %d, want 2 (one batched GET per document type)", rep.XeroCalls)
	}
}

func TestPlantedDriftIsReported(t *testing.T) {
	e := newEnv(t, nil)
	e.standard()
	before := e.Xero.Calls()
	total := decimal.RequireFromString("30.00")
	e.Xero.PlantDrift(e.Org, "000000042", &total, "")
	e.Xero.PlantDrift(e.Org, "000000005", nil, "VOIDED")
	rep, err := Run(e.Ctx, e.deps, e.Binding.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := []Drift{}
	for _, d := range rep.Drift {
		d.XeroID, d.Action = "", ""
		got = append(got, d)
	}
	want := []Drift{
		{Kind: KindInvoice, MagentoID: 5, MagentoNumber: "000000005", XeroNumber: "000000005", Field: FieldStatus, MagentoValue: "AUTHORISED", XeroValue: "VOIDED"},
		{Kind: KindInvoice, MagentoID: 42, MagentoNumber: "000000042", XeroNumber: "000000042", Field: FieldTotal, MagentoValue: "27.60", XeroValue: "30.00"},
		{Kind: KindInvoice, MagentoID: 42, MagentoNumber: "000000042", XeroNumber: "000000042", Field: FieldAmountDue, MagentoValue: "0.00", XeroValue: "2.40"},
	}
	sortDrift := cmpopts.SortSlices(func(a, b Drift) bool {
		if a.MagentoID != b.MagentoID {
			return a.MagentoID < b.MagentoID
		}
		return a.Field > b.Field
	})
	if diff := cmp.Diff(want, got, sortDrift); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
	for _, d := range rep.Drift {
		if d.Action == "" || d.XeroID == "" {
			t.Errorf("drift %+v lacks an action or a Xero id", d)
		}
	}
	after := e.Xero.Calls()
	for k, n := range after {
		if k[:3] != "GET" && n != before[k] {
			t.Errorf("reconciliation wrote to Xero: %s went from %d to %d", k, before[k], n)
		}
	}
}

func TestSinceLimitsTheDocuments(t *testing.T) {
	e := newEnv(t, nil)
	e.standard()
	rep, err := Run(e.Ctx, e.deps, e.Binding.ID, e.Clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Invoices != 0 || rep.CreditNotes != 0 || rep.XeroCalls != 0 {
		t.Errorf("since after every sync: checked %d/%d with %d calls, want nothing", rep.Invoices, rep.CreditNotes, rep.XeroCalls)
	}
}

func TestMissingMagentoEntityIsAProblem(t *testing.T) {
	e := newEnv(t, nil)
	e.standard()
	// A run that synced invoice 999, which Magento has since lost.
	e.Accept(domain.EventInvoiceCreated, 999, `{"increment_id":"000000999","paid":false}`)
	runs, err := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID, MagentoID: 999})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs of 999: %v, %v", runs, err)
	}
	r := runs[0]
	now := e.Clock.Now()
	r.Status, r.XeroType, r.XeroID, r.XeroNumber, r.FinishedAt = domain.RunSucceeded, domain.XrefInvoice, "00000000-0000-0000-0000-000000000999", "000000999", &now
	if err := e.DB.FinishRun(r, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(e.Ctx, e.deps, e.Binding.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Problem{{Kind: KindInvoice, MagentoID: 999, Message: "Magento no longer has this invoice (404); it cannot be compared."}}
	if diff := cmp.Diff(want, rep.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if len(rep.Drift) != 0 || rep.Invoices != 2 {
		t.Errorf("drift %+v, %d invoices checked; want none and 2", rep.Drift, rep.Invoices)
	}
}

func TestCoverageListsUnmapped(t *testing.T) {
	e := newEnv(t, func(p *domain.Policy, e *synctest.Env) {
		p.PaymentMethodMap = map[string]*string{magentotest.PaymentMethodCard: &e.Bank.AccountID}
	})
	e.standard()
	rep, err := Run(e.Ctx, e.deps, e.Binding.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := Coverage{
		InvoicesSampled: 2,
		TaxRates:        []UnmappedRate{{Rate: "20.00", Invoices: 1, Examples: []string{"000000042"}, Fallback: "OUTPUT2"}},
		PaymentMethods:  []UnmappedMethod{{Method: magentotest.PaymentMethodPurchOrdr, Invoices: 1, Examples: []string{"000000005"}, Fallback: e.Bank.AccountID}},
	}
	if diff := cmp.Diff(want, rep.Coverage); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
}
