package xero

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Money is an exact decimal amount that travels as a JSON number, as Xero
// expects; it is never converted through float64.
type Money struct{ decimal.Decimal }

// M builds Money from a decimal.
func M(d decimal.Decimal) Money { return Money{d} }

// MoneyPtr returns a pointer to Money, for optional fields.
func MoneyPtr(d decimal.Decimal) *Money { return &Money{d} }

// MarshalJSON writes the amount as a bare JSON number.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.Decimal.String()), nil }

// MaxExponent bounds an amount's decimal exponent: "1e999999999" is twelve
// bytes, but printing or rounding it takes gigabytes and minutes.
const MaxExponent = 64

// UnmarshalJSON reads a JSON number (or numeric string) exactly; an
// exponent beyond ±MaxExponent is refused as unreadable.
func (m *Money) UnmarshalJSON(b []byte) error {
	if err := m.Decimal.UnmarshalJSON(b); err != nil {
		return err
	}
	if e := m.Decimal.Exponent(); e > MaxExponent || e < -MaxExponent {
		m.Decimal = decimal.Decimal{}
		return fmt.Errorf("xero: amount with exponent %d is out of range", e)
	}
	return nil
}

// The Accounting API objects ledger writes and reads. Field names and JSON
// keys are Xero's (PascalCase). Dates sent to Xero are "YYYY-MM-DD"; dates
// read back are decoded by the client from "/Date(…)/" or zone-less forms.

// Address is a Xero contact address.
type Address struct {
	AddressType  string `json:"AddressType"` // POBOX (billing) | STREET (delivery)
	AddressLine1 string `json:"AddressLine1,omitempty"`
	AddressLine2 string `json:"AddressLine2,omitempty"`
	AddressLine3 string `json:"AddressLine3,omitempty"`
	AddressLine4 string `json:"AddressLine4,omitempty"`
	City         string `json:"City,omitempty"`
	Region       string `json:"Region,omitempty"`
	PostalCode   string `json:"PostalCode,omitempty"`
	Country      string `json:"Country,omitempty"`
	AttentionTo  string `json:"AttentionTo,omitempty"`
}

// Phone is a Xero contact phone slot.
type Phone struct {
	PhoneType   string `json:"PhoneType"` // DEFAULT | MOBILE | FAX | DDI
	PhoneNumber string `json:"PhoneNumber,omitempty"`
}

// Contact is a Xero contact.
type Contact struct {
	ContactID     string    `json:"ContactID,omitempty"`
	ContactNumber string    `json:"ContactNumber,omitempty"`
	ContactStatus string    `json:"ContactStatus,omitempty"`
	Name          string    `json:"Name,omitempty"`
	FirstName     string    `json:"FirstName,omitempty"`
	LastName      string    `json:"LastName,omitempty"`
	EmailAddress  string    `json:"EmailAddress,omitempty"`
	Addresses     []Address `json:"Addresses,omitempty"`
	Phones        []Phone   `json:"Phones,omitempty"`
	IsCustomer    bool      `json:"IsCustomer,omitempty"`

	// Set on responses to batched writes when an element failed.
	HasValidationErrors   bool                `json:"HasValidationErrors,omitempty"`
	ValidationErrors      []ValidationMessage `json:"ValidationErrors,omitempty"`
	StatusAttributeString string              `json:"StatusAttributeString,omitempty"`
}

// LineItem is a line of an invoice or credit note.
type LineItem struct {
	Description    string `json:"Description,omitempty"`
	Quantity       *Money `json:"Quantity,omitempty"`
	UnitAmount     *Money `json:"UnitAmount,omitempty"`
	ItemCode       string `json:"ItemCode,omitempty"`
	AccountCode    string `json:"AccountCode,omitempty"`
	TaxType        string `json:"TaxType,omitempty"`
	TaxAmount      *Money `json:"TaxAmount,omitempty"`
	LineAmount     *Money `json:"LineAmount,omitempty"`
	DiscountAmount *Money `json:"DiscountAmount,omitempty"`
}

