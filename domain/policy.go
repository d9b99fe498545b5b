package domain

import "time"

// Policy is the per-binding sync policy (protocol §10.2–10.4, plus ledger's own
// knobs). A run keeps the snapshot taken when its event was accepted.
// JSON names are the keys of `ledger binding set ID KEY VALUE`.
type Policy struct {
	SyncUnpaidInvoices    bool    `json:"sync_unpaid_invoices"`
	SyncZeroValueInvoices bool    `json:"sync_zero_value_invoices"`
	SyncSince             *string `json:"sync_since"` // YYYY-MM-DD (UTC), or null
	WebsiteFilter         []int64 `json:"website_filter"`
	StoreFilter           []int64 `json:"store_filter"`

	DefaultRevenueAccountCode string `json:"default_xero_revenue_account_code"` // Xero account Code; "" = omit
	DefaultTaxType            string `json:"default_xero_tax_type"`             // Xero TaxType; "" = NONE
	DefaultBankAccountID      string `json:"default_bank_account_id"`           // Xero AccountID of a BANK account
	// PaymentMethodMap maps a Magento payment method code to a Xero bank
	// AccountID, or to nil for an explicit "don't auto-pay".
	PaymentMethodMap map[string]*string `json:"payment_method_map"`

	InvoiceNumberPrefix  string `json:"invoice_number_prefix"`
	CustomerNamePriority string `json:"customer_name_priority"`          // Company | Person
	InvoiceStatusDefault string `json:"xero_invoice_status_default"`     // DRAFT | SUBMITTED | AUTHORISED
	PaymentTermsDays     *int   `json:"default_xero_payment_terms_days"` // nil → 14

	// Beyond Byte8.
	// TaxRateMap maps a Magento effective tax rate in percent, written with
	// two decimals ("20.00", "5.50"), to a Xero TaxType; used before the default.
	TaxRateMap                  map[string]string `json:"tax_rate_map"`
	RoundingAccountCode         string            `json:"rounding_account_code"`
	RefundAdjustmentAccountCode string            `json:"refund_adjustment_account_code"`
	GuestContactMode            string            `json:"guest_contact_mode"` // per_email | single
}

// Policy value constants.
const (
	NamePriorityCompany = "Company"
	NamePriorityPerson  = "Person"
	InvoiceDraft        = "DRAFT"
	InvoiceSubmitted    = "SUBMITTED"
	InvoiceAuthorised   = "AUTHORISED"
	GuestPerEmail       = "per_email"
	GuestSingle         = "single"
	DefaultTermsDays    = 14
)

// DefaultPolicy is the policy of a new binding.
func DefaultPolicy() Policy {
	return Policy{
		SyncUnpaidInvoices:    true,
		SyncZeroValueInvoices: true,
		WebsiteFilter:         []int64{},
		StoreFilter:           []int64{},
		PaymentMethodMap:      map[string]*string{},
		CustomerNamePriority:  NamePriorityCompany,
		InvoiceStatusDefault:  InvoiceAuthorised,
		TaxRateMap:            map[string]string{},
		GuestContactMode:      GuestPerEmail,
	}
}

// TermsDays is the payment terms in days, defaulting to 14.
func (p *Policy) TermsDays() int {
	if p.PaymentTermsDays == nil {
		return DefaultTermsDays
	}
	return *p.PaymentTermsDays
}

// ReferenceCache is what ledger knows of a binding's Xero organisation, used
// to populate settings and to check mappings before posting.
type ReferenceCache struct {
	FetchedAt          time.Time          `json:"fetched_at"`
	Organisation       Organisation       `json:"organisation"`
	Accounts           []Account          `json:"accounts"`
	TaxRates           []TaxRate          `json:"tax_rates"`
	BrandingThemes     []BrandingTheme    `json:"branding_themes"`
	TrackingCategories []TrackingCategory `json:"tracking_categories"`
	Currencies         []string           `json:"currencies"` // enabled currency codes
}

// Organisation is the pinned Xero organisation's profile.
type Organisation struct {
	Name         string `json:"name"`
	BaseCurrency string `json:"base_currency"`
	CountryCode  string `json:"country_code"`
	Timezone     string `json:"timezone"` // IANA name, e.g. Europe/London
	ShortCode    string `json:"short_code,omitempty"`
}

// Account is a Xero chart-of-accounts entry.
type Account struct {
	AccountID       string `json:"account_id"`
	Code            string `json:"code"`
	Name            string `json:"name"`
	Type            string `json:"type"`   // REVENUE, SALES, BANK, …
	Class           string `json:"class"`  // REVENUE, ASSET, …
	Status          string `json:"status"` // ACTIVE | ARCHIVED
	PaymentsEnabled bool   `json:"payments_enabled"`
	CurrencyCode    string `json:"currency_code,omitempty"`
}

// TaxRate is a Xero tax rate.
type TaxRate struct {
	TaxType       string `json:"tax_type"`
	Name          string `json:"name"`
	EffectiveRate string `json:"effective_rate"` // percent as decimal text, e.g. "20.0000"
	Status        string `json:"status"`
}

// BrandingTheme is a Xero invoice branding theme.
type BrandingTheme struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TrackingCategory is a Xero tracking category with its options.
type TrackingCategory struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Options []string `json:"options"`
}
