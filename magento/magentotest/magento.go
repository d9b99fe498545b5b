// Package magentotest is a strict fake Magento with the Byte8 client and
// Xero modules installed, for everyone's tests: it pairs, verifies ledger's
// tokens exactly like Magento's JwtUserContext, serves canonical fixtures,
// records sync-state callbacks with Magento's validation, injects faults,
// and publishes webhooks, health probes and disconnects like the module.
package magentotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"ledger/internal/loopback"
)

// Magento is one fake store. Its zero-config state is "not paired".
type Magento struct {
	Server *httptest.Server
	logf   func(format string, args ...any)

	mu             sync.Mutex
	nowFn          func() time.Time
	offset         time.Duration
	tenantID       string
	apiKey         string
	ledgerBaseURL  string
	codeHash       string
	codeIssuedAt   int64
	jtis           map[string]int64 // sha1(jti) → unix expiry
	invoices       map[int64][]byte
	creditMemos    map[int64][]byte
	customers      map[int64][]byte
	payments       map[int64][]byte
	paymentMethods []byte // nil: 404 (older module)
	syncStates     map[SyncStateKey]SyncStateRow
	failN          int
	failStatus     int
	revoked        bool
	requests       []Request
}

// Request is one call the fake received on a Byte8 route.
type Request struct {
	Method, Path string
	Status       int
	JTI          string // the token's jti, if it carried one
}

// Options configure a fake started with NewServer.
type Options struct {
	// Addr is the loopback address to listen on ("" picks a free port).
	Addr string
	// Logf receives the fake's diagnostics (rejected tokens); nil drops them.
	Logf func(format string, args ...any)
}

// NewServer starts a fake Magento (plain HTTP, i.e. developer mode) outside
// a test, e.g. for `ledger demo`; Close stops it. Tests use New.
func NewServer(opts Options) (*Magento, error) {
	m := newMagento(opts.Logf)
	srv, err := loopback.Start(http.HandlerFunc(m.serve), opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("magentotest: %w", err)
	}
	m.Server = srv
	return m, nil
}

// Close stops the fake's HTTP server.
func (m *Magento) Close() { m.Server.Close() }

func newMagento(logf func(string, ...any)) *Magento {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Magento{
		logf: logf, nowFn: time.Now,
		jtis:        map[string]int64{},
		invoices:    map[int64][]byte{},
		creditMemos: map[int64][]byte{},
		customers:   map[int64][]byte{},
		payments:    map[int64][]byte{},
		syncStates:  map[SyncStateKey]SyncStateRow{},
		paymentMethods: []byte(`[{"code":"checkmo","label":"Check / Money order","is_active":true},` +
			`{"code":"banktransfer","label":null,"is_active":false},` +
			`{"code":"stripe_payments","label":"Credit Card","is_active":true}]`),
	}
}

// URL is the store's base URL (what the merchant pastes into ledger).
func (m *Magento) URL() string { return m.Server.URL }

// SetClock replaces the wall clock (default time.Now).
func (m *Magento) SetClock(now func() time.Time) {
	m.mu.Lock()
	m.nowFn = now
	m.offset = 0
	m.mu.Unlock()
}

// Advance moves the fake's clock forward by d.
func (m *Magento) Advance(d time.Duration) { m.mu.Lock(); m.offset += d; m.mu.Unlock() }

// Now is the fake's current time.
func (m *Magento) Now() time.Time { m.mu.Lock(); defer m.mu.Unlock(); return m.now() }

func (m *Magento) now() time.Time { return m.nowFn().Add(m.offset) }

// SetCredentials stores a pairing directly, as if Pair had succeeded.
func (m *Magento) SetCredentials(tenantID, apiKey, ledgerBaseURL string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tenantID, m.apiKey, m.ledgerBaseURL = tenantID, apiKey, strings.TrimRight(ledgerBaseURL, "/")
}

// Credentials returns what the store learnt at pairing ("" when not paired).
func (m *Magento) Credentials() (tenantID, apiKey, ledgerBaseURL string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tenantID, m.apiKey, m.ledgerBaseURL
}

// FailNext makes the next n calls to Byte8 REST routes (other than pair)
// answer status with Magento's error body, before authentication.
func (m *Magento) FailNext(n, status int) {
	m.mu.Lock()
	m.failN, m.failStatus = n, status
	m.mu.Unlock()
}

// RevokeToken makes every token fail verification (401), as after the
// merchant re-paired with another ledger; Unrevoke undoes it.
func (m *Magento) RevokeToken() { m.mu.Lock(); m.revoked = true; m.mu.Unlock() }

// Unrevoke undoes RevokeToken.
func (m *Magento) Unrevoke() { m.mu.Lock(); m.revoked = false; m.mu.Unlock() }

// DisablePaymentMethods makes /payment-methods 404, like an older module.
func (m *Magento) DisablePaymentMethods() { m.mu.Lock(); m.paymentMethods = nil; m.mu.Unlock() }

// Requests returns every call received on Byte8 routes, in order.
func (m *Magento) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.requests...)
}

const restPrefix = "/rest/V1/byte8"

func (m *Magento) serve(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	jti := ""
	defer func() {
		m.mu.Lock()
		m.requests = append(m.requests, Request{Method: r.Method, Path: r.URL.Path, Status: rec.status, JTI: jti})
		m.mu.Unlock()
	}()
	path, ok := strings.CutPrefix(r.URL.Path, restPrefix)
	if !ok {
		writeError(rec, http.StatusNotFound, "Request does not match any route.", nil)
		return
	}
	if path == "/xero_accounting/setup/pair" && r.Method == http.MethodPost {
		m.pair(rec, r)
		return
	}
	h := m.route(r.Method, path)
	if h == nil {
		writeError(rec, http.StatusNotFound, "Request does not match any route.", nil)
		return
	}
	m.mu.Lock()
	if m.failN > 0 {
		m.failN--
		status := m.failStatus
		m.mu.Unlock()
		writeError(rec, status, "Internal Error. Details are available in Magento log file. Report ID: webapi-fake", nil)
		return
	}
	m.mu.Unlock()
	var err error
	if jti, err = m.authenticate(r); err != nil {
		m.logf("magentotest: %s %s: 401: %v", r.Method, r.URL.Path, err)
		writeError(rec, http.StatusUnauthorized, "The consumer isn't authorized to access %resources.",
			map[string]string{"resources": "Byte8_Client::byte8_webapi"})
		return
	}
	h(rec, r)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

// writeError writes Magento's webapi error body.
func writeError(w http.ResponseWriter, status int, message string, params any) {
	body := map[string]any{"message": message}
	if params != nil {
		body["parameters"] = params
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if raw, ok := v.([]byte); ok {
		w.Write(raw)
		return
	}
	json.NewEncoder(w).Encode(v)
}
