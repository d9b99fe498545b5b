package sync

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/sync/synctest"
	"ledger/xero"
)

type ev struct {
	event   string
	id      int64
	payload string
}

// runsOf maps "event:id" to the stored run.
func (e *env) runsOf(evs []ev, ids map[string]uint64) map[string]*domain.SyncRun {
	out := map[string]*domain.SyncRun{}
	for k, id := range ids {
		out[k] = e.Run(id)
	}
	return out
}

func invoiceByNumber(e *env, number string) (xero.Invoice, bool) {
	for _, v := range e.Xero.Invoices(e.Org) {
		if v.InvoiceNumber == number {
			return v, true
		}
	}
	return xero.Invoice{}, false
}

// wantTotal asserts Xero's computed Total of a document equals Magento's
// grand_total to the cent.
func wantTotal(t *testing.T, what string, got *xero.Money, grand string) {
	t.Helper()
	if got == nil || !got.Equal(dec(grand)) {
		t.Errorf("%s: Xero Total = %v, want Magento grand_total %s", what, got, grand)
	}
}

func wantStatus(t *testing.T, runs map[string]*domain.SyncRun, key string, status domain.RunStatus, detail string) {
	t.Helper()
	r := runs[key]
	if r == nil {
		t.Fatalf("no run %s", key)
	}
	if r.Status != status {
		t.Errorf("run %s: status %s (%s %s %s), want %s", key, r.Status, r.SkipReason, r.ErrorClass, r.ErrorMessage, status)
	}
	if detail != "" && r.SkipReason != detail && !strings.Contains(r.ErrorMessage, detail) {
		t.Errorf("run %s: skip %q / message %q, want %q", key, r.SkipReason, r.ErrorMessage, detail)
	}
}

func wantState(t *testing.T, e *env, entity string, id int64, status, reason string, withID bool) {
	t.Helper()
	s := e.SyncState(entity, id)
	if s.SyncStatus != status {
		t.Errorf("Magento sync state %s %d = %q, want %q", entity, id, s.SyncStatus, status)
	}
	if reason != "" && (s.SkipReason == nil || *s.SkipReason != reason) && (s.ErrorCode == nil || *s.ErrorCode != reason) {
		t.Errorf("Magento sync state %s %d: skip %v error %v, want %q", entity, id, s.SkipReason, s.ErrorCode, reason)
	}
	if withID && (s.ProviderEntityID == nil || len(*s.ProviderEntityID) != 36) {
		t.Errorf("Magento sync state %s %d has no Xero id: %v", entity, id, s.ProviderEntityID)
	}
}

var lineCmp = cmp.Options{moneyEq, cmpopts.IgnoreFields(xero.LineItem{}, "LineAmount")}

