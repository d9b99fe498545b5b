package dashboard

import "net/http"

// handleLogout ends the session; requireUser has checked its CSRF token.
// It bumps the user's session epoch, so the cookie is no session anywhere —
// not in a copy, another browser or the Magento embed — and then clears the
// browser's cookies.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := s.store.EndSessions(c.user.ID); err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.sessions.clear(w)
	s.clearEmbedSession(w)
	s.cfg.Logger.Info("dashboard: logout", "user_id", c.user.ID)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
