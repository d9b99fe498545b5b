package dashboard

import (
	"net/http"
)

// handleConnectXero is GET /dashboard/connect-xero?binding=ID: after the
// access check it sends the browser to Xero's consent page.
func (s *Server) handleConnectXero(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v, err := s.binding(c, r.URL.Query().Get("binding"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if !s.cfg.Xero.configured() {
		s.message(w, r, c, http.StatusServiceUnavailable, "Xero is not set up", msgNoXeroApp)
		return
	}
	u, err := s.beginXero(v.B.ID, c.user.ID)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.cfg.Logger.Info("oauth: connect started", "binding", v.B.ID, "user_id", c.user.ID)
	http.Redirect(w, r, u, http.StatusFound)
}

// handleOAuthStart is GET /oauth/xero/start?state=…, the single-use link
// `ledger binding connect-xero` prints. The link itself is the
// authorisation (256 random bits, 10 minutes, one use), so it works in a
// browser with no ledger session. It is exchanged for a new state sent to
// Xero, so the printed link cannot be replayed.
func (s *Server) handleOAuthStart(w http.ResponseWriter, r *http.Request) {
	if s.cfg.DB == nil {
		s.message(w, r, nil, http.StatusServiceUnavailable, "Temporarily unavailable", "ledger has no database open; start it with `ledger serve`.")
		return
	}
	if !s.cfg.Xero.configured() {
		s.message(w, r, nil, http.StatusServiceUnavailable, "Xero is not set up", msgNoXeroApp)
		return
	}
	st, err := s.cfg.DB.TakeOAuthState(r.URL.Query().Get("state"), s.cfg.Now())
	if err != nil || st.Verifier != "" {
		s.message(w, r, nil, http.StatusBadRequest, "Link expired", msgStateGone)
		return
	}
	u, err := s.beginXero(st.BindingID, st.UserID)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.cfg.Logger.Info("oauth: connect link opened", "binding", st.BindingID)
	http.Redirect(w, r, u, http.StatusFound)
}
