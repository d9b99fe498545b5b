package sync

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento"
)

func TestDecide(t *testing.T) {
	env := func(payload string) domain.Envelope {
		return domain.Envelope{MagentoEntityID: 42, WebsiteID: 1, StoreID: 1, Payload: json.RawMessage(payload)}
	}
	inv := func(grand string, created string, website, store int64) *magento.Invoice {
		return &magento.Invoice{GrandTotal: dec(grand), CreatedAt: created, WebsiteID: website, StoreID: store}
	}
	cm := &magento.CreditMemo{GrandTotal: dec("5"), CreatedAt: "2025-12-31T23:59:59Z", WebsiteID: 1, StoreID: 1}
	tests := []struct {
		name   string
		event  string
		env    domain.Envelope
		policy func(p *domain.Policy)
		inv    *magento.Invoice
		cm     *magento.CreditMemo
		want   string
	}{
		{"defaults sync everything", domain.EventInvoiceCreated, env(`{"paid":false}`), nil, inv("0", "2020-01-01T00:00:00Z", 9, 9), nil, ""},
		{"unhandled event", "product.upserted", env(`{}`), nil, nil, nil, domain.SkipNotHandledEvent},
		{"unpaid at creation", domain.EventInvoiceCreated, env(`{"increment_id":"1","paid":false}`),
			func(p *domain.Policy) { p.SyncUnpaidInvoices = false }, inv("10", "2026-01-01T00:00:00Z", 1, 1), nil, domain.SkipUnpaidInvoice},
		{"unpaid judged by payload, not the current state", domain.EventInvoiceCreated, env(`{"paid":false}`),
			func(p *domain.Policy) { p.SyncUnpaidInvoices = false },
			&magento.Invoice{State: "paid", GrandTotal: dec("10"), CreatedAt: "2026-01-01T00:00:00Z", WebsiteID: 1, StoreID: 1}, nil, domain.SkipUnpaidInvoice},
		{"paid at creation passes", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.SyncUnpaidInvoices = false }, inv("10", "2026-01-01T00:00:00Z", 1, 1), nil, ""},
		{"unreadable payload counts as unpaid", domain.EventInvoiceCreated, env(`[]`),
			func(p *domain.Policy) { p.SyncUnpaidInvoices = false }, nil, nil, domain.SkipUnpaidInvoice},
		{"unpaid filter does not apply to invoice.paid", domain.EventInvoicePaid, env(`{}`),
			func(p *domain.Policy) { p.SyncUnpaidInvoices = false }, inv("10", "2026-01-01T00:00:00Z", 1, 1), nil, ""},
		{"unpaid comes before zero value", domain.EventInvoiceCreated, env(`{"paid":false}`),
			func(p *domain.Policy) { p.SyncUnpaidInvoices = false; p.SyncZeroValueInvoices = false }, inv("0", "2026-01-01T00:00:00Z", 1, 1), nil, domain.SkipUnpaidInvoice},
		{"zero value", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.SyncZeroValueInvoices = false }, inv("0.00", "2026-01-01T00:00:00Z", 1, 1), nil, domain.SkipZeroValueInvoice},
		{"zero value on invoice.paid", domain.EventInvoicePaid, env(`{}`),
			func(p *domain.Policy) { p.SyncZeroValueInvoices = false }, inv("0", "2026-01-01T00:00:00Z", 1, 1), nil, domain.SkipZeroValueInvoice},
		{"zero value needs the entity", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.SyncZeroValueInvoices = false }, nil, nil, ""},
		{"zero value comes before sync_since", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.SyncZeroValueInvoices = false; p.SyncSince = ptr("2026-01-01") }, inv("0", "2020-01-01T00:00:00Z", 1, 1), nil, domain.SkipZeroValueInvoice},
		{"before sync_since", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.SyncSince = ptr("2026-01-01") }, inv("10", "2025-12-31T23:59:59Z", 1, 1), nil, domain.SkipOutsideSyncSince},
		{"on sync_since day", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.SyncSince = ptr("2026-01-01") }, inv("10", "2026-01-01T00:00:00Z", 1, 1), nil, ""},
		{"credit memo before sync_since", domain.EventCreditmemoCreated, env(`{}`),
			func(p *domain.Policy) { p.SyncSince = ptr("2026-01-01") }, nil, cm, domain.SkipOutsideSyncSince},
		{"sync_since comes before website", domain.EventCreditmemoCreated, env(`{}`),
			func(p *domain.Policy) { p.SyncSince = ptr("2026-01-01"); p.WebsiteFilter = []int64{2} }, nil, cm, domain.SkipOutsideSyncSince},
		{"website filtered", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.WebsiteFilter = []int64{2, 3} }, inv("10", "2026-01-01T00:00:00Z", 1, 1), nil, domain.SkipWebsiteFiltered},
		{"website filter from the envelope before fetching", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.WebsiteFilter = []int64{2} }, nil, nil, domain.SkipWebsiteFiltered},
		{"website comes before store", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.WebsiteFilter = []int64{2}; p.StoreFilter = []int64{2} }, inv("10", "2026-01-01T00:00:00Z", 1, 1), nil, domain.SkipWebsiteFiltered},
		{"store filtered", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.WebsiteFilter = []int64{1}; p.StoreFilter = []int64{2} }, inv("10", "2026-01-01T00:00:00Z", 1, 1), nil, domain.SkipStoreFiltered},
		{"store passes", domain.EventInvoiceCreated, env(`{"paid":true}`),
			func(p *domain.Policy) { p.StoreFilter = []int64{2, 1} }, inv("10", "2026-01-01T00:00:00Z", 1, 1), nil, ""},
		{"customer ignores the store filter (store_id is 0)", domain.EventCustomerUpserted,
			domain.Envelope{WebsiteID: 1, Payload: json.RawMessage(`{}`)},
			func(p *domain.Policy) { p.StoreFilter = []int64{1}; p.SyncSince = ptr("2030-01-01") }, nil, nil, ""},
		{"customer website filtered", domain.EventCustomerUpserted,
			domain.Envelope{WebsiteID: 1, Payload: json.RawMessage(`{}`)},
			func(p *domain.Policy) { p.WebsiteFilter = []int64{2} }, nil, nil, domain.SkipWebsiteFiltered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := domain.DefaultPolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			if got := Decide(tt.event, tt.env, p, tt.inv, tt.cm); got != tt.want {
				t.Errorf("Decide = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRoutePayment(t *testing.T) {
	p := domain.DefaultPolicy()
	p.PaymentMethodMap = map[string]*string{"stripe_payments": ptr(stripeID), "checkmo": nil}
	withDefault := p
	withDefault.DefaultBankAccountID = bankID
	type result struct{ Account, Skip string }
	tests := []struct {
		name   string
		method string
		p      domain.Policy
		want   result
	}{
		{"mapped", "stripe_payments", p, result{stripeID, ""}},
		{"mapped wins over default", "stripe_payments", withDefault, result{stripeID, ""}},
		{"don't auto-pay", "checkmo", p, result{"", domain.SkipPaymentMethodNotMapped}},
		{"don't auto-pay wins over default", "checkmo", withDefault, result{"", domain.SkipPaymentMethodNotMapped}},
		{"unmapped with default", "paypal_express", withDefault, result{bankID, ""}},
		{"unmapped without default", "paypal_express", p, result{"", domain.SkipPaymentMethodNotMapped}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc, skip := RoutePayment(tt.method, tt.p)
			if diff := cmp.Diff(tt.want, result{acc, skip}); diff != "" {
				t.Errorf("RoutePayment (-want +got):\n%s", diff)
			}
		})
	}
}
