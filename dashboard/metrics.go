package dashboard

import (
	"net/http"

	"ledger/magento"
)

// webhookRecorder remembers the status a webhook was answered with so the
// answer can be counted in ledger_webhooks_total.
type webhookRecorder struct {
	http.ResponseWriter
	status int
}

func (w *webhookRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *webhookRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *webhookRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observeWebhook wraps w; the returned func records the answer. The event
// label is the path's event name when it is well formed, else "invalid",
// so a hostile path cannot grow the label set.
func (s *Server) observeWebhook(w http.ResponseWriter, event string) (http.ResponseWriter, func()) {
	if s.cfg.Metrics == nil {
		return w, func() {}
	}
	start := s.cfg.Now()
	rec := &webhookRecorder{ResponseWriter: w}
	return rec, func() {
		label := event
		if !magento.ValidEventName(event) || len(event) > 64 {
			label = "invalid"
		}
		s.cfg.Metrics.Webhook(label, webhookResult(rec.status), s.cfg.Now().Sub(start))
	}
}

// webhookResult is the result label of an answered webhook.
func webhookResult(status int) string {
	switch {
	case status == http.StatusAccepted:
		return "accepted"
	case status == http.StatusOK:
		return "duplicate"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "unauthorized"
	case status == http.StatusRequestEntityTooLarge:
		return "too_large"
	case status >= 400 && status < 500:
		return "invalid"
	case status == 0 || status >= 500:
		return "error"
	}
	return "accepted"
}
