package cmd

import (
	"context"
	"errors"

	"ledger/dashboard"
	"ledger/domain"
)

// Disconnect ends a binding's Xero connection: best effort, it removes the
// connection in Xero (DELETE /connections/{id}) and revokes the refresh
// token; then it deletes the sealed tokens and marks the binding revoked.
// Cross-references and sync history are kept, and the organisation stays
// pinned, so reconnecting the same organisation creates no duplicates.
// Disconnecting a binding twice is not an error.
func (v *XeroVault) Disconnect(ctx context.Context, id uint64) error {
	b, err := v.db.Binding(id)
	if err != nil {
		return err
	}
	v.remoteDisconnect(ctx, b)
	for _, path := range []string{domain.SecretBindingTokens(id), dashboard.SecretXeroPending(id)} {
		if err := v.db.DeleteSecret(path); err != nil {
			return err
		}
	}
	_, err = v.db.UpdateBinding(id, func(b *domain.Binding) error {
		if b.Status == domain.BindingRevoked && b.XeroConnectionID == "" {
			return errUnchanged
		}
		b.Status = domain.BindingRevoked
		b.XeroConnectionID = ""
		return nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return err
	}
	v.log.Info("xero: binding disconnected", "binding", id)
	return nil
}

// BindingRevoked is the hook for a Magento-initiated disconnect
// (/v1/tenant/disconnect), which has already marked the binding revoked:
// the same effect as Disconnect, failures logged.
func (v *XeroVault) BindingRevoked(ctx context.Context, id uint64) {
	if err := v.Disconnect(ctx, id); err != nil {
		v.log.Error("xero: disconnect after a Magento disconnect failed", "binding", id, "err", err.Error())
	}
}

// remoteDisconnect tells Xero; failures are logged, never fatal: the local
// tokens are deleted whatever Xero answers.
func (v *XeroVault) remoteDisconnect(ctx context.Context, b *domain.Binding) {
	if !v.Configured() {
		v.log.Warn("xero: no client credentials; the connection is only removed locally", "binding", b.ID)
		return
	}
	if b.XeroConnectionID != "" {
		if tok, err := v.source(b.ID).AccessToken(ctx); err == nil {
			if err := v.cfg.DeleteConnection(ctx, tok, b.XeroConnectionID); err != nil {
				v.log.Warn("xero: DELETE /connections failed; remove the app in Xero by hand if it is still listed", "binding", b.ID, "err", err.Error())
			}
		} else {
			v.log.Warn("xero: no access token to delete the connection", "binding", b.ID, "err", err.Error())
		}
	}
	// Reload: the access-token call may just have rotated the pair.
	t, err := v.tokens(b.ID).Load(ctx)
	if err != nil || t == nil || t.RefreshToken == "" {
		return
	}
	if err := v.cfg.Revoke(ctx, t.RefreshToken); err != nil {
		v.log.Warn("xero: token revocation failed", "binding", b.ID, "err", err.Error())
	}
}
