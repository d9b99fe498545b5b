package cmd

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"ledger/alert"
	"ledger/metrics"
	"ledger/xero"
)

// Instrument makes the vault's Xero traffic observable: every request is
// counted by endpoint and status (metrics.RoundTripper), token refreshes
// are counted by result, limiter waits are timed, the budget gauges follow
// each binding's limiter, and alerts go out when a binding needs
// re-authorisation or has used 80 % of its daily budget. Call it before the
// vault hands out clients; nil m and al are fine.
func (v *XeroVault) Instrument(m *metrics.Metrics, al *alert.Alerter) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.metrics, v.alerts = m, al
	if m == nil {
		return
	}
	base := v.cfg.HTTPClient
	if base == nil {
		base = http.DefaultClient
	}
	hc := *base
	hc.Transport = &refreshCounter{m: m, tokenURL: v.cfg.TokenURL,
		next: m.RoundTripper(v.cfg.APIURL, base.Transport)}
	v.cfg.HTTPClient = &hc
}

// refreshCounter records the result of every refresh_token grant posted to
// Xero's token endpoint (authorization-code exchanges are not refreshes).
type refreshCounter struct {
	m        *metrics.Metrics
	tokenURL string
	next     http.RoundTripper
}

func (t *refreshCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	refresh := r.Method == http.MethodPost && sameEndpoint(r.URL, t.tokenURL) && isRefreshGrant(r)
	resp, err := t.next.RoundTrip(r)
	if refresh {
		if err == nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
			t.m.TokenRefresh(errRefreshRefused)
		} else {
			t.m.TokenRefresh(err)
		}
	}
	return resp, err
}

var errRefreshRefused = &xero.AuthError{Op: "refresh", Code: "refused"}

func sameEndpoint(u *url.URL, endpoint string) bool {
	e, err := url.Parse(endpoint)
	return err == nil && strings.EqualFold(u.Host, e.Host) && strings.TrimRight(u.Path, "/") == strings.TrimRight(e.Path, "/")
}

// isRefreshGrant reads a copy of the form body (GetBody) for
// grant_type=refresh_token.
func isRefreshGrant(r *http.Request) bool {
	if r.GetBody == nil {
		return false
	}
	body, err := r.GetBody()
	if err != nil {
		return false
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, 64<<10))
	if err != nil {
		return false
	}
	form, err := url.ParseQuery(string(b))
	return err == nil && form.Get("grant_type") == "refresh_token"
}

// budgetReporter updates a binding's budget gauges and the 80 % daily
// budget alert after every Accounting API call made with its client.
type budgetReporter struct {
	next     http.RoundTripper
	lim      *xero.Limiter
	binding  string
	tenantID string
	budget   int
	m        *metrics.Metrics
	al       *alert.Alerter
}

func (t *budgetReporter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err == nil {
		// Learn Xero's X-*Limit-Remaining now (the client's Done applies
		// them again, idempotently) so the gauges show Xero's own count.
		t.lim.Observe(resp.Header)
	}
	st := t.lim.Remaining()
	t.m.Budget(t.binding, metrics.WindowMinute, max(st.MinuteRemaining, 0))
	t.m.Budget(t.binding, metrics.WindowDay, st.DayRemaining)
	t.al.DailyBudget(t.binding, t.tenantID, t.budget-st.DayRemaining, t.budget)
	return resp, err
}

// apiHTTPClient is the *http.Client of one binding's Accounting API client.
func (v *XeroVault) apiHTTPClient(id uint64, tenantID string, lim *xero.Limiter) *http.Client {
	base := v.cfg.HTTPClient
	if v.metrics == nil && !v.alerts.Enabled() {
		return base
	}
	if base == nil {
		base = http.DefaultClient
	}
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc := *base
	hc.Transport = &budgetReporter{next: next, lim: lim, binding: bindingLabel(id), tenantID: tenantID,
		budget: v.budget, m: v.metrics, al: v.alerts}
	return &hc
}

// BudgetUsed reports, per Xero organisation the vault has a limiter for,
// the share of today's budget already used (0..1).
func (v *XeroVault) BudgetUsed() map[string]float64 {
	v.mu.Lock()
	lims := make(map[string]*xero.Limiter, len(v.limiters))
	for k, l := range v.limiters {
		lims[k] = l
	}
	v.mu.Unlock()
	out := make(map[string]float64, len(lims))
	for org, l := range lims {
		if v.budget > 0 {
			out[org] = float64(v.budget-l.DayRemaining()) / float64(v.budget)
		}
	}
	return out
}

// DayUsed is how many Accounting API calls the organisation of a binding
// has used today as its limiter knows them (0 when none is known), for the
// worker's pacing.
func (v *XeroVault) DayUsed(bindingID uint64) int {
	b, err := v.db.Binding(bindingID)
	if err != nil || b.XeroTenantID == "" || v.budget <= 0 {
		return 0
	}
	v.mu.Lock()
	l := v.limiters[b.XeroTenantID]
	v.mu.Unlock()
	if l == nil {
		return 0
	}
	return max(v.budget-l.DayRemaining(), 0)
}
