package dashboard

import (
	"net/http"

	"ledger/domain"
	"ledger/magento"
)

// storeMethods is what the settings form knows of the store's payment
// methods: the list Magento gave (§7.2), or a hint saying why there is none
// and that method codes can be typed instead.
type storeMethods struct {
	list []magento.PaymentMethod
	hint string
}

const (
	hintMethodsUnlisted = "This store's Magento module does not list its payment methods; type a Magento method code such as checkmo."
	hintMethodsFailed   = "ledger could not list this store's payment methods just now; type a Magento method code such as checkmo."
)

// storeMethods asks the PaymentMethods hook for the tenant's methods. An
// older module's 404 (magento.ErrNotSupported) is a calm fallback to free
// text; any other failure is logged and says so.
func (s *Server) storeMethods(r *http.Request, tenantID string) storeMethods {
	if s.cfg.PaymentMethods == nil {
		return storeMethods{hint: hintMethodsFailed}
	}
	list, err := s.cfg.PaymentMethods(r.Context(), tenantID)
	switch {
	case domain.IsKind(err, domain.ENotFound):
		return storeMethods{hint: hintMethodsUnlisted}
	case err != nil:
		s.cfg.Logger.Warn("dashboard: payment methods", "tenant", tenantID, "err", err)
		return storeMethods{hint: hintMethodsFailed}
	case len(list) == 0:
		return storeMethods{hint: hintMethodsUnlisted}
	}
	return storeMethods{list: list}
}
