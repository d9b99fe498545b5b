package sync

import (
	"encoding/json"
	"slices"
	"time"

	"ledger/domain"
	"ledger/magento"
)

// Decide applies the binding's policy filters to one event, in the protocol's
// order (§10.2): unpaid, zero value, sync_since, website, store. It returns
// the skip reason, or "" when the event is to be synced. The payment-method
// filter comes last and is RoutePayment's.
//
// inv and cm are the fetched canonical entities, or nil when not fetched yet;
// filters that need them are then not applied (the envelope's website and
// store ids stand in), so a worker may call Decide once before fetching and
// once after. The unpaid filter judges invoice.created by payload.paid, the
// state at creation (§12 #30), never by the current state. Customers are
// filtered by website only: their envelope store_id is always 0.
func Decide(event string, env domain.Envelope, p domain.Policy, inv *magento.Invoice, cm *magento.CreditMemo) string {
	if !domain.HandledEvent(event) {
		return domain.SkipNotHandledEvent
	}
	website, store := env.WebsiteID, env.StoreID
	createdAt := ""
	switch {
	case inv != nil:
		website, store, createdAt = inv.WebsiteID, inv.StoreID, inv.CreatedAt
	case cm != nil:
		website, store, createdAt = cm.WebsiteID, cm.StoreID, cm.CreatedAt
	}

	if event == domain.EventInvoiceCreated && !p.SyncUnpaidInvoices && !payloadPaid(env.Payload) {
		return domain.SkipUnpaidInvoice
	}
	isInvoice := event == domain.EventInvoiceCreated || event == domain.EventInvoicePaid
	if isInvoice && !p.SyncZeroValueInvoices && inv != nil && inv.GrandTotal.IsZero() {
		return domain.SkipZeroValueInvoice
	}
	if p.SyncSince != nil && createdAt != "" && event != domain.EventCustomerUpserted {
		since, err := time.Parse(time.DateOnly, *p.SyncSince)
		if t, ok := magentoTime(createdAt); err == nil && ok && t.Before(since) {
			return domain.SkipOutsideSyncSince
		}
	}
	if len(p.WebsiteFilter) > 0 && !slices.Contains(p.WebsiteFilter, website) {
		return domain.SkipWebsiteFiltered
	}
	if event != domain.EventCustomerUpserted && len(p.StoreFilter) > 0 && !slices.Contains(p.StoreFilter, store) {
		return domain.SkipStoreFiltered
	}
	return ""
}

// payloadPaid reads payload.paid of invoice.created; anything unreadable
// counts as unpaid.
func payloadPaid(raw json.RawMessage) bool {
	var pl struct {
		Paid bool `json:"paid"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &pl) != nil {
		return false
	}
	return pl.Paid
}

// RoutePayment picks the Xero account a Magento payment method pays into
// (§10.3): a mapped AccountID; an explicit null ("don't auto-pay") skips; an
// unmapped method goes to default_bank_account_id, or skips without one.
func RoutePayment(method string, p domain.Policy) (accountID string, skipReason string) {
	if id, mapped := p.PaymentMethodMap[method]; mapped {
		if id == nil || *id == "" {
			return "", domain.SkipPaymentMethodNotMapped
		}
		return *id, ""
	}
	if p.DefaultBankAccountID != "" {
		return p.DefaultBankAccountID, ""
	}
	return "", domain.SkipPaymentMethodNotMapped
}
