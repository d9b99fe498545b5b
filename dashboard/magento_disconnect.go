package dashboard

import (
	"context"
	"net/http"
	"time"

	"ledger/domain"
)

// bindingRevokeBudget bounds the best-effort Xero revocation after a
// Magento disconnect; it runs after the answer, so Magento never waits.
const bindingRevokeBudget = 30 * time.Second

// handleMagentoDisconnect is POST /v1/tenant/disconnect (protocol §4.5,
// §8): the tenant is revoked and every binding of it becomes revoked, so
// later webhooks answer 401 and the worker stops; cross-references and run
// history are kept for a later re-pair. It is idempotent: a repeat answers
// 204 too. The optional ?provider= and the {} body change nothing.
func (s *Server) handleMagentoDisconnect(w http.ResponseWriter, r *http.Request) {
	t, err := s.authenticate(r, "")
	if err != nil && !(t != nil && t.Revoked() && domain.IsKind(err, domain.EUnauthorized)) {
		s.apiError(w, r, err)
		return
	}
	db := s.magento.db
	now := s.cfg.Now().UTC()
	if !t.Revoked() {
		if _, err := db.UpdateTenant(t.ID, func(t *domain.Tenant) error {
			if t.RevokedAt == nil {
				t.RevokedAt = &now
			}
			return nil
		}); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	bs, err := db.BindingsByTenant(t.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var revoked []uint64
	for _, b := range bs {
		if b.Status == domain.BindingRevoked {
			continue
		}
		if _, err := db.UpdateBinding(b.ID, func(b *domain.Binding) error {
			b.Status = domain.BindingRevoked
			return nil
		}); err != nil {
			s.apiError(w, r, err)
			return
		}
		revoked = append(revoked, b.ID)
	}
	s.cfg.Logger.Info("magento api: tenant disconnected by Magento", "tenant", t.ID, "bindings_revoked", len(revoked))
	w.WriteHeader(http.StatusNoContent)
	if hook := s.cfg.BindingRevoked; hook != nil && len(revoked) > 0 {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), bindingRevokeBudget)
			defer cancel()
			for _, id := range revoked {
				hook(ctx, id)
			}
		}()
	}
}
