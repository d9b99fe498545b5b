package dashboard

import (
	"encoding/json"
	"net/http"
)

// healthzBody is the JSON of GET /healthz.
type healthzBody struct {
	Status  string   `json:"status"` // ok | degraded | unavailable
	Reasons []string `json:"reasons,omitempty"`
}

// handleHealthz is GET /healthz: 200 while the database is open and the
// worker runs, 503 otherwise. A healthy ledger that still needs a human
// (a binding to reconnect, a revoked Magento token, a spent budget, dead
// letters) answers 200 with status "degraded" and the reasons, so a load
// balancer keeps sending traffic while monitoring can alert on the body.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	body := healthzBody{Status: "ok"}
	code := http.StatusOK
	if s.cfg.Healthy != nil {
		if err := s.cfg.Healthy(); err != nil {
			code = http.StatusServiceUnavailable
			body = healthzBody{Status: "unavailable", Reasons: []string{err.Error()}}
		}
	}
	if code == http.StatusOK && s.cfg.Degraded != nil {
		if reasons := s.cfg.Degraded(); len(reasons) > 0 {
			body = healthzBody{Status: "degraded", Reasons: reasons}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
