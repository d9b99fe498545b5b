// Package metrics owns ledger's Prometheus instrumentation: one private
// registry, typed recording methods so callers never touch label names, an
// HTTP handler for GET /metrics and a RoundTripper that records Xero calls.
//
// A nil *Metrics is valid: every method is then a no-op, so packages can take
// an optional *Metrics without checks.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Budget windows reported by ledger_xero_budget_remaining{window}.
const (
	WindowMinute = "minute"
	WindowDay    = "day"
)

// Metrics holds ledger's collectors, registered on a private registry.
type Metrics struct {
	reg *prometheus.Registry

	webhooks        *prometheus.CounterVec
	webhookDuration *prometheus.HistogramVec
	syncRuns        *prometheus.CounterVec
	syncDuration    *prometheus.HistogramVec
	xeroRequests    *prometheus.CounterVec
	xeroDuration    *prometheus.HistogramVec
	rateLimited     *prometheus.CounterVec
	limiterWait     prometheus.Histogram
	budget          *prometheus.GaugeVec
	tokenRefreshes  *prometheus.CounterVec
	queue           *queueCollector
}

// New returns a Metrics with every ledger collector plus the Go runtime and
// process collectors registered on its own registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_webhooks_total",
			Help: "Magento webhooks received, by event name and result.",
		}, []string{"event", "result"}),
		webhookDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ledger_webhook_duration_seconds",
			Help:    "Time to answer a Magento webhook.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, nil),
		syncRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_sync_runs_total",
			Help: "Sync run status transitions, by the status entered.",
		}, []string{"status"}),
		syncDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ledger_sync_run_duration_seconds",
			Help:    "Time for one sync run attempt, by Magento event.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"event"}),
		xeroRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_xero_requests_total",
			Help: "Xero API calls, by endpoint and HTTP status (0 when no response arrived).",
		}, []string{"endpoint", "status"}),
		xeroDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ledger_xero_request_duration_seconds",
			Help:    "Xero API call latency, by endpoint.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"endpoint"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_xero_rate_limited_total",
			Help: "Xero 429 responses, by X-Rate-Limit-Problem (minute, day, appminute, concurrent or unknown).",
		}, []string{"problem"}),
		limiterWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ledger_xero_limiter_wait_seconds",
			Help:    "Time a Xero call waited in ledger's own rate limiter before being sent.",
			Buckets: []float64{0, .01, .1, .5, 1, 5, 15, 30, 60, 300},
		}),
		budget: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ledger_xero_budget_remaining",
			Help: "Xero calls left for a binding's organisation in the current minute or UTC day.",
		}, []string{"binding", "window"}),
		tokenRefreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_xero_token_refreshes_total",
			Help: "Xero OAuth token refreshes, by result (ok or failed).",
		}, []string{"result"}),
		queue: &queueCollector{desc: prometheus.NewDesc(
			"ledger_queue_depth",
			"Sync runs waiting (queued) per binding.",
			[]string{"binding"}, nil,
		)},
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.webhooks, m.webhookDuration, m.syncRuns, m.syncDuration,
		m.xeroRequests, m.xeroDuration, m.rateLimited, m.limiterWait,
		m.budget, m.tokenRefreshes, m.queue,
	)
	return m
}

// Registry returns the private registry (for tests and extra collectors).
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the registry in the Prometheus text format. On a nil
// Metrics it serves 404 so a disabled /metrics says so.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:          m.reg,
		EnableOpenMetrics: false,
	})
}

// Webhook records one answered Magento webhook. result is a short word such
// as "accepted", "duplicate", "unauthorized", "invalid" or "error".
func (m *Metrics) Webhook(event, result string, d time.Duration) {
	if m == nil {
		return
	}
	m.webhooks.WithLabelValues(event, result).Inc()
	m.webhookDuration.WithLabelValues().Observe(d.Seconds())
}

// SyncTransition records a sync run entering status (queued, running,
// succeeded, failed, skipped_by_policy, dead_lettered).
func (m *Metrics) SyncTransition(status string) {
	if m == nil {
		return
	}
	m.syncRuns.WithLabelValues(status).Inc()
}

// SyncRun records how long one sync run attempt for event took.
func (m *Metrics) SyncRun(event string, d time.Duration) {
	if m == nil {
		return
	}
	m.syncDuration.WithLabelValues(event).Observe(d.Seconds())
}

// XeroRequest records one Xero API call; status 0 means no response (a
// transport error). A 429 is also counted by RateLimited by the caller or by
// the RoundTripper.
func (m *Metrics) XeroRequest(endpoint string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.xeroRequests.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
	m.xeroDuration.WithLabelValues(endpoint).Observe(d.Seconds())
}

// RateLimited records one Xero 429 with its X-Rate-Limit-Problem value
// ("unknown" when empty).
func (m *Metrics) RateLimited(problem string) {
	if m == nil {
		return
	}
	if problem == "" {
		problem = "unknown"
	}
	m.rateLimited.WithLabelValues(problem).Inc()
}

// LimiterWait records how long a call waited in ledger's Xero limiter.
func (m *Metrics) LimiterWait(d time.Duration) {
	if m == nil {
		return
	}
	m.limiterWait.Observe(d.Seconds())
}

// Budget sets the remaining Xero calls of a binding's organisation for window
// (WindowMinute or WindowDay).
func (m *Metrics) Budget(binding, window string, remaining int) {
	if m == nil {
		return
	}
	m.budget.WithLabelValues(binding, window).Set(float64(remaining))
}

// TokenRefresh records one Xero token refresh; err nil counts as "ok".
func (m *Metrics) TokenRefresh(err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "failed"
	}
	m.tokenRefreshes.WithLabelValues(result).Inc()
}
