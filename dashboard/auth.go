package dashboard

import (
	"crypto/subtle"
	"net/http"
	"net/url"

	"ledger/domain"
)

// reqCtx is the logged-in request: who is asking, and their session.
type reqCtx struct {
	user *domain.User
	sess *session
}

func (c *reqCtx) admin() bool { return c.user.Role == domain.RoleAdmin }

// authed is a handler behind requireUser.
type authed func(w http.ResponseWriter, r *http.Request, c *reqCtx)

// requireUser is the one gate of the dashboard: no valid session (none,
// expired, or ended by logout) → the login page; every POST must carry the
// session's CSRF token. It reads the store once: the session's user.
func (s *Server) requireUser(h authed) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.sessions.read(r) // loads the user and checks their session epoch
		var u *domain.User
		if sess != nil {
			u = sess.user
		}
		if u == nil {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				s.message(w, r, nil, http.StatusForbidden, "Logged out", "Your session has ended — log in again and retry.")
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		c := &reqCtx{user: u, sess: sess}
		if r.Method == http.MethodPost && !s.csrfOK(r, sess) {
			s.csrfFailed(w, r, c)
			return
		}
		if err := s.sessions.write(w, sess); err != nil { // slides the idle window
			s.fail(w, r, c, err)
			return
		}
		h(w, r, c)
	})
}

func (s *Server) csrfOK(r *http.Request, sess *session) bool {
	got := r.PostFormValue("csrf")
	return sess != nil && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}

func (s *Server) csrfFailed(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.message(w, r, c, http.StatusForbidden, "Form expired", "This form has expired — reload the page and try again.")
}
