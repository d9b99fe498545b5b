package xerotest

import (
	"time"

	"github.com/shopspring/decimal"

	"ledger/xero"
)

// org is one fake organisation's books.
type org struct {
	org         xero.Organisation
	currencies  []xero.Currency
	accounts    []xero.Account
	taxRates    []xero.TaxRate
	themes      []xero.BrandingTheme
	tracking    []xero.TrackingCategory
	contacts    []*xero.Contact
	invoices    []*xero.Invoice
	payments    []*xero.Payment
	creditNotes []*xero.CreditNote

	min      []time.Time
	day      time.Time
	dayUsed  int
	inFlight int
}

// Seeded account ids of every organisation the fake creates.
const (
	BankAccountCode    = "090"
	RevenueAccountCode = "200"
	SalesAccountCode   = "400"
)

func pct(s string) *xero.Money { return xero.MoneyPtr(decimal.RequireFromString(s)) }

// AddOrganisation seeds an organisation with base currency base: accounts
// (BANK 090 "Business Bank Account", REVENUE 200 "Sales", SALES 400), UK tax
// rates OUTPUT2 (20 %), ZERORATEDOUTPUT and NONE, and one branding theme.
// It returns the tenant id.
func (s *Server) AddOrganisation(name, base string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := newID()
	created := &xero.Time{Time: s.clock.Now()}
	o := &org{
		org:        xero.Organisation{OrganisationID: id, Name: name, LegalName: name, BaseCurrency: base, CountryCode: "GB", OrganisationType: "COMPANY", Version: "UK", ShortCode: "!" + id[:5], Timezone: "GMTUKTIME", CreatedDateUTC: created},
		currencies: []xero.Currency{{Code: base, Description: base}},
		accounts: []xero.Account{
			{AccountID: newID(), Code: BankAccountCode, Name: "Business Bank Account", Type: "BANK", Status: "ACTIVE", Class: "ASSET", TaxType: "NONE", CurrencyCode: base, BankAccountNumber: "12345678"},
			{AccountID: newID(), Code: RevenueAccountCode, Name: "Sales", Type: "REVENUE", Status: "ACTIVE", Class: "REVENUE", TaxType: "OUTPUT2"},
			{AccountID: newID(), Code: SalesAccountCode, Name: "Other Revenue", Type: "SALES", Status: "ACTIVE", Class: "REVENUE", TaxType: "OUTPUT2"},
			{AccountID: newID(), Code: "610", Name: "Accounts Receivable", Type: "CURRENT", Status: "ACTIVE", Class: "ASSET", TaxType: "NONE"},
		},
		taxRates: []xero.TaxRate{
			{Name: "20% (VAT on Income)", TaxType: "OUTPUT2", Status: "ACTIVE", ReportTaxType: "OUTPUT", CanApplyToRevenue: true, EffectiveRate: pct("20"), DisplayTaxRate: pct("20")},
			{Name: "Zero Rated Income", TaxType: "ZERORATEDOUTPUT", Status: "ACTIVE", ReportTaxType: "OUTPUT", CanApplyToRevenue: true, EffectiveRate: pct("0"), DisplayTaxRate: pct("0")},
			{Name: "No VAT", TaxType: "NONE", Status: "ACTIVE", ReportTaxType: "NONE", CanApplyToRevenue: true, EffectiveRate: pct("0"), DisplayTaxRate: pct("0")},
		},
		themes:   []xero.BrandingTheme{{BrandingThemeID: newID(), Name: "Standard", SortOrder: 0, CreatedDateUTC: created}},
		tracking: []xero.TrackingCategory{},
	}
	s.orgs[id] = o
	s.orgOrder = append(s.orgOrder, id)
	return id
}

// Organisations lists the tenant ids in creation order.
func (s *Server) Organisations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.orgOrder...)
}

func (s *Server) withOrg(tenant string, f func(*org)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[tenant]
	if o == nil {
		s.fatalf("xerotest: no organisation %s", tenant)
	}
	f(o)
}

// EnableCurrency subscribes the organisation to a currency (e.g. USD).
func (s *Server) EnableCurrency(tenant, code string) {
	s.withOrg(tenant, func(o *org) { o.currencies = append(o.currencies, xero.Currency{Code: code, Description: code}) })
}

// AddAccount adds an account (an AccountID is assigned when empty).
func (s *Server) AddAccount(tenant string, a xero.Account) xero.Account {
	if a.AccountID == "" {
		a.AccountID = newID()
	}
	if a.Status == "" {
		a.Status = "ACTIVE"
	}
	s.withOrg(tenant, func(o *org) { o.accounts = append(o.accounts, a) })
	return a
}

// Account returns a seeded account by code.
func (s *Server) Account(tenant, code string) (a xero.Account) {
	s.withOrg(tenant, func(o *org) {
		for _, x := range o.accounts {
			if x.Code == code {
				a = x
			}
		}
	})
	return a
}

// Contacts, Invoices, Payments and CreditNotes return copies of what the
// organisation holds, in creation order.
func (s *Server) Contacts(tenant string) (out []xero.Contact) {
	s.withOrg(tenant, func(o *org) {
		for _, c := range o.contacts {
			out = append(out, *c)
		}
	})
	return out
}

// Invoices returns the organisation's invoices.
func (s *Server) Invoices(tenant string) (out []xero.Invoice) {
	s.withOrg(tenant, func(o *org) {
		for _, v := range o.invoices {
			out = append(out, *v)
		}
	})
	return out
}

// Payments returns the organisation's payments.
func (s *Server) Payments(tenant string) (out []xero.Payment) {
	s.withOrg(tenant, func(o *org) {
		for _, v := range o.payments {
			out = append(out, *v)
		}
	})
	return out
}

// CreditNotes returns the organisation's credit notes.
func (s *Server) CreditNotes(tenant string) (out []xero.CreditNote) {
	s.withOrg(tenant, func(o *org) {
		for _, v := range o.creditNotes {
			out = append(out, *v)
		}
	})
	return out
}

// PlantDrift edits an invoice behind ledger's back (as a bookkeeper in
// Xero would): a non-nil total replaces Total and AmountDue; a non-empty
// status replaces Status.
func (s *Server) PlantDrift(tenant, invoiceNumber string, total *decimal.Decimal, status string) {
	s.withOrg(tenant, func(o *org) {
		for _, v := range o.invoices {
			if v.InvoiceNumber != invoiceNumber {
				continue
			}
			if total != nil {
				v.Total, v.AmountDue = xero.MoneyPtr(*total), xero.MoneyPtr(total.Sub(v.AmountPaid.Decimal))
			}
			if status != "" {
				v.Status = status
			}
			return
		}
		s.fatalf("xerotest: no invoice %s to drift", invoiceNumber)
	})
}
