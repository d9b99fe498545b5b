package magentotest

import (
	"github.com/shopspring/decimal"

	"ledger/magento"
)

// Ids of the ready-made fixtures LoadFixtures registers.
const (
	CustomerJoID           = 7  // registered, the §6.5 example's customer
	CustomerJaneID         = 3  // registered, from the Adobe bundle/configurable tutorial
	InvoiceDiscountedID    = 42 // §6.5: 10 % discount, 20 % VAT, taxed shipping, paid by card
	InvoiceBundleID        = 3  // Adobe tutorial: simple, downloadable, bundle + children, configurable + zero child
	InvoiceGuestID         = 5  // Adobe MSI tutorial: guest, 20 % cart rule, untaxed, purchase order
	CreditMemoPartialID    = 8  // refunds part of invoice 42, with both adjustments
	CreditMemoNoInvoiceID  = 1  // Adobe KB: offline full refund, no invoice, guest
	PaymentMethodCard      = "stripe_payments"
	PaymentMethodBank      = "banktransfer"
	PaymentMethodPurchOrdr = "purchaseorder"
)

// Invoice42JSON is protocol §6.5's example body, byte for byte.
const Invoice42JSON = `{
  "magento_id": 42, "increment_id": "000000042", "order_id": 57, "order_increment_id": "000000057",
  "website_id": 1, "store_id": 1, "currency": "GBP", "state": "paid",
  "customer": {
    "magento_id": 7, "email": "jo@example.com", "first_name": "Jo", "last_name": "Bloggs",
    "phone": "+44 20 7946 0000", "website_id": 1, "group_id": 1,
    "addresses": [
      {"kind": "billing", "street": ["1 High St", "Flat 2"], "city": "London", "region": "Greater London",
       "postcode": "EC1A 1AA", "country_id": "GB", "telephone": "+44 20 7946 0000"}
    ],
    "created_at": "2026-01-02T09:00:00Z", "updated_at": "2026-04-01T10:00:00Z"
  },
  "lines": [
    {"sku": "TEE-M", "name": "T-shirt M", "qty": 2.0, "unit_price": 10.0, "line_subtotal": 20.0,
     "line_tax": 3.6, "line_total": 21.6, "tax_rate": 0.18, "product_type": "simple"}
  ],
  "subtotal": 20.0, "tax_amount": 4.6, "shipping_amount": 5.0, "shipping_tax_amount": 1.0,
  "discount_amount": -2.0, "grand_total": 27.6, "created_at": "2026-04-29T10:11:12Z",
  "payment_method": "stripe_payments",
  "billing_address": {"kind": "billing", "street": ["1 High St", "Flat 2"], "city": "London",
                      "region": "Greater London", "postcode": "EC1A 1AA", "country_id": "GB"},
  "base_to_order_rate": 1.0
}`

