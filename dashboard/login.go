package dashboard

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

type loginData struct{ Email, Error, Next string }

const msgBadLogin = "Email or password is incorrect. Check both and try again; if you have no login, ask whoever runs ledger to add one (ledger user add)."

// dummyHash is compared against when the email is unknown, so a wrong email
// costs as long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("ledger-no-such-user"), bcrypt.DefaultCost)
	return h
})

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if sess := s.sessions.read(r); sess != nil && sess.UserID != 0 {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.loginPage(w, r, http.StatusOK, loginData{Next: r.URL.Query().Get("next")})
}

// loginPage renders the form with a fresh anonymous session that carries
// the form's CSRF token.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, code int, d loginData) {
	sess := s.sessions.start(0)
	if err := s.sessions.write(w, sess); err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.render(w, r, code, "login", view{Title: "Log in", CSRF: sess.CSRF, Data: d})
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	sess := s.sessions.read(r)
	if !s.csrfOK(r, sess) {
		s.csrfFailed(w, r, nil)
		return
	}
	a := s.checkLogin(r, "login")
	switch {
	case a.wait > 0:
		s.message(w, r, nil, http.StatusTooManyRequests, "Too many attempts", tooManyAttempts(a.wait))
		return
	case a.user == nil:
		s.loginPage(w, r, http.StatusUnauthorized, loginData{Email: a.email, Error: msgBadLogin, Next: r.URL.Query().Get("next")})
		return
	}
	u := a.user
	sess, err := s.sessions.login(u.ID)
	if err == nil {
		err = s.sessions.write(w, sess)
	}
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.cfg.Logger.Info("dashboard: login", "user_id", u.ID)
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// safeNext keeps redirects after login on this site: a path on this
// origin, with no byte a browser would drop or rewrite on the way to //host
// (tabs, newlines and other controls are removed, a backslash reads as a
// slash), and no scheme or host once parsed.
func safeNext(next string) string {
	const home = "/dashboard"
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return home
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	return next
}

// clientIP is the peer address; ledger does not trust forwarding headers.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
