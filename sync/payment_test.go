package sync

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

func TestMapPayment(t *testing.T) {
	pay := load[magento.Payment](t, "payment.json")
	mapped := ukPolicy()
	mapped.PaymentMethodMap = map[string]*string{"stripe_payments": ptr(stripeID)}
	dontPay := ukPolicy()
	dontPay.PaymentMethodMap = map[string]*string{"stripe_payments": nil}
	dontPay.DefaultBankAccountID = bankID
	withDefault := ukPolicy()
	withDefault.DefaultBankAccountID = bankID
	payment := func(account string) *xero.Payment {
		return &xero.Payment{
			Invoice: &xero.Invoice{InvoiceID: "inv-1"}, Account: &xero.AccountRef{AccountID: account},
			// 23:11 UTC on 29 April is 00:11 on 30 April in London (BST).
			Date: "2026-04-30", Amount: m("27.6"), Reference: "000000042",
		}
	}
	tests := []struct {
		name     string
		p        domain.Policy
		want     *xero.Payment
		wantSkip string
	}{
		{"mapped", mapped, payment(stripeID), ""},
		{"don't auto-pay", dontPay, nil, domain.SkipPaymentMethodNotMapped},
		{"unmapped with default", withDefault, payment(bankID), ""},
		{"unmapped without default", ukPolicy(), nil, domain.SkipPaymentMethodNotMapped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			account, skip := RoutePayment(pay.Method, tt.p)
			if skip != tt.wantSkip {
				t.Fatalf("skip = %q, want %q", skip, tt.wantSkip)
			}
			if skip != "" {
				return
			}
			got, err := MapPayment(pay, "inv-1", account, testRef())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, &got, moneyEq); diff != "" {
				t.Errorf("MapPayment (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapPaymentAccountChecks(t *testing.T) {
	pay := load[magento.Payment](t, "payment.json")
	tests := []struct {
		name    string
		account string
		edit    func(p *magento.Payment)
		msg     string // "" = accepted
	}{
		{"payments-enabled current account", clearID, nil, ""},
		{"not a bank account", salesID, nil, "the Xero account 'Sales' chosen for this payment is not a bank account — pick a BANK account, or enable payments to it in Xero"},
		{"archived", oldBankID, nil, "the Xero account 'Old Bank' chosen for this payment is archived — pick an active bank account in payment_method_map or default_bank_account_id"},
		{"unknown", "nope", nil, "the Xero account nope chosen for this payment is not in the organisation's chart of accounts — refresh the reference data and fix payment_method_map or default_bank_account_id"},
		{"wrong currency", usdBankID, func(p *magento.Payment) { p.Currency = "EUR" }, "the Xero account 'USD Bank' is in USD and cannot take a EUR payment — map this method to a EUR or GBP bank account"},
		{"same foreign currency", usdBankID, func(p *magento.Payment) { p.Currency = "USD" }, ""},
		{"no account", "", nil, `Magento payment for invoice 000000042 has no Xero bank account — map its method "stripe_payments" in payment_method_map or set default_bank_account_id`},
		{"zero amount", bankID, func(p *magento.Payment) { p.Amount = dec("0") }, "Magento payment for invoice 000000042 has amount 0.00 — Xero only records positive payments; record it by hand if needed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pay
			if tt.edit != nil {
				tt.edit(&p)
			}
			_, err := MapPayment(p, "inv-1", tt.account, testRef())
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("MapPayment: %v", err)
				}
				return
			}
			if !domain.IsKind(err, domain.EInvalid) || domain.MessageOf(err) != tt.msg {
				t.Errorf("err = %v\nwant EInvalid %q", err, tt.msg)
			}
		})
	}
}
