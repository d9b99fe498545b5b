package dashboard

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"

	"ledger/xero"
)

// handleOAuthCallback is GET /oauth/xero/callback, where Xero sends the
// browser back. Refusals come first (declined consent, unknown, expired or
// reused state, failed exchange); then the organisations chosen in this
// consent decide: one is pinned at once, several go to the picker.
func (s *Server) handleOAuthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if s.cfg.DB == nil {
		s.message(w, r, nil, http.StatusServiceUnavailable, "Temporarily unavailable", "ledger has no database open; start it with `ledger serve`.")
		return
	}
	if !s.cfg.Xero.configured() {
		// No Xero app, so no consent this ledger started can come back:
		// the request is refused (4xx), not a server fault.
		s.message(w, r, nil, http.StatusBadRequest, "Xero is not set up", msgNoXeroApp)
		return
	}
	// The state is consumed whatever happens next: it is single use.
	st, stErr := s.cfg.DB.TakeOAuthState(q.Get("state"), s.cfg.Now())
	if e := q.Get("error"); e != "" {
		s.cfg.Logger.Info("oauth: Xero returned an error", "error", e, "binding", st.BindingID)
		if e == "access_denied" {
			s.message(w, r, nil, http.StatusOK, "Nothing connected", msgDeclined)
			return
		}
		if !oauthErrorCode.MatchString(e) { // anyone can put text in this query: quote only a code
			e = "an unrecognised error"
		}
		s.message(w, r, nil, http.StatusBadRequest, "Xero refused", s.msgExchange(e))
		return
	}
	if stErr != nil || st.Verifier == "" {
		s.message(w, r, nil, http.StatusBadRequest, "Link expired", msgStateGone)
		return
	}
	// A consent started from the dashboard belongs to the browser that
	// started it: without this, a user could start "connect Xero" on their
	// own binding and have someone else consent with another organisation.
	// (The CLI's link is for any browser by design: its state has no user.)
	if st.UserID != 0 {
		if sess := s.sessions.read(r); sess == nil || sess.UserID != st.UserID {
			s.cfg.Logger.Warn("oauth: consent returned to a browser that did not start it", "binding", st.BindingID)
			s.message(w, r, nil, http.StatusForbidden, "Not your connect link", msgOtherBrowser)
			return
		}
	}
	code := q.Get("code")
	if code == "" {
		s.message(w, r, nil, http.StatusBadRequest, "Xero refused", s.msgExchange("no authorisation code"))
		return
	}
	ctx := r.Context()
	x := s.cfg.Xero
	tok, err := x.Config.Exchange(ctx, code, st.Verifier)
	if err != nil {
		s.cfg.Logger.Warn("oauth: code exchange failed", "binding", st.BindingID, "err", err)
		s.message(w, r, nil, http.StatusBadGateway, "Xero refused", s.msgExchange(exchangeDetail(err)))
		return
	}
	conns, err := x.Config.Connections(ctx, tok.AccessToken)
	if err != nil {
		s.cfg.Logger.Warn("oauth: listing connections failed", "binding", st.BindingID, "err", err)
		s.message(w, r, nil, http.StatusBadGateway, "Xero refused", msgConnections)
		return
	}
	conns = chosenOrganisations(conns, tok.AuthEventID)
	switch len(conns) {
	case 0:
		s.message(w, r, nil, http.StatusBadRequest, "Nothing connected", msgNoOrg)
	case 1:
		s.finishConnect(w, r, st.BindingID, conns[0], tok)
	default:
		p, err := s.putPending(st.BindingID, st.UserID, tok, conns)
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		s.renderPicker(w, r, p)
	}
}

// chosenOrganisations keeps the organisations of this consent only.
func chosenOrganisations(conns []xero.Connection, authEvent string) []xero.Connection {
	var out []xero.Connection
	for _, c := range conns {
		if (authEvent == "" || c.AuthEventID == "" || c.AuthEventID == authEvent) &&
			(c.TenantType == "" || c.TenantType == "ORGANISATION") {
			out = append(out, c)
		}
	}
	return out
}

// exchangeDetail names why Xero refused, without internals.
func exchangeDetail(err error) string {
	var ae *xero.AuthError
	var ue *xero.UnavailableError
	switch {
	case errors.As(err, &ae) && ae.Code != "":
		return ae.Code
	case errors.As(err, &ue) && ue.StatusCode != 0:
		return "Xero answered " + strconv.Itoa(ue.StatusCode)
	case errors.As(err, &ue):
		return "Xero could not be reached"
	}
	return "unexpected answer"
}

// oauthErrorCode is the shape of an OAuth 2 error code (RFC 6749 §4.1.2.1:
// access_denied, invalid_scope, …), the only part of Xero's error answer
// the page quotes.
var oauthErrorCode = regexp.MustCompile(`^[a-z_]{1,40}$`)