func d(s string) decimal.Decimal   { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal { v := d(s); return &v }
func sp(s string) *string          { return &s }
func ip(i int64) *int64            { return &i }

func line(sku, name, qty, price, subtotal, tax, total, ptype string) magento.Line {
	l := magento.Line{SKU: sku, Name: name, Qty: d(qty), UnitPrice: d(price), LineSubtotal: d(subtotal),
		LineTax: d(tax), LineTotal: d(total), ProductType: sp(ptype)}
	if l.LineTax.IsPositive() && l.LineSubtotal.IsPositive() {
		l.TaxRate = dp(l.LineTax.Div(l.LineSubtotal).Round(4).String())
	}
	return l
}

// CustomerJo is the registered customer of the §6.5 example.
func CustomerJo() magento.Contact {
	return magento.Contact{
		MagentoID: CustomerJoID, Email: "jo@example.com", FirstName: sp("Jo"), LastName: sp("Bloggs"),
		Phone: sp("+44 20 7946 0000"), WebsiteID: 1, GroupID: ip(1),
		Addresses: []magento.Address{{Kind: "billing", Street: []string{"1 High St", "Flat 2"}, City: "London",
			Region: sp("Greater London"), Postcode: sp("EC1A 1AA"), CountryID: "GB", Telephone: sp("+44 20 7946 0000")}},
		CreatedAt: sp("2026-01-02T09:00:00Z"), UpdatedAt: sp("2026-04-01T10:00:00Z"),
	}
}

func janeAddress(kind string) magento.Address {
	return magento.Address{Kind: kind, Street: []string{"123 Oak Ave"}, City: "Purchase", Region: sp("New York"),
		Postcode: sp("10577"), CountryID: "US", Telephone: sp("512-555-1111")}
}

// CustomerJane is the Adobe tutorial's registered customer; her default
// billing and shipping address is one row, so it appears twice.
func CustomerJane() magento.Contact {
	return magento.Contact{
		MagentoID: CustomerJaneID, Email: "jdoe@example.com", FirstName: sp("Jane"), LastName: sp("Doe"),
		Phone: sp("512-555-1111"), WebsiteID: 1, GroupID: ip(1),
		Addresses: []magento.Address{janeAddress("billing"), janeAddress("shipping")},
		CreatedAt: sp("2017-08-21T22:30:00Z"), UpdatedAt: sp("2017-08-21T22:30:00Z"),
	}
}

// Guest is a guest contact: magento_id 0, website 0, no group.
func Guest(email, first, last string) magento.Contact {
	return magento.Contact{MagentoID: 0, Email: email, FirstName: sp(first), LastName: sp(last), WebsiteID: 0,
		Addresses: []magento.Address{{Kind: "billing", Street: []string{"6146 Honey Bluff Parkway"}, City: "Calder",
			Region: sp("Michigan"), Postcode: sp("49628-7978"), CountryID: "US", Telephone: sp("(555) 229-3326")}}}
}

// InvoiceBundle is the Adobe tutorial invoice in canonical form: a simple,
// a downloadable, a dynamic-price bundle (a zero-total parent carrying the
// price, plus priced children) and a configurable parent with a zero-value
// child of the same SKU. Subtotal 160, shipping 5, grand total 165, no tax.
func InvoiceBundle() magento.Invoice {
	ship := janeAddress("shipping")
	bill := janeAddress("billing")
	return magento.Invoice{
		MagentoID: InvoiceBundleID, IncrementID: "000000003", OrderID: 3, OrderIncrementID: "000000003",
		WebsiteID: 1, StoreID: 1, Currency: "USD", State: "paid", Customer: CustomerJane(),
		Lines: []magento.Line{
			line("WS12-M-Orange", "Radiant Tee-M-Orange", "1", "22", "22", "0", "22", "simple"),
			line("240-LV08", "Advanced Pilates & Yoga (Strength)", "1", "18", "18", "0", "18", "downloadable"),
			line("24-WG080-24-WG084-24-WG088-24-WG082-blue-24-WG086", "Sprite Yoga Companion Kit", "1", "68", "0", "0", "0", "bundle"),
			line("24-WG082-blue", "Sprite Stasis Ball 65 cm", "1", "27", "27", "0", "27", "simple"),
			line("24-WG084", "Sprite Foam Yoga Brick", "1", "5", "5", "0", "5", "simple"),
			line("24-WG086", "Sprite Yoga Strap 8 foot", "1", "17", "17", "0", "17", "simple"),
			line("24-WG088", "Sprite Foam Roller", "1", "19", "19", "0", "19", "simple"),
			line("MH01-S-Gray", "Chaz Kangeroo Hoodie", "1", "52", "52", "0", "52", "configurable"),
			line("MH01-S-Gray", "Chaz Kangeroo Hoodie-S-Gray", "1", "0", "0", "0", "0", "simple"),
		},
		Subtotal: d("160"), TaxAmount: d("0"), ShippingAmount: d("5"), ShippingTaxAmount: d("0"),
		DiscountAmount: d("0"), GrandTotal: d("165"), CreatedAt: "2017-08-21T22:36:02Z",
		PaymentMethod: sp(PaymentMethodBank), BillingAddress: &bill, ShippingAddress: &ship, BaseToOrderRate: dp("1"),
	}
}

// InvoiceGuest is the Adobe MSI tutorial invoice with a guest customer: a
// 20 % cart rule (header discount −404.4, line discounts 144/256/4.4), 300
// shipping, no tax, grand total 1917.6, paid by purchase order.
func InvoiceGuest() magento.Invoice {
	g := Guest("roni_cost@example.com", "Veronica", "Costello")
	bill := g.Addresses[0]
	return magento.Invoice{
		MagentoID: InvoiceGuestID, IncrementID: "000000005", OrderID: 5, OrderIncrementID: "000000005",
		WebsiteID: 1, StoreID: 1, Currency: "USD", State: "open", Customer: g,
		Lines: []magento.Line{
			line("24-WB03", "Driven Backpack", "20", "36", "720", "0", "576", "simple"),
			line("24-WB01", "Voyage Yoga Bag", "40", "32", "1280", "0", "1024", "simple"),
			line("240-LV06", "Yoga Adventure", "1", "22", "22", "0", "17.6", "downloadable"),
		},
		Subtotal: d("2022"), TaxAmount: d("0"), ShippingAmount: d("300"), ShippingTaxAmount: d("0"),
		DiscountAmount: d("-404.4"), GrandTotal: d("1917.6"), CreatedAt: "2020-07-23T16:59:20Z",
		PaymentMethod: sp(PaymentMethodPurchOrdr), BillingAddress: &bill, PONumber: sp("PO-2020-0723"), BaseToOrderRate: dp("1"),
	}
}

// CreditMemoPartial refunds one T-shirt of invoice 42 plus its shipping,
// with a 1.50 adjustment refund and a 0.50 adjustment fee:
// 10.80 + 5.00 + 1.00 + 1.50 − 0.50 = 17.80.
func CreditMemoPartial() magento.CreditMemo {
	return magento.CreditMemo{
		MagentoID: CreditMemoPartialID, IncrementID: "000000008", InvoiceID: ip(InvoiceDiscountedID), InvoiceIncrementID: sp("000000042"),
		WebsiteID: 1, StoreID: 1, Currency: "GBP", Customer: CustomerJo(),
		Lines:              []magento.Line{line("TEE-M", "T-shirt M", "1", "10", "10", "1.8", "10.8", "simple")},
		AdjustmentPositive: d("1.5"), AdjustmentNegative: d("0.5"), GrandTotal: d("17.8"),
		ShippingAmount: d("5"), ShippingTaxAmount: d("1"), Reason: sp("Wrong size"),
		CreatedAt: "2026-05-02T08:00:00Z", InvoiceCreatedAt: sp("2026-04-29T10:11:12Z"), BaseToOrderRate: dp("1"),
	}
}

// CreditMemoNoInvoice is the Adobe KB credit memo: an offline full refund
// of 100 + 5 shipping made from the order, so no invoice id.
func CreditMemoNoInvoice() magento.CreditMemo {
	return magento.CreditMemo{
		MagentoID: CreditMemoNoInvoiceID, IncrementID: "000000001", WebsiteID: 1, StoreID: 1, Currency: "USD",
		Customer:           Guest("customer@example.com", "John", "Smith"),
		Lines:              []magento.Line{line("simple_1", "simple_1", "1", "100", "100", "0", "100", "simple")},
		AdjustmentPositive: d("0"), AdjustmentNegative: d("0"), GrandTotal: d("105"),
		ShippingAmount: d("5"), ShippingTaxAmount: d("0"), CreatedAt: "2021-04-05T23:43:45Z", BaseToOrderRate: dp("1"),
	}
}

// Payment42 is invoice 42's card payment.
func Payment42() magento.Payment {
	return magento.Payment{MagentoID: InvoiceDiscountedID, InvoiceID: InvoiceDiscountedID, InvoiceIncrementID: "000000042",
		Method: PaymentMethodCard, Currency: "GBP", Amount: d("27.6"), CapturedAt: "2026-04-29T10:11:12Z",
		GatewayTxnID: sp("pi_3Nx0000000000000"), GatewayMetadata: []byte(`["card","visa","4242"]`)}
}

// PaymentBundle is the bank-transfer payment of the tutorial invoice.
func PaymentBundle() magento.Payment {
	return magento.Payment{MagentoID: InvoiceBundleID, InvoiceID: InvoiceBundleID, InvoiceIncrementID: "000000003",
		Method: PaymentMethodBank, Currency: "USD", Amount: d("165"), CapturedAt: "2017-08-21T22:36:02Z",
		GatewayMetadata: []byte(`[]`)}
}

// LoadFixtures registers every ready-made fixture above.
func (m *Magento) LoadFixtures() {
	m.AddInvoiceJSON(InvoiceDiscountedID, []byte(Invoice42JSON))
	m.AddInvoice(InvoiceBundle())
	m.AddInvoice(InvoiceGuest())
	m.AddCreditMemo(CreditMemoPartial())
	m.AddCreditMemo(CreditMemoNoInvoice())
	m.AddCustomer(CustomerJo())
	m.AddCustomer(CustomerJane())
	m.AddPayment(Payment42())
	m.AddPayment(PaymentBundle())
}
