package dashboard

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"ledger/domain"
	"ledger/xero"
)

// finishConnect pins the organisation and answers the browser: the binding
// page for a logged-in user, else a page that says it worked.
func (s *Server) finishConnect(w http.ResponseWriter, r *http.Request, bindingID uint64, conn xero.Connection, tok *xero.Token) {
	b, warn, err := s.pinXero(r.Context(), bindingID, conn, tok)
	if err != nil {
		s.cfg.Logger.Info("oauth: connect refused", "binding", bindingID, "err", err)
		s.fail(w, r, nil, err)
		return
	}
	s.cfg.Logger.Info("oauth: binding connected", "binding", bindingID, "xero_tenant_id", conn.TenantID)
	if sess := s.sessions.read(r); sess != nil && sess.UserID != 0 && warn == "" {
		http.Redirect(w, r, "/dashboard/bindings/"+strconv.FormatUint(bindingID, 10), http.StatusSeeOther)
		return
	}
	who := "Connection " + strconv.FormatUint(b.ID, 10)
	if t, err := s.store.Tenant(b.TenantID); err == nil {
		who = "The Magento store " + hostOf(t.MagentoURL)
	}
	msg := who + " is now connected to the Xero organisation " + b.XeroOrgName +
		"; new Magento documents sync from now on."
	if warn != "" {
		msg += " " + warn
	}
	s.message(w, r, nil, http.StatusOK, "Xero connected", msg)
}

// errOtherOrg aborts a pin inside UpdateBinding.
var errOtherOrg = errors.New("pinned to another organisation")

// pinXero connects the binding to one organisation: it refuses another
// organisation than the pinned one, seals the tokens, then marks the
// binding active with the organisation pinned, and builds the reference
// cache. warn is a sentence to show when only the cache failed.
func (s *Server) pinXero(ctx context.Context, bindingID uint64, conn xero.Connection, tok *xero.Token) (*domain.Binding, string, error) {
	b, err := s.cfg.DB.Binding(bindingID)
	if err != nil {
		return nil, "", err
	}
	if refused := otherOrg(b, conn); refused != nil {
		return nil, "", refused
	}
	if err := s.cfg.Xero.SaveTokens(ctx, bindingID, tok); err != nil {
		return nil, "", err
	}
	now := s.cfg.Now().UTC()
	b, err = s.cfg.DB.UpdateBinding(bindingID, func(b *domain.Binding) error {
		if otherOrg(b, conn) != nil {
			return errOtherOrg
		}
		b.XeroTenantID, b.XeroOrgName, b.XeroConnectionID = conn.TenantID, conn.TenantName, conn.ID
		b.Status = domain.BindingActive
		b.ConnectedAt = &now
		return nil
	})
	if errors.Is(err, errOtherOrg) {
		cur, _ := s.cfg.DB.Binding(bindingID)
		return nil, "", otherOrg(cur, conn)
	}
	if err != nil {
		return nil, "", err
	}
	_ = s.cfg.DB.DeleteSecret(SecretXeroPending(bindingID))
	warn := ""
	if s.cfg.Xero.Connected != nil {
		if err := s.cfg.Xero.Connected(ctx, bindingID); err != nil {
			s.cfg.Logger.Warn("oauth: reference cache after connect", "binding", bindingID, "err", err)
			warn = "Reading its accounts and tax rates failed (" + domain.MessageOf(err) + "); use Refresh from Xero on the connection’s page in the dashboard."
		}
	}
	return b, warn, nil
}

// otherOrg refuses to connect a binding pinned to one organisation to
// another: its synced documents belong to the first.
func otherOrg(b *domain.Binding, conn xero.Connection) error {
	if b == nil || b.XeroTenantID == "" || b.XeroTenantID == conn.TenantID {
		return nil
	}
	name := b.XeroOrgName
	if name == "" {
		name = "another organisation"
	}
	return domain.Errorf(domain.EConflict, "This binding is connected to %s; its synced documents belong to that organisation. Disconnect and create a new binding to use %s.",
		name, conn.TenantName).WithCode("other_organisation")
}