// Invoice is a Xero invoice (ledger writes Type ACCREC).
type Invoice struct {
	Type            string     `json:"Type,omitempty"`
	InvoiceID       string     `json:"InvoiceID,omitempty"`
	InvoiceNumber   string     `json:"InvoiceNumber,omitempty"`
	Reference       string     `json:"Reference,omitempty"`
	Contact         *Contact   `json:"Contact,omitempty"`
	Date            string     `json:"Date,omitempty"`    // YYYY-MM-DD on write
	DueDate         string     `json:"DueDate,omitempty"` // YYYY-MM-DD on write
	Status          string     `json:"Status,omitempty"`
	LineAmountTypes string     `json:"LineAmountTypes,omitempty"`
	LineItems       []LineItem `json:"LineItems,omitempty"`
	CurrencyCode    string     `json:"CurrencyCode,omitempty"`
	SubTotal        *Money     `json:"SubTotal,omitempty"`
	TotalTax        *Money     `json:"TotalTax,omitempty"`
	Total           *Money     `json:"Total,omitempty"`
	AmountDue       *Money     `json:"AmountDue,omitempty"`
	AmountPaid      *Money     `json:"AmountPaid,omitempty"`
	AmountCredited  *Money     `json:"AmountCredited,omitempty"`
	UpdatedDateUTC  *Time      `json:"UpdatedDateUTC,omitempty"`

	HasErrors             bool                `json:"HasErrors,omitempty"`
	ValidationErrors      []ValidationMessage `json:"ValidationErrors,omitempty"`
	StatusAttributeString string              `json:"StatusAttributeString,omitempty"`
}

// CreditNote is a Xero credit note (ledger writes Type ACCRECCREDIT).
type CreditNote struct {
	Type             string       `json:"Type,omitempty"`
	CreditNoteID     string       `json:"CreditNoteID,omitempty"`
	CreditNoteNumber string       `json:"CreditNoteNumber,omitempty"`
	Reference        string       `json:"Reference,omitempty"`
	Contact          *Contact     `json:"Contact,omitempty"`
	Date             string       `json:"Date,omitempty"`
	Status           string       `json:"Status,omitempty"`
	LineAmountTypes  string       `json:"LineAmountTypes,omitempty"`
	LineItems        []LineItem   `json:"LineItems,omitempty"`
	CurrencyCode     string       `json:"CurrencyCode,omitempty"`
	SubTotal         *Money       `json:"SubTotal,omitempty"`
	TotalTax         *Money       `json:"TotalTax,omitempty"`
	Total            *Money       `json:"Total,omitempty"`
	RemainingCredit  *Money       `json:"RemainingCredit,omitempty"`
	UpdatedDateUTC   *Time        `json:"UpdatedDateUTC,omitempty"`
	Allocations      []Allocation `json:"Allocations,omitempty"`

	HasErrors             bool                `json:"HasErrors,omitempty"`
	ValidationErrors      []ValidationMessage `json:"ValidationErrors,omitempty"`
	StatusAttributeString string              `json:"StatusAttributeString,omitempty"`
}

// Allocation applies a credit note to an invoice.
type Allocation struct {
	AllocationID string   `json:"AllocationID,omitempty"`
	Invoice      *Invoice `json:"Invoice"`
	Amount       Money    `json:"Amount"`
	Date         string   `json:"Date"`

	ValidationErrors      []ValidationMessage `json:"ValidationErrors,omitempty"`
	StatusAttributeString string              `json:"StatusAttributeString,omitempty"`
}

// AccountRef points at an account by id or code.
type AccountRef struct {
	AccountID string `json:"AccountID,omitempty"`
	Code      string `json:"Code,omitempty"`
}

// Payment is a Xero payment against an invoice.
type Payment struct {
	PaymentID string      `json:"PaymentID,omitempty"`
	Invoice   *Invoice    `json:"Invoice,omitempty"`
	Account   *AccountRef `json:"Account,omitempty"`
	Date      string      `json:"Date,omitempty"`
	Amount    *Money      `json:"Amount,omitempty"`
	Reference string      `json:"Reference,omitempty"`
	Status    string      `json:"Status,omitempty"`

	HasValidationErrors   bool                `json:"HasValidationErrors,omitempty"`
	ValidationErrors      []ValidationMessage `json:"ValidationErrors,omitempty"`
	StatusAttributeString string              `json:"StatusAttributeString,omitempty"`
}

// ValidationMessage is one message Xero attached to an element.
type ValidationMessage struct {
	Message string `json:"Message"`
}