func TestPipelineFixtures(t *testing.T) {
	inv42 := load[magento.Invoice](t, "invoice-6.5-example.json")
	tests := []struct {
		name   string
		policy func(p *domain.Policy, e *synctest.Env)
		setup  func(e *env)
		events []ev
		check  func(t *testing.T, e *env, runs map[string]*domain.SyncRun)
	}{
		{
			name: "paid at creation: discount, shipping tax, card method mapped",
			policy: func(p *domain.Policy, e *synctest.Env) {
				p.PaymentMethodMap = map[string]*string{"stripe_payments": &e.Bank.AccountID}
			},
			setup:  func(e *env) { e.Magento.AddInvoice(inv42); e.Magento.AddPayment(magentotest.Payment42()) },
			events: []ev{{domain.EventInvoiceCreated, 42, `{"increment_id":"000000042","paid":true}`}, {domain.EventInvoicePaid, 42, ""}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:42", domain.RunSucceeded, "")
				wantStatus(t, runs, "invoice.paid:42", domain.RunSucceeded, "")
				v, ok := invoiceByNumber(e, "000000042")
				if !ok {
					t.Fatal("invoice 000000042 not in Xero")
				}
				want := []xero.LineItem{
					line("T-shirt M (TEE-M)", "2", "10", "2", "OUTPUT2", "3.6", "200"),
					line("Shipping", "1", "5", "", "OUTPUT2", "1", "200"),
				}
				if diff := cmp.Diff(want, v.LineItems, lineCmp); diff != "" {
					t.Errorf("Xero invoice lines (-want +got):\n%s", diff)
				}
				if v.Reference != "000000057" || v.Date != "2026-04-29" || v.DueDate != "2026-05-13" || v.Status != "PAID" || v.CurrencyCode != "GBP" {
					t.Errorf("Xero invoice header = %+v", v)
				}
				wantTotal(t, "invoice 42", v.Total, "27.6")
				ps := e.Xero.Payments(e.Org)
				if len(ps) != 1 || !ps[0].Amount.Equal(dec("27.6")) || ps[0].Reference != "000000042" || ps[0].Account.AccountID != e.Bank.AccountID {
					t.Errorf("Xero payments = %+v", ps)
				}
				cs := e.Xero.Contacts(e.Org)
				if len(cs) != 1 || cs[0].ContactNumber != "7" || cs[0].Name != "Jo Bloggs" || cs[0].EmailAddress != "jo@example.com" {
					t.Errorf("Xero contacts = %+v", cs)
				}
				wantState(t, e, "invoice", 42, "synced", "", true)
				if s := e.SyncState("invoice", 42); s.ProviderReference == nil || *s.ProviderReference != "000000042" || *s.ProviderEntityID != v.InvoiceID {
					t.Errorf("mirror = %+v, want InvoiceID %s and number", s, v.InvoiceID)
				}
			},
		},
		{
			name: "unpaid then paid; unmapped method goes to the default bank account",
			setup: func(e *env) {
				e.Magento.AddInvoice(inv42)
				p := magentotest.Payment42()
				p.Method = "banktransfer"
				e.Magento.AddPayment(p)
				e.Accept(domain.EventInvoiceCreated, 42, `{"paid":false}`)
				e.runOnce()
				if v, _ := invoiceByNumber(e, "000000042"); v.Status != "AUTHORISED" || !v.AmountDue.Equal(dec("27.6")) {
					t.Errorf("before payment: %s due %v", v.Status, v.AmountDue)
				}
			},
			events: []ev{{domain.EventInvoicePaid, 42, ""}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.paid:42", domain.RunSucceeded, "")
				if v, _ := invoiceByNumber(e, "000000042"); v.Status != "PAID" {
					t.Errorf("invoice status %s, want PAID", v.Status)
				}
				if n := len(e.Xero.Invoices(e.Org)); n != 1 {
					t.Errorf("%d invoices in Xero, want 1", n)
				}
			},
		},
		{
			name: "explicit don't auto-pay: payment skipped, invoice stays AUTHORISED, mirror keeps the InvoiceID",
			policy: func(p *domain.Policy, e *synctest.Env) {
				p.PaymentMethodMap = map[string]*string{"stripe_payments": nil}
			},
			setup:  func(e *env) { e.Magento.AddInvoice(inv42); e.Magento.AddPayment(magentotest.Payment42()) },
			events: []ev{{domain.EventInvoiceCreated, 42, `{"paid":true}`}, {domain.EventInvoicePaid, 42, ""}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.paid:42", domain.RunSkipped, domain.SkipPaymentMethodNotMapped)
				if v, _ := invoiceByNumber(e, "000000042"); v.Status != "AUTHORISED" {
					t.Errorf("invoice status %s", v.Status)
				}
				if n := len(e.Xero.Payments(e.Org)); n != 0 {
					t.Errorf("%d payments", n)
				}
				wantState(t, e, "invoice", 42, "skipped", domain.SkipPaymentMethodNotMapped, true)
			},
		},
		{
			name:   "unmapped method and no default: skipped; paid before created still creates the invoice once",
			policy: func(p *domain.Policy, e *synctest.Env) { p.DefaultBankAccountID = "" },
			setup:  func(e *env) { e.Magento.AddInvoice(inv42); e.Magento.AddPayment(magentotest.Payment42()) },
			events: []ev{{domain.EventInvoicePaid, 42, ""}, {domain.EventInvoiceCreated, 42, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.paid:42", domain.RunSkipped, domain.SkipPaymentMethodNotMapped)
				wantStatus(t, runs, "invoice.created:42", domain.RunSucceeded, "")
				if n := len(e.Xero.Invoices(e.Org)); n != 1 {
					t.Errorf("%d invoices, want 1", n)
				}
				wantState(t, e, "invoice", 42, "synced", "", true)
			},
		},
		{
			name: "guest, MSI discount, untaxed USD enabled, purchase order paid into the default",
			setup: func(e *env) {
				e.Xero.EnableCurrency(e.Org, "USD")
				e.Magento.AddInvoice(magentotest.InvoiceGuest())
				e.Magento.AddPayment(magento.Payment{MagentoID: 5, InvoiceID: 5, InvoiceIncrementID: "000000005", Method: "purchaseorder", Currency: "USD", Amount: dec("1917.6"), CapturedAt: "2020-07-23T16:59:20Z"})
			},
			events: []ev{{domain.EventInvoiceCreated, 5, `{"paid":false}`}, {domain.EventInvoicePaid, 5, ""}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.paid:5", domain.RunSucceeded, "")
				v, _ := invoiceByNumber(e, "000000005")
				wantTotal(t, "guest invoice", v.Total, "1917.6")
				cs := e.Xero.Contacts(e.Org)
				if len(cs) != 1 || !strings.HasPrefix(cs[0].ContactNumber, "guest-") || cs[0].Name != "Veronica Costello" {
					t.Errorf("guest contact = %+v", cs)
				}
			},
		},
		{
			name:   "configurable duplicate line and bundle parent dropped",
			setup:  func(e *env) { e.Xero.EnableCurrency(e.Org, "USD"); e.Magento.AddInvoice(magentotest.InvoiceBundle()) },
			events: []ev{{domain.EventInvoiceCreated, 3, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:3", domain.RunSucceeded, "")
				v, _ := invoiceByNumber(e, "000000003")
				wantTotal(t, "bundle invoice", v.Total, "165")
				if len(v.LineItems) != 8 { // 7 kept product lines + shipping
					t.Errorf("%d lines, want 8: %+v", len(v.LineItems), v.LineItems)
				}
			},
		},
		{
			name:   "sub-cent unit prices posted to four decimals, no rounding line",
			setup:  func(e *env) { e.Magento.AddInvoice(load[magento.Invoice](t, "invoice-rounding.json")) },
			events: []ev{{domain.EventInvoiceCreated, 47, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:47", domain.RunSucceeded, "")
				v, _ := invoiceByNumber(e, "000000047")
				wantTotal(t, "rounding invoice", v.Total, "36")
				for _, l := range v.LineItems {
					if l.Description == DescRounding {
						t.Errorf("a rounding line was posted: %+v", l)
					}
					if l.UnitAmount == nil || l.UnitAmount.String() != "3.333" {
						t.Errorf("line %q unit amount %v, want 3.333", l.Description, l.UnitAmount)
					}
				}
			},
		},
		{
			name:   "zero value skipped by policy",
			policy: func(p *domain.Policy, e *synctest.Env) { p.SyncZeroValueInvoices = false },
			setup:  func(e *env) { e.Magento.AddInvoice(load[magento.Invoice](t, "invoice-zero-value.json")) },
			events: []ev{{domain.EventInvoiceCreated, 45, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:45", domain.RunSkipped, domain.SkipZeroValueInvoice)
				wantState(t, e, "invoice", 45, "skipped", domain.SkipZeroValueInvoice, false)
				if n := len(e.Xero.Invoices(e.Org)); n != 0 {
					t.Errorf("%d invoices", n)
				}
			},
		},
		{
			name:   "zero value synced by default",
			setup:  func(e *env) { e.Magento.AddInvoice(load[magento.Invoice](t, "invoice-zero-value.json")) },
			events: []ev{{domain.EventInvoiceCreated, 45, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:45", domain.RunSucceeded, "")
				v, _ := invoiceByNumber(e, "000000045")
				wantTotal(t, "zero invoice", v.Total, "0")
			},
		},
		{
			name:   "unpaid invoice skipped when only paid invoices sync",
			policy: func(p *domain.Policy, e *synctest.Env) { p.SyncUnpaidInvoices = false },
			setup:  func(e *env) { e.Magento.AddInvoice(inv42) },
			events: []ev{{domain.EventInvoiceCreated, 42, `{"paid":false}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:42", domain.RunSkipped, domain.SkipUnpaidInvoice)
			},
		},
		{
			name: "multi-currency enabled",
			setup: func(e *env) {
				e.Xero.EnableCurrency(e.Org, "EUR")
				e.Magento.AddInvoice(load[magento.Invoice](t, "invoice-eur.json"))
			},
			events: []ev{{domain.EventInvoiceCreated, 44, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:44", domain.RunSucceeded, "")
				v, _ := invoiceByNumber(e, "MAG-000000044")
				wantTotal(t, "EUR invoice", v.Total, "56.8")
				if v.CurrencyCode != "EUR" {
					t.Errorf("currency %s", v.CurrencyCode)
				}
			},
		},
		{
			name:   "currency not enabled: failed with Xero's words and what to do",
			setup:  func(e *env) { e.Magento.AddInvoice(load[magento.Invoice](t, "invoice-eur.json")) },
			events: []ev{{domain.EventInvoiceCreated, 44, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:44", domain.RunFailed, "enable EUR in Xero → Settings → Currencies, then retry")
				if !strings.HasPrefix(runs["invoice.created:44"].ErrorMessage, "Xero: Organisation is not subscribed to currency EUR") {
					t.Errorf("message %q does not quote Xero", runs["invoice.created:44"].ErrorMessage)
				}
				wantState(t, e, "invoice", 44, "failed", domain.ClassValidation, false)
			},
		},
		{
			name:   "invalid account code: failed at once, quoting Xero",
			policy: func(p *domain.Policy, e *synctest.Env) { p.DefaultRevenueAccountCode = "999" },
			setup:  func(e *env) { e.Magento.AddInvoice(inv42) },
			events: []ev{{domain.EventInvoiceCreated, 42, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:42", domain.RunFailed,
					"Xero: Account code '999' is not a valid code for this document — choose a revenue account in the binding's settings")
				if r := runs["invoice.created:42"]; r.Attempts != 1 || r.ErrorClass != domain.ClassValidation {
					t.Errorf("attempts %d class %s", r.Attempts, r.ErrorClass)
				}
			},
		},
		{
			name: "credit memo with adjustments allocated to its open invoice",
			setup: func(e *env) {
				e.Magento.AddInvoice(inv42)
				e.Magento.AddCreditMemo(magentotest.CreditMemoPartial())
				e.Accept(domain.EventInvoiceCreated, 42, `{"paid":false}`)
				e.runOnce()
			},
			events: []ev{{domain.EventCreditmemoCreated, 8, ""}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "creditmemo.created:8", domain.RunSucceeded, "")
				cns := e.Xero.CreditNotes(e.Org)
				if len(cns) != 1 {
					t.Fatalf("%d credit notes", len(cns))
				}
				wantTotal(t, "credit note 8", cns[0].Total, "17.8")
				if cns[0].Reference != "000000042" || cns[0].Type != "ACCRECCREDIT" || len(cns[0].Allocations) != 1 {
					t.Errorf("credit note = %+v", cns[0])
				}
				if v, _ := invoiceByNumber(e, "000000042"); !v.AmountDue.Equal(dec("9.8")) {
					t.Errorf("invoice due %v, want 9.80", v.AmountDue)
				}
				wantState(t, e, "creditmemo", 8, "synced", "", true)
			},
		},
		{
			name:   "credit memo whose invoice is not in Xero yet creates it first; the later invoice.created adopts it",
			setup:  func(e *env) { e.Magento.AddInvoice(inv42); e.Magento.AddCreditMemo(magentotest.CreditMemoPartial()) },
			events: []ev{{domain.EventCreditmemoCreated, 8, ""}, {domain.EventInvoiceCreated, 42, `{"paid":false}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "creditmemo.created:8", domain.RunSucceeded, "")
				wantStatus(t, runs, "invoice.created:42", domain.RunSucceeded, "")
				if n, m := len(e.Xero.Invoices(e.Org)), len(e.Xero.CreditNotes(e.Org)); n != 1 || m != 1 {
					t.Errorf("%d invoices, %d credit notes; want 1, 1", n, m)
				}
			},
		},
		{
			name: "credit memo without invoice (guest, offline refund)",
			setup: func(e *env) {
				e.Xero.EnableCurrency(e.Org, "USD")
				e.Magento.AddCreditMemo(magentotest.CreditMemoNoInvoice())
			},
			events: []ev{{domain.EventCreditmemoCreated, 1, ""}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "creditmemo.created:1", domain.RunSucceeded, "")
				cns := e.Xero.CreditNotes(e.Org)
				if len(cns) != 1 || cns[0].Reference != "000000001" || len(cns[0].Allocations) != 0 {
					t.Fatalf("credit notes = %+v", cns)
				}
				wantTotal(t, "credit note 1", cns[0].Total, "105")
			},
		},
		{
			name: "customer upserted, then its invoice uses the linked contact",
			setup: func(e *env) {
				e.Magento.AddCustomer(magentotest.CustomerJo())
				e.Magento.AddInvoice(inv42)
			},
			events: []ev{{domain.EventCustomerUpserted, 7, ""}, {domain.EventInvoiceCreated, 42, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "customer.upserted:7", domain.RunSucceeded, "")
				wantStatus(t, runs, "invoice.created:42", domain.RunSucceeded, "")
				if cs := e.Xero.Contacts(e.Org); len(cs) != 1 {
					t.Errorf("contacts = %+v", cs)
				}
				wantState(t, e, "customer", 7, "synced", "", true)
			},
		},
		{
			name: "contact name clash: disambiguated, never a second contact for the key",
			setup: func(e *env) {
				e.Magento.AddInvoice(inv42)
				xc, _ := e.w.cfg.Xero(e.Ctx, e.Binding)
				if _, err := xc.CreateContacts(e.Ctx, "seed", []xero.Contact{{Name: "Jo Bloggs", ContactNumber: "other"}}); err != nil {
					t.Fatal(err)
				}
			},
			events: []ev{{domain.EventInvoiceCreated, 42, `{"paid":true}`}},
			check: func(t *testing.T, e *env, runs map[string]*domain.SyncRun) {
				wantStatus(t, runs, "invoice.created:42", domain.RunSucceeded, "")
				var names []string
				for _, c := range e.Xero.Contacts(e.Org) {
					names = append(names, c.Name+"|"+c.ContactNumber)
				}
				if diff := cmp.Diff([]string{"Jo Bloggs|other", "Jo Bloggs (#7)|7"}, names); diff != "" {
					t.Errorf("contacts (-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, synctest.Options{Policy: tt.policy})
			if tt.setup != nil {
				tt.setup(e)
			}
			ids := map[string]uint64{}
			for _, x := range tt.events {
				got := e.Accept(x.event, x.id, x.payload)
				ids[fmt.Sprintf("%s:%d", x.event, x.id)] = got[0]
			}
			e.runOnce()
			runs := e.runsOf(tt.events, ids)
			tt.check(t, e, runs)
			for k, r := range runs {
				if r.Status.Terminal() && r.MirroredAt == nil {
					t.Errorf("run %s finished but was not mirrored", k)
				}
			}
			if v := e.Xero.Violations(); len(v) > 0 {
				t.Errorf("OpenAPI violations: %v", v)
			}
		})
	}
}
