package dashboard

import (
	"net/http"
	"net/url"
)

// handleEmbedLogin is POST /embed/{tenant_id}/login: the dashboard's login
// rules (CSRF, throttle, constant-cost bcrypt) with the embed's cookie, then
// back to the embed. The CSRF token lives in the anonymous embed session the
// form was served with.
func (s *Server) handleEmbedLogin(w http.ResponseWriter, r *http.Request) {
	tenantID := r.PathValue("tenant_id")
	back := "/embed/" + url.PathEscape(tenantID)
	if !s.csrfOK(r, s.readEmbedSession(r)) {
		s.embedLoginPage(w, tenantID, http.StatusForbidden, embedData{Error: "This form has expired — try logging in again."})
		return
	}
	a := s.checkLogin(r, "embed login")
	switch {
	case a.wait > 0:
		s.embedLoginPage(w, tenantID, http.StatusTooManyRequests, embedData{Email: a.email, Error: tooManyAttempts(a.wait)})
		return
	case a.user == nil:
		s.embedLoginPage(w, tenantID, http.StatusUnauthorized, embedData{Email: a.email, Error: msgBadLogin})
		return
	}
	u := a.user
	sess, err := s.sessions.login(u.ID)
	if err == nil {
		err = s.writeEmbedSession(w, sess)
	}
	if err != nil {
		s.cfg.Logger.Error("dashboard: embed login", "err", err)
		http.Error(w, "Something went wrong inside ledger; the details are in the server log.", http.StatusInternalServerError)
		return
	}
	s.cfg.Logger.Info("dashboard: embed login", "user_id", u.ID)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// readEmbedSession is sessions.read for the embed cookie: the same codecs,
// lifetimes and session epoch, so logging out ends it too.
func (s *Server) readEmbedSession(r *http.Request) *session {
	return s.sessions.readCookie(r, embedCookie)
}

// writeEmbedSession sets the embed cookie: SameSite=None; Secure when
// ledger is served over https (the only way a browser sends it inside
// Magento's iframe); Lax over plain http, where browsers refuse None.
func (s *Server) writeEmbedSession(w http.ResponseWriter, sess *session) error {
	v, err := s.sessions.encode(embedCookie, sess)
	if err != nil {
		return err
	}
	same := http.SameSiteLaxMode
	if s.secure {
		same = http.SameSiteNoneMode
	}
	http.SetCookie(w, &http.Cookie{
		Name: embedCookie, Value: v, Path: "/embed/", HttpOnly: true,
		Secure: s.secure, SameSite: same, MaxAge: int(sessionAbsolute.Seconds()),
	})
	return nil
}

// clearEmbedSession removes the embed cookie.
func (s *Server) clearEmbedSession(w http.ResponseWriter) {
	same := http.SameSiteLaxMode
	if s.secure {
		same = http.SameSiteNoneMode
	}
	http.SetCookie(w, &http.Cookie{
		Name: embedCookie, Value: "", Path: "/embed/", HttpOnly: true,
		Secure: s.secure, SameSite: same, MaxAge: -1,
	})
}
