package dashboard

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"ledger/domain"
	"ledger/store"
)

// statusBody is GET /v1/status's answer (protocol §4.6: unused by the Xero
// module, so a small object in the sync-state vocabulary of §7.3).
type statusBody struct {
	EntityType       string  `json:"entity_type"`
	EntityID         int64   `json:"entity_id"`
	SyncStatus       *string `json:"sync_status"` // pending | synced | skipped | failed; null: never seen
	ProviderEntityID *string `json:"provider_entity_id"`
	ProviderRef      *string `json:"provider_reference"`
	LastSyncAt       *string `json:"last_sync_at"`
}

// statusEntityTypes maps entity_type to its events' prefix.
var statusEntityTypes = map[string]string{"invoice": "invoice.", "creditmemo": "creditmemo.", "customer": "customer."}

// handleMagentoStatus is GET /v1/status?entity_type=&entity_id=: the
// outcome of the latest run for that Magento entity.
func (s *Server) handleMagentoStatus(w http.ResponseWriter, r *http.Request) {
	t, err := s.authenticate(r, "")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	typ := q.Get("entity_type")
	prefix, ok := statusEntityTypes[typ]
	id, err := strconv.ParseInt(q.Get("entity_id"), 10, 64)
	if !ok || err != nil || id <= 0 {
		writeAPIJSON(w, http.StatusBadRequest, apiErrorBody{Error: "validation",
			Message: "Give entity_type (invoice, creditmemo or customer) and entity_id (a positive integer)."})
		return
	}
	runs, err := s.magento.db.ListRuns(store.RunFilter{TenantID: t.ID, MagentoID: id, Limit: 1000})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := statusBody{EntityType: typ, EntityID: id}
	for _, run := range runs { // newest first
		if !strings.HasPrefix(run.Event, prefix) {
			continue
		}
		st := mirrorStatus(run.Status)
		out.SyncStatus = &st
		if run.XeroID != "" {
			out.ProviderEntityID = &run.XeroID
		}
		if run.XeroNumber != "" {
			out.ProviderRef = &run.XeroNumber
		}
		at := run.UpdatedAt
		if run.FinishedAt != nil {
			at = *run.FinishedAt
		}
		v := at.UTC().Format(time.RFC3339)
		out.LastSyncAt = &v
		break
	}
	writeAPIJSON(w, http.StatusOK, out)
}

// mirrorStatus is a run status in Magento's sync_status words.
func mirrorStatus(s domain.RunStatus) string {
	switch s {
	case domain.RunSucceeded:
		return "synced"
	case domain.RunSkipped:
		return "skipped"
	case domain.RunFailed, domain.RunDeadLettered:
		return "failed"
	}
	return "pending"
}
