package magento

import (
	"encoding/json"

	"github.com/shopspring/decimal"
)

// The canonical entities the Byte8 client module serves under
// /rest/V1/byte8/* (protocol §6). Magento omits null fields (§6.1), so every
// nullable field is a pointer or a slice; amounts are PHP floats on the wire
// and are decoded from their JSON text into exact decimals, never float64.

// Address is protocol §6.2.
type Address struct {
	Kind      string   `json:"kind"` // billing | shipping
	Street    []string `json:"street"`
	City      string   `json:"city"`
	Region    *string  `json:"region,omitempty"`
	Postcode  *string  `json:"postcode,omitempty"`
	CountryID string   `json:"country_id"`
	Telephone *string  `json:"telephone,omitempty"`
}

// Contact is protocol §6.3. MagentoID 0 is a guest: never GET /customer/0.
type Contact struct {
	MagentoID int64     `json:"magento_id"`
	Email     string    `json:"email"`
	FirstName *string   `json:"first_name,omitempty"`
	LastName  *string   `json:"last_name,omitempty"`
	Company   *string   `json:"company,omitempty"`
	Phone     *string   `json:"phone,omitempty"`
	WebsiteID int64     `json:"website_id"`
	GroupID   *int64    `json:"group_id,omitempty"`
	Addresses []Address `json:"addresses"`
	CreatedAt *string   `json:"created_at,omitempty"`
	UpdatedAt *string   `json:"updated_at,omitempty"`
}

// Line is protocol §6.4, shared by invoices and credit memos.
type Line struct {
	SKU          string           `json:"sku"`
	Name         string           `json:"name"`
	Qty          decimal.Decimal  `json:"qty"`
	UnitPrice    decimal.Decimal  `json:"unit_price"`
	LineSubtotal decimal.Decimal  `json:"line_subtotal"` // qty × price, excl. tax, before discount
	LineTax      decimal.Decimal  `json:"line_tax"`
	LineTotal    decimal.Decimal  `json:"line_total"` // subtotal + tax − discount
	TaxRate      *decimal.Decimal `json:"tax_rate,omitempty"`
	TaxClass     *string          `json:"tax_class,omitempty"`
	ProductType  *string          `json:"product_type,omitempty"`
}

// Discount is the line's discount from the totals identity:
// line_subtotal + line_tax − line_total.
func (l Line) Discount() decimal.Decimal {
	return l.LineSubtotal.Add(l.LineTax).Sub(l.LineTotal)
}

// Invoice is protocol §6.5. Amounts are in Currency.
type Invoice struct {
	MagentoID         int64            `json:"magento_id"`
	IncrementID       string           `json:"increment_id"`
	OrderID           int64            `json:"order_id"`
	OrderIncrementID  string           `json:"order_increment_id"`
	WebsiteID         int64            `json:"website_id"`
	StoreID           int64            `json:"store_id"`
	Currency          string           `json:"currency"`
	State             string           `json:"state"` // open | paid | cancelled
	Customer          Contact          `json:"customer"`
	Lines             []Line           `json:"lines"`
	Subtotal          decimal.Decimal  `json:"subtotal"`
	TaxAmount         decimal.Decimal  `json:"tax_amount"` // includes shipping tax
	ShippingAmount    decimal.Decimal  `json:"shipping_amount"`
	ShippingTaxAmount decimal.Decimal  `json:"shipping_tax_amount"`
	DiscountAmount    decimal.Decimal  `json:"discount_amount"` // ≤ 0
	GrandTotal        decimal.Decimal  `json:"grand_total"`
	CreatedAt         string           `json:"created_at"`
	PaymentMethod     *string          `json:"payment_method,omitempty"`
	BillingAddress    *Address         `json:"billing_address,omitempty"`
	ShippingAddress   *Address         `json:"shipping_address,omitempty"`
	PONumber          *string          `json:"po_number,omitempty"`
	BaseToOrderRate   *decimal.Decimal `json:"base_to_order_rate,omitempty"`
}

// Payment is protocol §6.6 (GET /payment/{invoice id}).
type Payment struct {
	MagentoID          int64           `json:"magento_id"`
	InvoiceID          int64           `json:"invoice_id"`
	InvoiceIncrementID string          `json:"invoice_increment_id"`
	Method             string          `json:"method"`
	Currency           string          `json:"currency"`
	Amount             decimal.Decimal `json:"amount"`
	CapturedAt         string          `json:"captured_at"`
	GatewayTxnID       *string         `json:"gateway_txn_id,omitempty"`
	// GatewayMetadata is opaque (Magento strips its keys); kept, never used.
	GatewayMetadata json.RawMessage `json:"gateway_metadata,omitempty"`
}

// CreditMemo is protocol §6.7. It has no subtotal, tax or discount header:
// derive them from the lines.
type CreditMemo struct {
	MagentoID          int64            `json:"magento_id"`
	IncrementID        string           `json:"increment_id"`
	InvoiceID          *int64           `json:"invoice_id,omitempty"`
	InvoiceIncrementID *string          `json:"invoice_increment_id,omitempty"`
	WebsiteID          int64            `json:"website_id"`
	StoreID            int64            `json:"store_id"`
	Currency           string           `json:"currency"`
	Customer           Contact          `json:"customer"`
	Lines              []Line           `json:"lines"`
	AdjustmentPositive decimal.Decimal  `json:"adjustment_positive"`
	AdjustmentNegative decimal.Decimal  `json:"adjustment_negative"`
	GrandTotal         decimal.Decimal  `json:"grand_total"`
	ShippingAmount     decimal.Decimal  `json:"shipping_amount"`
	ShippingTaxAmount  decimal.Decimal  `json:"shipping_tax_amount"`
	Reason             *string          `json:"reason,omitempty"`
	CreatedAt          string           `json:"created_at"`
	InvoiceCreatedAt   *string          `json:"invoice_created_at,omitempty"`
	BaseToOrderRate    *decimal.Decimal `json:"base_to_order_rate,omitempty"`
}

// PaymentMethod is one entry of GET /payment-methods (§7.2).
type PaymentMethod struct {
	Code     string  `json:"code"`
	Label    *string `json:"label"`
	IsActive bool    `json:"is_active"`
}

// SyncState is the body of POST /rest/V1/byte8/sync-state (§7.3). Optional
// fields are sent as null when empty; ProviderEntityID and ProviderReference
// must be resent on every callback because an omitted value clears them.
type SyncState struct {
	EntityType        string  `json:"entity_type"` // invoice | creditmemo | customer
	MagentoEntityID   int64   `json:"magento_entity_id"`
	Provider          string  `json:"provider"`    // always "xero"
	SyncStatus        string  `json:"sync_status"` // synced | skipped | failed
	ProviderEntityID  *string `json:"provider_entity_id"`
	ProviderReference *string `json:"provider_reference"`
	SkipReason        *string `json:"skip_reason"`
	ErrorCode         *string `json:"error_code"`
	LastSyncAt        string  `json:"last_sync_at,omitempty"` // YYYY-MM-DD HH:MM:SS UTC
}
