package dashboard

import (
	"net/http"

	"ledger/domain"
)

// handleDisconnectConfirm shows what a disconnect removes and what stays.
func (s *Server) handleDisconnectConfirm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v, err := s.binding(c, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.render(w, r, http.StatusOK, "disconnect", view{Title: "Disconnect " + v.MagentoHost(), User: c.user, CSRF: c.sess.CSRF, Nav: "bindings", Data: v})
}

// handleDisconnect disconnects the binding once the confirmation page was
// submitted; a bare POST without confirm=yes shows that page first.
func (s *Server) handleDisconnect(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v, err := s.binding(c, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.handleDisconnectConfirm(w, r, c)
		return
	}
	if s.cfg.DisconnectBinding == nil {
		s.renderBinding(w, r, c, v, http.StatusServiceUnavailable, "", "Disconnecting is not available in this ledger; use `ledger binding disconnect` instead.")
		return
	}
	if err := s.cfg.DisconnectBinding(r.Context(), v.B.ID); err != nil {
		s.cfg.Logger.Warn("dashboard: disconnect", "binding", v.B.ID, "err", err)
		s.renderBinding(w, r, c, v, http.StatusOK, "", domain.MessageOf(err))
		return
	}
	s.cfg.Logger.Info("dashboard: binding disconnected", "binding", v.B.ID, "user_id", c.user.ID)
	http.Redirect(w, r, "/dashboard/bindings/"+r.PathValue("id"), http.StatusSeeOther)
}
