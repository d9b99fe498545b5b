package dashboard

import (
	"net/http"

	"ledger/assets"
)

// routeMux is the ServeMux that remembers its patterns, so tests can walk
// the route table (every POST checks CSRF or a Magento token).
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// routes is ledger's one route table. Other engineers add the Magento-facing
// API, the OAuth routes and the embed here.
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.handleHealthz)
	m.Handle("GET /metrics", s.cfg.Metrics.Handler())
	m.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(assets.Static)))

	m.HandleFunc("GET /login", s.handleLoginForm)
	m.HandleFunc("POST /login", s.handleLogin)
	m.Handle("POST /logout", s.requireUser(s.handleLogout))
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})

	m.Handle("GET /dashboard", s.requireUser(s.handleHome))
	m.Handle("GET /dashboard/connect-magento", s.requireUser(s.handleConnectMagentoForm))
	m.Handle("POST /dashboard/connect-magento", s.requireUser(s.handleConnectMagento))
	m.Handle("GET /dashboard/bindings", s.requireUser(s.handleBindings))
	m.Handle("GET /dashboard/bindings/{id}", s.requireUser(s.handleBinding))
	m.Handle("GET /dashboard/bindings/{id}/settings", s.requireUser(s.handleSettingsForm))
	m.Handle("POST /dashboard/bindings/{id}/settings", s.requireUser(s.handleSettingsSave))
	m.Handle("GET /dashboard/bindings/{id}/disconnect", s.requireUser(s.handleDisconnectConfirm))
	m.Handle("POST /dashboard/bindings/{id}/disconnect", s.requireUser(s.handleDisconnect))
	m.Handle("POST /dashboard/bindings/{id}/reference/refresh", s.requireUser(s.handleReferenceRefresh))
	m.Handle("GET /dashboard/bindings/{id}/reconcile", s.requireUser(s.handleReconcileForm))
	m.Handle("POST /dashboard/bindings/{id}/reconcile", s.requireUser(s.handleReconcile))
	m.Handle("GET /dashboard/sync", s.requireUser(s.handleSyncList))
	m.Handle("GET /dashboard/sync/{run}", s.requireUser(s.handleRun))
	m.Handle("POST /dashboard/sync/{run}/retry", s.requireUser(s.handleRetry))
	s.magentoRoutes(m)
	s.oauthRoutes(m)
}
