// Package dashboard is all of ledger's HTTP: the browser dashboard, the
// Magento-facing API (webhooks, health, disconnect, embed), the OAuth
// callback and the operations endpoints, behind one route table.
package dashboard

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"ledger/store"
)

// Config is what the HTTP side needs from the wiring in cmd/.
type Config struct {
	DB        *store.DB
	Logger    *slog.Logger
	PublicURL string // how browsers and Magento reach ledger, no trailing slash
	Version   string
	// Healthy reports why ledger is not healthy (nil when it is): the
	// database is open and the worker runs.
	Healthy func() error
}

// Server serves every route of interfaces.md §4.
type Server struct {
	cfg Config
	mux *http.ServeMux
}

// New builds the server and its route table. It fails when an embedded
// template is missing or does not parse.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.mux }

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{"status": "ok"}
	code := http.StatusOK
	if s.cfg.Healthy != nil {
		if err := s.cfg.Healthy(); err != nil {
			code = http.StatusServiceUnavailable
			body = map[string]any{"status": "unavailable", "reasons": []string{err.Error()}}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
