package magentotest

import (
	"net/http"
	"strconv"
	"strings"

	"ledger/magento"
)

// AddInvoice registers a canonical invoice, served as Magento would
// serialise it (nulls omitted, amounts as JSON numbers).
func (m *Magento) AddInvoice(inv magento.Invoice) { m.addJSON(m.invoices, inv.MagentoID, Wire(inv)) }

// AddCreditMemo registers a canonical credit memo.
func (m *Magento) AddCreditMemo(cm magento.CreditMemo) {
	m.addJSON(m.creditMemos, cm.MagentoID, Wire(cm))
}

// AddCustomer registers a canonical customer (never id 0).
func (m *Magento) AddCustomer(c magento.Contact) { m.addJSON(m.customers, c.MagentoID, Wire(c)) }

// AddPayment registers the payment of an invoice (keyed by invoice id).
func (m *Magento) AddPayment(p magento.Payment) { m.addJSON(m.payments, p.InvoiceID, Wire(p)) }

// AddInvoiceJSON registers an invoice body verbatim.
func (m *Magento) AddInvoiceJSON(id int64, body []byte) { m.addJSON(m.invoices, id, body) }

func (m *Magento) addJSON(into map[int64][]byte, id int64, body []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	into[id] = body
}

// route returns the handler of an authenticated Byte8 route, or nil.
func (m *Magento) route(method, path string) http.HandlerFunc {
	if method == http.MethodPost && path == "/sync-state" {
		return m.syncState
	}
	if method != http.MethodGet {
		return nil
	}
	switch path {
	case "/ping":
		return m.ping
	case "/payment-methods":
		return m.listPaymentMethods
	}
	for prefix, store := range map[string]map[int64][]byte{
		"/invoice/": m.invoices, "/creditmemo/": m.creditMemos, "/customer/": m.customers, "/payment/": m.payments,
	} {
		if rest, ok := strings.CutPrefix(path, prefix); ok {
			return m.entity(store, rest, strings.Trim(prefix, "/"))
		}
	}
	return nil
}

func (m *Magento) entity(store map[int64][]byte, rawID, kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(rawID, 10, 64)
		m.mu.Lock()
		body, ok := store[id]
		m.mu.Unlock()
		if err != nil || !ok {
			writeError(w, http.StatusNotFound, "The %1 with id \"%2\" does not exist.", []string{kind, rawID})
			return
		}
		writeJSON(w, http.StatusOK, body)
	}
}

func (m *Magento) ping(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	tenant, now := m.tenantID, m.now()
	m.mu.Unlock()
	// Magento's output processor strips the associative keys (§7.1).
	writeJSON(w, http.StatusOK, []any{true, tenant, now.UTC().Format("2006-01-02T15:04:05+00:00")})
}

func (m *Magento) listPaymentMethods(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	body := m.paymentMethods
	m.mu.Unlock()
	if body == nil {
		writeError(w, http.StatusNotFound, "Request does not match any route.", nil)
		return
	}
	writeJSON(w, http.StatusOK, body)
}
