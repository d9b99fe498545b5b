package xero

// Reference objects ledger reads to build its per-organisation cache.

// Organisation is the connected Xero organisation.
type Organisation struct {
	OrganisationID   string `json:"OrganisationID"`
	Name             string `json:"Name"`
	LegalName        string `json:"LegalName,omitempty"`
	ShortCode        string `json:"ShortCode,omitempty"`
	BaseCurrency     string `json:"BaseCurrency"`
	CountryCode      string `json:"CountryCode,omitempty"`
	OrganisationType string `json:"OrganisationType,omitempty"`
	Version          string `json:"Version,omitempty"`
	IsDemoCompany    bool   `json:"IsDemoCompany,omitempty"`
	Timezone         string `json:"Timezone,omitempty"`
	CreatedDateUTC   *Time  `json:"CreatedDateUTC,omitempty"`
}

// Account is a chart-of-accounts entry.
type Account struct {
	AccountID               string `json:"AccountID"`
	Code                    string `json:"Code,omitempty"`
	Name                    string `json:"Name"`
	Type                    string `json:"Type"`   // BANK, REVENUE, SALES, …
	Status                  string `json:"Status"` // ACTIVE | ARCHIVED
	Class                   string `json:"Class,omitempty"`
	TaxType                 string `json:"TaxType,omitempty"`
	CurrencyCode            string `json:"CurrencyCode,omitempty"`
	BankAccountNumber       string `json:"BankAccountNumber,omitempty"`
	EnablePaymentsToAccount bool   `json:"EnablePaymentsToAccount,omitempty"`
	UpdatedDateUTC          *Time  `json:"UpdatedDateUTC,omitempty"`
}

// TaxRate is a tax rate (its TaxType is what lines carry).
type TaxRate struct {
	Name              string `json:"Name"`
	TaxType           string `json:"TaxType"`
	Status            string `json:"Status"`
	ReportTaxType     string `json:"ReportTaxType,omitempty"`
	CanApplyToRevenue bool   `json:"CanApplyToRevenue,omitempty"`
	EffectiveRate     *Money `json:"EffectiveRate,omitempty"`
	DisplayTaxRate    *Money `json:"DisplayTaxRate,omitempty"`
}

// BrandingTheme is an invoice branding theme.
type BrandingTheme struct {
	BrandingThemeID string `json:"BrandingThemeID"`
	Name            string `json:"Name"`
	SortOrder       int    `json:"SortOrder,omitempty"`
	CreatedDateUTC  *Time  `json:"CreatedDateUTC,omitempty"`
}

// TrackingOption is one option of a tracking category.
type TrackingOption struct {
	TrackingOptionID string `json:"TrackingOptionID"`
	Name             string `json:"Name"`
	Status           string `json:"Status,omitempty"`
}

// TrackingCategory is a tracking category with its options.
type TrackingCategory struct {
	TrackingCategoryID string           `json:"TrackingCategoryID"`
	Name               string           `json:"Name"`
	Status             string           `json:"Status,omitempty"`
	Options            []TrackingOption `json:"Options,omitempty"`
}

// Currency is a currency enabled in the organisation.
type Currency struct {
	Code        string `json:"Code"`
	Description string `json:"Description,omitempty"`
}
