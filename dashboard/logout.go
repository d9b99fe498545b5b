package dashboard

import "net/http"

// handleLogout ends the session; requireUser has checked its CSRF token.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.sessions.clear(w)
	s.cfg.Logger.Info("dashboard: logout", "user_id", c.user.ID)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
