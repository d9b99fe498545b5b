package dashboard

// oauthRoutes registers the Xero connect flow.
func (s *Server) oauthRoutes(m *routeMux) {
	m.Handle("GET /dashboard/connect-xero", s.requireUser(s.handleConnectXero))
	m.HandleFunc("GET /oauth/xero/start", s.handleOAuthStart)
	m.HandleFunc("GET /oauth/xero/callback", s.handleOAuthCallback)
	m.HandleFunc("POST /oauth/xero/pick", s.handleOAuthPick)
}
