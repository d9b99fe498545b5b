package synctest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/store"
)

// Accept records one webhook delivery like the Magento route does and
// returns its runs.
func (e *Env) Accept(event string, id int64, payload string) []uint64 {
	e.T.Helper()
	if payload == "" {
		payload = "{}"
	}
	res, err := e.DB.AcceptEvent(e.Ctx, store.AcceptRequest{
		TenantID: e.Tenant, IdempotencyKey: event + ":" + strconv.FormatInt(id, 10), Event: event,
		Envelope: domain.Envelope{MagentoEntityID: id, WebsiteID: 1, StoreID: 1, OccurredAt: e.Clock.Now().UTC().Format(time.RFC3339), Payload: json.RawMessage(payload)},
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return res.RunIDs
}

// Run reads run id.
func (e *Env) Run(id uint64) *domain.SyncRun {
	e.T.Helper()
	r, err := e.DB.Run(id)
	if err != nil {
		e.T.Fatal(err)
	}
	return r
}

// SyncState is the fake Magento's sync-state row of an entity.
func (e *Env) SyncState(entity string, id int64) magentotest.SyncStateRow {
	return e.Magento.SyncStates()[magentotest.SyncStateKey{EntityType: entity, MagentoID: id, Provider: "xero"}]
}

// AccountingCalls counts the Accounting API requests the fake received.
func (e *Env) AccountingCalls() int {
	n := 0
	for k, v := range e.Xero.Calls() {
		switch k {
		case "replay", "429", "GET /connections", "DELETE /connections/{id}", "GET /authorize", "POST /token", "POST /revocation":
			continue
		}
		if len(k) > 0 && (k[0] == 'G' || k[0] == 'P' || k[0] == 'D') {
			n += v
		}
	}
	return n
}

// Order builds paid order n (invoice and payment n, increment 1000000nn)
// of a new customer (1000+n) paid with method: 2 × 10.00 at 20 % VAT,
// 5.00 shipping + 1.00 VAT: 30.00 GBP.
func Order(n int64, method string) (magento.Invoice, magento.Payment) {
	d := decimal.RequireFromString
	first, last := "Cust", fmt.Sprintf("Number%d", n)
	inc := fmt.Sprintf("1%08d", n)
	inv := magento.Invoice{
		MagentoID: n, IncrementID: inc, OrderID: n, OrderIncrementID: inc, WebsiteID: 1, StoreID: 1, Currency: "GBP", State: "paid",
		Customer: magento.Contact{MagentoID: 1000 + n, Email: fmt.Sprintf("c%d@example.com", n), FirstName: &first, LastName: &last, WebsiteID: 1,
			Addresses: []magento.Address{{Kind: "billing", Street: []string{"1 High St"}, City: "London", CountryID: "GB"}}},
		Lines:    []magento.Line{{SKU: "TEE", Name: "T-shirt", Qty: d("2"), UnitPrice: d("10"), LineSubtotal: d("20"), LineTax: d("4"), LineTotal: d("24")}},
		Subtotal: d("20"), TaxAmount: d("5"), ShippingAmount: d("5"), ShippingTaxAmount: d("1"), DiscountAmount: decimal.Zero,
		GrandTotal: d("30"), CreatedAt: "2026-04-29T08:00:00Z", PaymentMethod: &method,
	}
	pay := magento.Payment{MagentoID: n, InvoiceID: n, InvoiceIncrementID: inc, Method: method, Currency: "GBP", Amount: d("30"), CapturedAt: "2026-04-29T08:00:00Z"}
	return inv, pay
}

// Event is one webhook: its event name and payload.
type Event struct{ Name, Payload string }

// PaidEvents are the webhooks Magento sends for a paid invoice:
// invoice.created (paid) and invoice.paid.
func PaidEvents(inv magento.Invoice) []Event {
	return []Event{
		{domain.EventInvoiceCreated, fmt.Sprintf(`{"increment_id":%q,"paid":true}`, inv.IncrementID)},
		{domain.EventInvoicePaid, fmt.Sprintf(`{"increment_id":%q}`, inv.IncrementID)},
	}
}

// PaidOrder registers order n (paid by check) in Magento and accepts both
// of its events.
func (e *Env) PaidOrder(n int64) {
	e.T.Helper()
	inv, pay := Order(n, "checkmo")
	e.Magento.AddInvoice(inv)
	e.Magento.AddPayment(pay)
	for _, ev := range PaidEvents(inv) {
		e.Accept(ev.Name, n, ev.Payload)
	}
}
