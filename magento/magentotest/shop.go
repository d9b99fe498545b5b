package magentotest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
)

// Shop is a stream of realistic sales in one fake Magento, for `ledger
// demo`: each Step registers the canonical entities (customer, invoice,
// payment, credit memo) and publishes their webhooks through the store's
// publisher, as the Byte8 outbox would. The mix covers new and returning
// customers, guests, discounts, taxed shipping, paid and unpaid invoices,
// refunds, and a few sales ledger must refuse for a visible reason: an
// order in EUR (not enabled in the demo organisation) and a card payment
// whose method is not mapped to a bank account.
type Shop struct {
	m *Magento

	mu        sync.Mutex
	rnd       *rand.Rand
	step      int
	invoiceID int64
	memoID    int64
	custID    int64
	customers []magento.Contact
	paid      []magento.Invoice // refundable invoices
}

// Sale is what one Step did.
type Sale struct {
	Kind   string   // "paid", "unpaid", "guest", "refund", "customer", "eur", "card"
	Events []string // the webhooks published, "event:id"
}

// String describes the sale in a few words.
func (s Sale) String() string { return fmt.Sprintf("%s %v", s.Kind, s.Events) }

// Payment methods of the shop's sales.
const (
	ShopPaidMethod = "checkmo"         // mapped to the bank account by the demo
	ShopCardMethod = "stripe_payments" // left unmapped: its payments are skipped
)

// NewShop starts a shop stream on m; seed makes it reproducible. Entity
// ids start at 1000 so they never collide with the fixtures.
func NewShop(m *Magento, seed uint64) *Shop {
	return &Shop{m: m, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), invoiceID: 1000, memoID: 1000, custID: 1000}
}

// plan is the order of sale kinds, repeated.
var plan = []string{"paid", "guest", "paid", "unpaid", "refund", "paid", "eur", "customer", "card", "paid", "refund", "guest"}

// Step makes the next sale and publishes its webhooks; an error is the
// first delivery that failed (the entities stay registered).
func (s *Shop) Step(ctx context.Context) (Sale, error) {
	s.mu.Lock()
	kind := plan[s.step%len(plan)]
	s.step++
	if kind == "refund" && len(s.paid) == 0 {
		kind = "paid"
	}
	var sale Sale
	var pubs []publication
	switch kind {
	case "customer":
		c := s.newCustomer()
		s.m.AddCustomer(c)
		pubs = append(pubs, publication{domain.EventCustomerUpserted, c.MagentoID, c.WebsiteID, `{}`})
	case "refund":
		inv := s.paid[s.rnd.IntN(len(s.paid))]
		s.paid = removeInvoice(s.paid, inv.MagentoID)
		cm := s.refund(inv)
		s.m.AddCreditMemo(cm)
		pubs = append(pubs, publication{domain.EventCreditmemoCreated, cm.MagentoID, cm.WebsiteID, incrementPayload(cm.IncrementID)})
	default:
		inv := s.invoice(kind)
		s.m.AddInvoice(inv)
		pubs = append(pubs, publication{domain.EventInvoiceCreated, inv.MagentoID, inv.WebsiteID, incrementPayload(inv.IncrementID)})
		if inv.State == "paid" {
			p := magento.Payment{MagentoID: inv.MagentoID, InvoiceID: inv.MagentoID, InvoiceIncrementID: inv.IncrementID,
				Method: *inv.PaymentMethod, Currency: inv.Currency, Amount: inv.GrandTotal, CapturedAt: inv.CreatedAt,
				GatewayMetadata: []byte(`[]`)}
			s.m.AddPayment(p)
			pubs = append(pubs, publication{domain.EventInvoicePaid, inv.MagentoID, inv.WebsiteID, incrementPayload(inv.IncrementID)})
			if kind == "paid" {
				s.paid = append(s.paid, inv)
			}
		}
	}
	s.mu.Unlock()
	sale.Kind = kind
	now := s.m.Now().UTC().Format(time.RFC3339)
	for _, p := range pubs {
		env := domain.Envelope{MagentoEntityID: p.id, WebsiteID: p.website, StoreID: 1, OccurredAt: now, Payload: json.RawMessage(p.payload)}
		sale.Events = append(sale.Events, p.event+":"+strconv.FormatInt(p.id, 10))
		if _, _, err := s.m.Publish(ctx, "", p.event, env); err != nil {
			return sale, err
		}
	}
	return sale, nil
}

