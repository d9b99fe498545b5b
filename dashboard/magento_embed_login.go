package dashboard

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
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
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	keys := []string{"ip:" + clientIP(r), "email:" + email}
	if wait := s.throttle.blocked(keys...); wait > 0 {
		mins := int(math.Ceil(wait.Minutes()))
		s.embedLoginPage(w, tenantID, http.StatusTooManyRequests, embedData{Email: email,
			Error: fmt.Sprintf("Too many attempts — wait %d minute%s and try again.", mins, plural(mins))})
		return
	}
	u, hash, err := s.store.UserByEmail(email)
	if err != nil || u == nil {
		hash, u = dummyHash(), nil
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || u == nil {
		s.throttle.fail(keys...)
		s.cfg.Logger.Info("dashboard: failed embed login", "ip", clientIP(r))
		s.embedLoginPage(w, tenantID, http.StatusUnauthorized, embedData{Email: email, Error: msgBadLogin})
		return
	}
	s.throttle.reset(keys[1])
	if err := s.writeEmbedSession(w, s.sessions.start(u.ID)); err != nil {
		http.Error(w, "Something went wrong inside ledger; the details are in the server log.", http.StatusInternalServerError)
		return
	}
	s.cfg.Logger.Info("dashboard: embed login", "user_id", u.ID)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// readEmbedSession is sessions.read for the embed cookie.
func (s *Server) readEmbedSession(r *http.Request) *session {
	c, err := r.Cookie(embedCookie)
	if err != nil {
		return nil
	}
	var sess session
	if err := s.sessions.codec.Decode(embedCookie, c.Value, &sess); err != nil {
		return nil
	}
	now := s.cfg.Now()
	if now.Sub(time.Unix(sess.Created, 0)) > sessionAbsolute || now.Sub(time.Unix(sess.Seen, 0)) > sessionIdle {
		return nil
	}
	return &sess
}

// writeEmbedSession sets the embed cookie: SameSite=None; Secure when
// ledger is served over https (the only way a browser sends it inside
// Magento's iframe); Lax over plain http, where browsers refuse None.
func (s *Server) writeEmbedSession(w http.ResponseWriter, sess *session) error {
	sess.Seen = s.cfg.Now().Unix()
	v, err := s.sessions.codec.Encode(embedCookie, sess)
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
