package reconcile

import "time"

// Report is the outcome of one reconciliation of a binding. JSON field
// names are the ones `ledger reconcile --json` prints.
type Report struct {
	BindingID   uint64     `json:"binding_id"`
	Since       *time.Time `json:"since,omitempty"`
	GeneratedAt time.Time  `json:"generated_at"`
	// Invoices and CreditNotes are how many synced documents were compared.
	Invoices    int `json:"invoices_checked"`
	CreditNotes int `json:"credit_notes_checked"`
	// XeroCalls is the Accounting API calls the report cost.
	XeroCalls int       `json:"xero_calls"`
	Drift     []Drift   `json:"drift"`
	Problems  []Problem `json:"problems"`
	Coverage  Coverage  `json:"coverage"`
}

// Clean reports whether nothing drifted and nothing could not be checked.
func (r *Report) Clean() bool { return len(r.Drift) == 0 && len(r.Problems) == 0 }

// Document kinds of a Drift.
const (
	KindInvoice    = "invoice"
	KindCreditNote = "credit_note"
)

// Fields of a Drift.
const (
	FieldTotal     = "total"
	FieldAmountDue = "amount_due"
	FieldStatus    = "status"
	FieldMissing   = "document" // Xero no longer has the document
)

// Drift is one field of one synced document that differs between Magento
// and Xero, with what the merchant should do about it.
type Drift struct {
	Kind          string `json:"kind"` // invoice | credit_note
	MagentoID     int64  `json:"magento_id"`
	MagentoNumber string `json:"magento_number"`
	XeroID        string `json:"xero_id"`
	XeroNumber    string `json:"xero_number"`
	Field         string `json:"field"`
	MagentoValue  string `json:"magento_value"` // what Xero should show
	XeroValue     string `json:"xero_value"`
	Action        string `json:"action"`
}

// Problem is a synced document that could not be compared (Magento no
// longer has it, or Magento could not be read).
type Problem struct {
	Kind      string `json:"kind"`
	MagentoID int64  `json:"magento_id"`
	Message   string `json:"message"`
}

// Coverage lists what recent orders use that the policy does not map.
type Coverage struct {
	InvoicesSampled int              `json:"invoices_sampled"`
	TaxRates        []UnmappedRate   `json:"unmapped_tax_rates"`
	PaymentMethods  []UnmappedMethod `json:"unmapped_payment_methods"`
}

// UnmappedRate is an effective tax rate (percent, two decimals) seen on
// recent invoice lines that has no tax_rate_map entry.
type UnmappedRate struct {
	Rate     string   `json:"rate"`
	Invoices int      `json:"invoices"`
	Examples []string `json:"examples"` // invoice numbers
	// Fallback is what ledger posts instead: the default tax type, or ""
	// when such invoices fail until the rate is mapped.
	Fallback string `json:"fallback"`
}

// UnmappedMethod is a Magento payment method seen on recent invoices that
// has no payment_method_map entry.
type UnmappedMethod struct {
	Method   string   `json:"method"`
	Invoices int      `json:"invoices"`
	Examples []string `json:"examples"`
	// Fallback is the default bank AccountID payments go to, or "" when
	// such payments are skipped (payment_method_not_mapped).
	Fallback string `json:"fallback"`
}
