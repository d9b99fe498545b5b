package dashboard

import (
	"net/http"

	"ledger/domain"
)

type bindingData struct {
	visibleBinding
	StatusLabel, StatusClass  string
	NotConnected, NeedsReauth bool
	Revoked, Active           bool
	MagentoStatus, MagentoURL string
	LastSync, RefAge          string
	Error                     string
}

// handleBinding shows one binding: statuses, reference freshness, actions.
func (s *Server) handleBinding(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v, err := s.binding(c, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderBinding(w, r, c, v, http.StatusOK, "", "")
}

// renderBinding renders the binding page with an optional flash or error.
func (s *Server) renderBinding(w http.ResponseWriter, r *http.Request, c *reqCtx, v visibleBinding, code int, flash, errMsg string) {
	now := s.cfg.Now()
	d := bindingData{visibleBinding: v, Error: errMsg,
		NotConnected:  v.B.Status == domain.BindingPendingOAuth,
		NeedsReauth:   v.B.Status == domain.BindingNeedsReauth,
		Revoked:       v.B.Status == domain.BindingRevoked,
		Active:        v.B.Status == domain.BindingActive,
		MagentoStatus: magentoStatusLabel(v.T.MagentoStatus), MagentoURL: v.T.MagentoURL,
		LastSync: agoOrNever(now, v.B.LastSyncAt)}
	d.StatusLabel, d.StatusClass = bindingStatus(v.B.Status)
	switch ref, err := s.store.Reference(v.B.ID); {
	case err == nil && ref != nil && !ref.FetchedAt.IsZero():
		d.RefAge = "Updated " + ago(now, ref.FetchedAt) + "."
	case err == nil || domain.IsKind(err, domain.ENotFound):
		d.RefAge = "Not fetched yet."
	default:
		s.cfg.Logger.Warn("dashboard: reference", "binding", v.B.ID, "err", err)
		d.RefAge = "Unknown: " + domain.MessageOf(err)
	}
	s.render(w, r, code, "binding", view{Title: v.MagentoHost() + " ↔ Xero", User: c.user, CSRF: c.sess.CSRF, Nav: "bindings", Flash: flash, Data: d})
}
