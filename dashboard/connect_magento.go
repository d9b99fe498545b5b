package dashboard

import (
	"net/http"
	"strconv"
	"strings"

	"ledger/domain"
)

type connectData struct {
	MagentoURL, PublicURL, Error string
}

// handleConnectMagentoForm shows the pairing form (protocol §12.1).
func (s *Server) handleConnectMagentoForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.connectPage(w, r, c, http.StatusOK, connectData{})
}

func (s *Server) connectPage(w http.ResponseWriter, r *http.Request, c *reqCtx, code int, d connectData) {
	d.PublicURL = s.cfg.PublicURL
	s.render(w, r, code, "connect_magento", view{Title: "Pair your Magento store", User: c.user, CSRF: c.sess.CSRF, Nav: "home", Data: d})
}

// handleConnectMagento pairs the store through the Pair hook; errors are
// shown inline with the form still filled (never the code).
func (s *Server) handleConnectMagento(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d := connectData{MagentoURL: strings.TrimSpace(r.PostFormValue("magento_url"))}
	code := strings.ToLower(strings.TrimSpace(r.PostFormValue("code")))
	switch {
	case d.MagentoURL == "" || code == "":
		d.Error = "Enter both the Magento base URL and the pairing code."
	case s.cfg.Pair == nil:
		d.Error = "Pairing is not available in this ledger; use `ledger binding pair` instead."
	}
	if d.Error != "" {
		s.connectPage(w, r, c, http.StatusUnprocessableEntity, d)
		return
	}
	res, err := s.cfg.Pair(r.Context(), PairInput{MagentoURL: d.MagentoURL, Code: code, Owner: c.user})
	if err != nil {
		s.cfg.Logger.Warn("dashboard: pairing failed", "user_id", c.user.ID, "err", err)
		d.Error = domain.MessageOf(err)
		s.connectPage(w, r, c, http.StatusUnprocessableEntity, d)
		return
	}
	s.cfg.Logger.Info("dashboard: paired", "tenant", res.TenantID, "binding", res.BindingID, "warnings", len(res.Warnings))
	http.Redirect(w, r, "/dashboard/bindings/"+strconv.FormatUint(res.BindingID, 10), http.StatusSeeOther)
}