type publication struct {
	event   string
	id      int64
	website int64
	payload string
}

func incrementPayload(inc string) string {
	b, _ := json.Marshal(map[string]string{"increment_id": inc})
	return string(b)
}

func removeInvoice(list []magento.Invoice, id int64) []magento.Invoice {
	out := list[:0]
	for _, v := range list {
		if v.MagentoID != id {
			out = append(out, v)
		}
	}
	return out
}

var (
	firstNames = []string{"Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Freya", "Leo", "Priya", "Kwame"}
	lastNames  = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Patel", "Evans", "Khan", "O'Brien"}
	cities     = []string{"London", "Manchester", "Bristol", "Leeds", "Glasgow", "Cardiff", "Belfast", "York"}
	products   = []struct{ sku, name, price string }{
		{"TEE-M", "Organic T-shirt M", "18.00"}, {"HOOD-L", "Zip Hoodie L", "45.00"}, {"MUG-01", "Enamel Mug", "9.50"},
		{"CAP-01", "Canvas Cap", "14.99"}, {"SOCK-3P", "Wool Socks (3 pack)", "12.00"}, {"BAG-TOTE", "Tote Bag", "7.25"},
		{"BOTTLE-750", "Steel Bottle 750 ml", "21.00"}, {"JOURNAL-A5", "A5 Journal", "11.40"},
	}
	vat = decimal.RequireFromString("0.2")
)

func (s *Shop) pick(list []string) string { return list[s.rnd.IntN(len(list))] }

func (s *Shop) newCustomer() magento.Contact {
	s.custID++
	first, last := s.pick(firstNames), s.pick(lastNames)
	c := magento.Contact{
		MagentoID: s.custID, Email: fmt.Sprintf("%s.%s.%d@example.com", lower(first), lower(last), s.custID),
		FirstName: sp(first), LastName: sp(last), WebsiteID: 1, GroupID: ip(1),
		Addresses: []magento.Address{s.address("billing")},
		CreatedAt: sp(s.m.Now().UTC().Format(time.RFC3339)), UpdatedAt: sp(s.m.Now().UTC().Format(time.RFC3339)),
	}
	s.customers = append(s.customers, c)
	return c
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
		if c == '\'' {
			b[i] = '-'
		}
	}
	return string(b)
}

func (s *Shop) address(kind string) magento.Address {
	return magento.Address{Kind: kind, Street: []string{fmt.Sprintf("%d %s Road", 1+s.rnd.IntN(200), s.pick(lastNames))},
		City: s.pick(cities), Postcode: sp(fmt.Sprintf("AB%d %dCD", 1+s.rnd.IntN(20), 1+s.rnd.IntN(9))), CountryID: "GB"}
}

// customer is a returning customer half the time once there are some.
func (s *Shop) customer() magento.Contact {
	if len(s.customers) > 0 && s.rnd.IntN(2) == 0 {
		return s.customers[s.rnd.IntN(len(s.customers))]
	}
	return s.newCustomer()
}

