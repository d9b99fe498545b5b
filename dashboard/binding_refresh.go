package dashboard

import (
	"net/http"

	"ledger/domain"
)

// handleReferenceRefresh rebuilds the binding's Xero reference cache now.
func (s *Server) handleReferenceRefresh(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v, err := s.binding(c, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if s.cfg.RefreshReference == nil {
		s.renderBinding(w, r, c, v, http.StatusServiceUnavailable, "", "Refreshing reference data is not available in this ledger; use `ledger reference refresh` instead.")
		return
	}
	if err := s.cfg.RefreshReference(r.Context(), v.B.ID); err != nil {
		s.cfg.Logger.Warn("dashboard: reference refresh", "binding", v.B.ID, "err", err)
		s.renderBinding(w, r, c, v, http.StatusOK, "", domain.MessageOf(err))
		return
	}
	s.renderBinding(w, r, c, v, http.StatusOK, "Accounts and tax rates refreshed from Xero.", "")
}
