package sync

import (
	"strings"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

// MapPayment builds the Xero payment that settles a synced invoice:
// the amount Magento captured, into accountID (from RoutePayment), dated in
// the organisation's time zone, referenced by the Magento invoice number.
// When the reference cache lists accounts, accountID must be an active BANK
// (or payments-enabled) account in the payment's currency or the base one.
func MapPayment(pay magento.Payment, invoiceID string, accountID string, ref *domain.ReferenceCache) (xero.Payment, error) {
	what := "Magento payment for invoice " + pay.InvoiceIncrementID
	if accountID == "" {
		return xero.Payment{}, domain.Errorf(domain.EInvalid,
			"%s has no Xero bank account — map its method %q in payment_method_map or set default_bank_account_id", what, pay.Method).WithCode(domain.CodeNotInReference)
	}
	if err := checkPayAccount(accountID, pay.Currency, ref); err != nil {
		return xero.Payment{}, err
	}
	if !pay.Amount.IsPositive() {
		return xero.Payment{}, domain.Errorf(domain.EInvalid,
			"%s has amount %s — Xero only records positive payments; record it by hand if needed", what, pay.Amount.StringFixed(2)).WithCode(domain.CodeOutOfRange)
	}
	date, err := orgDate(pay.CapturedAt, what, ref)
	if err != nil {
		return xero.Payment{}, err
	}
	return xero.Payment{
		Invoice:   &xero.Invoice{InvoiceID: invoiceID},
		Account:   &xero.AccountRef{AccountID: accountID},
		Date:      ymd(date),
		Amount:    xero.MoneyPtr(pay.Amount),
		Reference: pay.InvoiceIncrementID,
	}, nil
}

func checkPayAccount(id, currency string, ref *domain.ReferenceCache) error {
	if ref == nil || len(ref.Accounts) == 0 {
		return nil // validated when the policy was set; Xero has the last word
	}
	a, ok := ref.AccountByID(id)
	if !ok {
		return domain.Errorf(domain.EInvalid,
			"the Xero account %s chosen for this payment is not in the organisation's chart of accounts — refresh the reference data and fix payment_method_map or default_bank_account_id", id).WithCode(domain.CodeNotInReference)
	}
	if !strings.EqualFold(a.Status, "ACTIVE") {
		return domain.Errorf(domain.EInvalid,
			"the Xero account '%s' chosen for this payment is archived — pick an active bank account in payment_method_map or default_bank_account_id", a.Name).WithCode(domain.CodeNotInReference)
	}
	if !a.Payable() {
		return domain.Errorf(domain.EInvalid,
			"the Xero account '%s' chosen for this payment is not a bank account — pick a BANK account, or enable payments to it in Xero", a.Name).WithCode(domain.CodeNotInReference)
	}
	if a.CurrencyCode != "" && currency != "" && !strings.EqualFold(a.CurrencyCode, currency) &&
		!strings.EqualFold(a.CurrencyCode, ref.Organisation.BaseCurrency) {
		return domain.Errorf(domain.EInvalid,
			"the Xero account '%s' is in %s and cannot take a %s payment — map this method to a %s or %s bank account",
			a.Name, a.CurrencyCode, currency, currency, ref.Organisation.BaseCurrency).WithCode(domain.CodeNotInReference)
	}
	return nil
}
