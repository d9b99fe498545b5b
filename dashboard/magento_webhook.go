package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
)

// maxWebhookBody is the largest webhook body accepted (413 above it). An
// envelope is a few hundred bytes; the outbox column is a MEDIUMTEXT.
const maxWebhookBody = 1 << 20

// maxIdempotencyKey is the store's limit; Magento's column holds 128.
const maxIdempotencyKey = 512

type webhookAccepted struct {
	SyncRunID string `json:"sync_run_id"`
}

// handleMagentoWebhook is POST /webhooks/magento/{tenant_id}/{event_name}
// (protocol §4.1): authenticate, parse the envelope, record it durably and
// answer 202 {"sync_run_id":…} only after the commit. A replay of an
// accepted Idempotency-Key answers 200 with the original run id; events
// ledger does not sync are recorded as skipped and answered 2xx as well, so
// a co-installed module's events never dead-letter.
func (s *Server) handleMagentoWebhook(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), webhookBudget)
	defer cancel()
	tenantID, event := r.PathValue("tenant_id"), r.PathValue("event_name")
	w, observed := s.observeWebhook(w, event) // ledger_webhooks_total (metrics.go)
	defer observed()
	t, err := s.authenticate(r, tenantID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAPIJSON(w, http.StatusRequestEntityTooLarge, apiErrorBody{Error: "too_large", Message: "The webhook body is over 1 MiB."})
			return
		}
		s.apiError(w, r, domain.Wrap(domain.EUnavailable, err, "the request body could not be read"))
		return
	}
	if !magento.ValidEventName(event) {
		writeAPIJSON(w, http.StatusUnprocessableEntity, apiErrorBody{Error: "validation", Message: "The event name is not of the form word.word."})
		return
	}
	if !json.Valid(body) {
		writeAPIJSON(w, http.StatusBadRequest, apiErrorBody{Error: "bad_json", Message: "The webhook body is not valid JSON."})
		return
	}
	env, err := magento.ParseEnvelope(body)
	if err != nil {
		writeAPIJSON(w, http.StatusUnprocessableEntity, apiErrorBody{Error: "validation", Message: domain.MessageOf(err)})
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" { // Magento always sends one; derive the key it would have sent
		key = event + ":" + strconv.FormatInt(env.MagentoEntityID, 10)
	}
	if len(key) > maxIdempotencyKey {
		writeAPIJSON(w, http.StatusUnprocessableEntity, apiErrorBody{Error: "validation", Message: "The Idempotency-Key is too long."})
		return
	}
	res, err := s.magento.db.AcceptEvent(ctx, store.AcceptRequest{
		TenantID: t.ID, IdempotencyKey: key, Event: event, Envelope: env, Now: s.cfg.Now(),
	})
	if err != nil || len(res.RunIDs) == 0 {
		if err == nil {
			err = domain.Errorf(domain.EInternal, "the event was recorded without a run")
		}
		// Whatever the store says (closing, busy, a bug), the delivery was
		// not recorded: Magento must retry it, so never a 4xx here.
		s.apiError(w, r, err)
		return
	}
	out := webhookAccepted{SyncRunID: strconv.FormatUint(res.RunIDs[0], 10)}
	if res.Duplicate {
		writeAPIJSON(w, http.StatusOK, out)
		return
	}
	writeAPIJSON(w, http.StatusAccepted, out)
	if s.cfg.Enqueued != nil && domain.HandledEvent(event) {
		s.notifyEnqueued(t.ID)
	}
}

// notifyEnqueued tells the worker which of the tenant's bindings got queued
// runs: every binding that is not revoked (AcceptEvent's fan-out rule).
func (s *Server) notifyEnqueued(tenantID string) {
	bs, err := s.magento.db.BindingsByTenant(tenantID)
	if err != nil {
		s.cfg.Logger.Warn("magento api: cannot wake the worker", "tenant", tenantID, "err", err)
		return
	}
	var ids []uint64
	for _, b := range bs {
		if b.Status != domain.BindingRevoked {
			ids = append(ids, b.ID)
		}
	}
	if len(ids) > 0 {
		s.cfg.Enqueued(ids...)
	}
}
