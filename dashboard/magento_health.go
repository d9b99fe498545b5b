package dashboard

import (
	"net/http"
	"time"

	"ledger/domain"
)

// healthBody is exactly the tile contract of protocol §4.4.
type healthBody struct {
	Tenant struct {
		MagentoConnectionStatus domain.MagentoStatus `json:"magento_connection_status"`
	} `json:"tenant"`
	Binding struct {
		Status domain.BindingStatus `json:"status"`
		Region *string              `json:"region"`
	} `json:"binding"`
	Sync struct {
		LastRunAt    *string `json:"last_run_at"`
		PendingCount int     `json:"pending_count"`
		Failed24h    int     `json:"failed_24h"`
	} `json:"sync"`
}

// handleMagentoHealth is GET /v1/tile/health: the tenant comes from the
// token's sub (verified), the binding is the tenant's Xero binding, and the
// sync figures are the tenant's real run statistics.
func (s *Server) handleMagentoHealth(w http.ResponseWriter, r *http.Request) {
	t, err := s.authenticate(r, "")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	bs, err := s.magento.db.BindingsByTenant(t.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	st, err := s.magento.db.TenantRunStats(t.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var out healthBody
	out.Tenant.MagentoConnectionStatus = t.MagentoStatus
	if out.Tenant.MagentoConnectionStatus == "" {
		out.Tenant.MagentoConnectionStatus = domain.MagentoPending
	}
	out.Binding.Status = domain.BindingPendingOAuth
	if b := xeroBinding(bs); b != nil {
		out.Binding.Status = b.Status
	}
	if st.LastRunAt != nil {
		at := st.LastRunAt.UTC().Format(time.RFC3339)
		out.Sync.LastRunAt = &at
	}
	out.Sync.PendingCount, out.Sync.Failed24h = st.Pending, st.Failed24h
	writeAPIJSON(w, http.StatusOK, out)
}

// xeroBinding is the tenant's Xero binding: the first one not revoked, else
// the first one (nil when there is none).
func xeroBinding(bs []*domain.Binding) *domain.Binding {
	var first *domain.Binding
	for _, b := range bs {
		if b.Provider != "" && b.Provider != domain.ProviderXero {
			continue
		}
		if first == nil {
			first = b
		}
		if b.Status != domain.BindingRevoked {
			return b
		}
	}
	return first
}
