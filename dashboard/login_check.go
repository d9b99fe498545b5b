package dashboard

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"ledger/domain"
)

// loginAttempt is what checking a login form found.
type loginAttempt struct {
	email string
	user  *domain.User  // the user logged in; nil when refused
	wait  time.Duration // > 0: throttled, the password was not checked
}

// checkLogin checks a login form's email and password (the dashboard's and
// the embed's) under the login throttle: a failure counts against the
// client's address and the email, a success clears the email's failures,
// and an unknown email costs a bcrypt comparison like a wrong password. A
// failure is logged as "dashboard: failed <what>".
func (s *Server) checkLogin(r *http.Request, what string) loginAttempt {
	a := loginAttempt{email: strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))}
	keys := []string{"ip:" + throttleIP(r.RemoteAddr), "email:" + a.email}
	if a.wait = s.throttle.blocked(keys...); a.wait > 0 {
		return a
	}
	u, hash, err := s.store.UserByEmail(a.email)
	if err != nil || u == nil {
		hash, u = dummyHash(), nil
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(r.PostFormValue("password"))) != nil || u == nil {
		s.throttle.fail(keys...)
		s.cfg.Logger.Info("dashboard: failed "+what, "ip", clientIP(r))
		return a
	}
	s.throttle.reset(keys[1])
	a.user = u
	return a
}

// tooManyAttempts is the refusal of a throttled login.
func tooManyAttempts(wait time.Duration) string {
	mins := int(math.Ceil(wait.Minutes()))
	return fmt.Sprintf("Too many attempts — wait %d minute%s and try again.", mins, plural(mins))
}