// invoice builds one consistent invoice: UK VAT at 20 % on the discounted
// lines and on shipping; totals satisfy Magento's identities to the cent.
func (s *Shop) invoice(kind string) magento.Invoice {
	s.invoiceID++
	id := s.invoiceID
	inc := fmt.Sprintf("%09d", id)
	var cust magento.Contact
	if kind == "guest" {
		first, last := s.pick(firstNames), s.pick(lastNames)
		cust = Guest(fmt.Sprintf("%s.%s@guest.example.com", lower(first), lower(last)), first, last)
	} else {
		cust = s.customer()
	}
	discountPct := decimal.Zero
	if s.rnd.IntN(3) == 0 {
		discountPct = decimal.NewFromInt(int64(5 * (1 + s.rnd.IntN(4)))).Div(decimal.NewFromInt(100))
	}
	var lines []magento.Line
	subtotal, lineTax, discount := decimal.Zero, decimal.Zero, decimal.Zero
	for n := 1 + s.rnd.IntN(3); n > 0; n-- {
		p := products[s.rnd.IntN(len(products))]
		qty := decimal.NewFromInt(int64(1 + s.rnd.IntN(3)))
		price := decimal.RequireFromString(p.price)
		sub := qty.Mul(price)
		disc := sub.Mul(discountPct).Round(2)
		tax := sub.Sub(disc).Mul(vat).Round(2)
		rate := vat
		lines = append(lines, magento.Line{SKU: p.sku, Name: p.name, Qty: qty, UnitPrice: price, LineSubtotal: sub,
			LineTax: tax, LineTotal: sub.Sub(disc).Add(tax), TaxRate: &rate, ProductType: sp("simple")})
		subtotal, lineTax, discount = subtotal.Add(sub), lineTax.Add(tax), discount.Add(disc)
	}
	shipping := decimal.RequireFromString([]string{"0", "3.95", "4.99", "6.50"}[s.rnd.IntN(4)])
	shipTax := shipping.Mul(vat).Round(2)
	tax := lineTax.Add(shipTax)
	grand := subtotal.Sub(discount).Add(shipping).Add(tax)
	currency, state, method := "GBP", "paid", ShopPaidMethod
	switch kind {
	case "unpaid", "guest":
		state = "open"
		method = "banktransfer"
	case "eur":
		currency = "EUR"
	case "card":
		method = ShopCardMethod
	}
	bill := cust.Addresses[0]
	bill.Kind = "billing"
	return magento.Invoice{
		MagentoID: id, IncrementID: inc, OrderID: id, OrderIncrementID: inc, WebsiteID: 1, StoreID: 1,
		Currency: currency, State: state, Customer: cust, Lines: lines,
		Subtotal: subtotal, TaxAmount: tax, ShippingAmount: shipping, ShippingTaxAmount: shipTax,
		DiscountAmount: discount.Neg(), GrandTotal: grand, CreatedAt: s.m.Now().UTC().Format(time.RFC3339),
		PaymentMethod: sp(method), BillingAddress: &bill, BaseToOrderRate: dp("1"),
	}
}

// refund is a credit memo for the first line of inv (one unit), with its
// share of the discount and tax, plus the shipping when there was any.
func (s *Shop) refund(inv magento.Invoice) magento.CreditMemo {
	s.memoID++
	l := inv.Lines[0]
	unitSub := l.UnitPrice
	unitDisc := l.LineSubtotal.Sub(l.LineTotal.Sub(l.LineTax)).Div(l.Qty).Round(2)
	unitTax := unitSub.Sub(unitDisc).Mul(vat).Round(2)
	one := decimal.NewFromInt(1)
	rate := vat
	line := magento.Line{SKU: l.SKU, Name: l.Name, Qty: one, UnitPrice: l.UnitPrice, LineSubtotal: unitSub,
		LineTax: unitTax, LineTotal: unitSub.Sub(unitDisc).Add(unitTax), TaxRate: &rate, ProductType: l.ProductType}
	grand := line.LineTotal.Add(inv.ShippingAmount).Add(inv.ShippingTaxAmount)
	inc := fmt.Sprintf("%09d", s.memoID)
	return magento.CreditMemo{
		MagentoID: s.memoID, IncrementID: inc, InvoiceID: ip(inv.MagentoID), InvoiceIncrementID: sp(inv.IncrementID),
		WebsiteID: 1, StoreID: 1, Currency: inv.Currency, Customer: inv.Customer, Lines: []magento.Line{line},
		AdjustmentPositive: decimal.Zero, AdjustmentNegative: decimal.Zero, GrandTotal: grand,
		ShippingAmount: inv.ShippingAmount, ShippingTaxAmount: inv.ShippingTaxAmount, Reason: sp("Returned"),
		CreatedAt: s.m.Now().UTC().Format(time.RFC3339), InvoiceCreatedAt: sp(inv.CreatedAt), BaseToOrderRate: dp("1"),
	}
}
