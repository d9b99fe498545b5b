package dashboard

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
)

// The Magento-facing API (protocol §4, interfaces.md §4): webhooks, the
// health tile, the status lookup and the disconnect notification, all
// authenticated by Magento's outbound HS256 token. What Magento does with
// each answer decides the status codes: any 4xx is dead-lettered at once, so
// 4xx is only for deterministic refusals; anything that might succeed on a
// retry is 503.

// webhookBudget is the handler's time budget; Magento gives up after 15 s.
const webhookBudget = 10 * time.Second

// magentoStore is the part of *store.DB the Magento API uses.
type magentoStore interface {
	Tenant(id string) (*domain.Tenant, error)
	APIKey(tenantID string) (string, error)
	BindingsByTenant(tenantID string) ([]*domain.Binding, error)
	AcceptEvent(ctx context.Context, req store.AcceptRequest) (store.AcceptResult, error)
	TenantRunStats(tenantID string) (store.Stats, error)
	ListRuns(f store.RunFilter) ([]*domain.SyncRun, error)
	UpdateTenant(id string, fn func(*domain.Tenant) error) (*domain.Tenant, error)
	UpdateBinding(id uint64, fn func(*domain.Binding) error) (*domain.Binding, error)
}

// magentoAPI holds the verifier state shared by the Magento routes.
type magentoAPI struct {
	db       magentoStore // nil: every call answers 503
	verifier *magento.Verifier

	mu   sync.Mutex
	keys map[string]derivedKey // tenant id → outbound key of its current api key
}

// derivedKey caches the HKDF of one api key: the key is re-read from the
// store on every request (a rotation takes effect at once), the derivation
// is done once per key.
type derivedKey struct {
	apiKey   string
	outbound []byte
}

func (s *Server) magentoRoutes(m *routeMux) {
	api := &magentoAPI{
		verifier: &magento.Verifier{Now: s.cfg.Now, Replay: magento.NewReplayCache(0, 0)},
		keys:     map[string]derivedKey{},
	}
	if s.cfg.DB != nil {
		api.db = s.cfg.DB
	}
	s.magento = api
	m.HandleFunc("POST /webhooks/magento/{tenant_id}/{event_name}", s.handleMagentoWebhook)
	m.HandleFunc("GET /v1/tile/health", s.handleMagentoHealth)
	m.HandleFunc("GET /v1/status", s.handleMagentoStatus)
	m.HandleFunc("POST /v1/tenant/disconnect", s.handleMagentoDisconnect)
	embed := func(h http.HandlerFunc) http.Handler { return s.withEmbedTenant(framable(s.embedAncestors, h)) }
	m.Handle("GET /embed/{tenant_id}", embed(s.handleEmbed))
	m.Handle("POST /embed/{tenant_id}/login", embed(s.handleEmbedLogin))
}

var errNoDB = domain.Errorf(domain.EUnavailable, "ledger has no database open; Magento will retry.")

// outboundKey returns the tenant's outbound HMAC key.
func (a *magentoAPI) outboundKey(tenantID string) ([]byte, error) {
	apiKey, err := a.db.APIKey(tenantID)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if k, ok := a.keys[tenantID]; ok && subtle.ConstantTimeCompare([]byte(k.apiKey), []byte(apiKey)) == 1 {
		return k.outbound, nil
	}
	out, _ := magento.DeriveKeys(apiKey)
	a.keys[tenantID] = derivedKey{apiKey: apiKey, outbound: out}
	return out, nil
}

// authenticate verifies the request's bearer token for tenantID ("" means:
// take it from the token's unverified sub, then verify) and returns the
// tenant. Errors are EUnauthorized (answer 401) or anything else (503).
//
// An unknown tenant is 401, not 404: the tenant id is half of what proves
// who is calling, so its existence is not disclosed to an unauthenticated
// caller, and for Magento both dead-letter alike — 401 additionally reads as
// "auth drift, re-pair" in its log, which is the right advice for a store
// paired with a ledger that no longer knows it. A revoked tenant is 401 too.
func (s *Server) authenticate(r *http.Request, tenantID string) (*domain.Tenant, error) {
	a := s.magento
	if a.db == nil {
		return nil, errNoDB
	}
	token, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		return nil, refused("no bearer token")
	}
	if tenantID == "" {
		sub, err := magento.UnverifiedSubject(token)
		if err != nil {
			return nil, err
		}
		tenantID = sub
	}
	t, err := a.db.Tenant(tenantID)
	if domain.IsKind(err, domain.ENotFound) {
		return nil, refused("unknown tenant")
	}
	if err != nil {
		return nil, err
	}
	key, err := a.outboundKey(tenantID)
	if domain.IsKind(err, domain.ENotFound) {
		return nil, refused("tenant has no api key")
	}
	if err != nil {
		return nil, err
	}
	if _, err := a.verifier.Verify(token, key, tenantID); err != nil {
		return nil, err
	}
	if t.Revoked() {
		return t, refused("tenant revoked")
	}
	return t, nil
}

func refused(reason string) error {
	return domain.Errorf(domain.EUnauthorized, "The request's token was refused.").WithCode(reason)
}

// bearer extracts a three-segment token from an Authorization header; the
// scheme is matched case-insensitively, as Magento does.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != "" && strings.Count(tok, ".") == 2
}

// apiError answers a Magento call that failed: 401 for any auth failure
// (with no detail), 503 for anything that may succeed on a retry. Callers
// handle their deterministic 4xx themselves.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	if domain.IsKind(err, domain.EUnauthorized) {
		s.cfg.Logger.Info("magento api: refused", "path", r.URL.Path, "reason", domain.CodeOf(err), "err", err)
		writeAPIJSON(w, http.StatusUnauthorized, apiErrorBody{Error: "unauthorized"})
		return
	}
	s.cfg.Logger.Warn("magento api: unavailable", "path", r.URL.Path, "err", err)
	w.Header().Set("Retry-After", "60")
	writeAPIJSON(w, http.StatusServiceUnavailable, apiErrorBody{Error: "unavailable", Message: "ledger could not record this now; it is safe to retry."})
}

type apiErrorBody struct {
	Error   string `json:"error"`
	Message string `json:"message,omitempty"`
}

func writeAPIJSON(w http.ResponseWriter, code int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}
