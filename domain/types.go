package domain

import (
	"encoding/json"
	"strconv"
	"time"
)

// Role is what a dashboard user may see: an admin (the agency) sees every
// tenant; a merchant sees only the tenants they own.
type Role string

const (
	RoleAdmin    Role = "admin"
	RoleMerchant Role = "merchant"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMerchant }

// User is a person who logs into the dashboard. The password hash never
// leaves the store.
type User struct {
	ID        uint64    `json:"id"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// MagentoStatus is whether ledger can currently talk to a tenant's Magento.
type MagentoStatus string

const (
	MagentoPending      MagentoStatus = "pending"
	MagentoActive       MagentoStatus = "active"
	MagentoTokenRevoked MagentoStatus = "token_revoked"
)

// Tenant is one paired Magento install. Its api key is a sealed secret kept
// by the store under SecretTenantAPIKey(ID); it is never a field here.
type Tenant struct {
	ID            string        `json:"tenant_id"`
	MagentoURL    string        `json:"magento_url"` // base URL, no trailing slash
	MagentoStatus MagentoStatus `json:"magento_connection_status"`
	OwnerID       uint64        `json:"owner_id"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	// RevokedAt is set when Magento (or an admin) disconnected the tenant;
	// webhooks signed for it are then refused with 401.
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastPingAt *time.Time `json:"last_ping_at,omitempty"`
}

// Revoked reports whether the tenant has been disconnected.
func (t *Tenant) Revoked() bool { return t.RevokedAt != nil }

// BindingStatus is the state of one tenant ↔ Xero organisation link.
type BindingStatus string

const (
	BindingPendingOAuth BindingStatus = "pending_oauth"
	BindingActive       BindingStatus = "active"
	BindingRevoked      BindingStatus = "revoked"
	BindingNeedsReauth  BindingStatus = "needs_reauth"
)

// ProviderXero is the provider key the Byte8 modules use for Xero.
const ProviderXero = "xero"

// Binding links one tenant to one Xero organisation. OAuth tokens are sealed
// secrets kept by the store (SecretBindingTokens), never fields here.
type Binding struct {
	ID               uint64        `json:"id"`
	TenantID         string        `json:"tenant_id"`
	Provider         string        `json:"provider"`
	Status           BindingStatus `json:"status"`
	XeroTenantID     string        `json:"xero_tenant_id,omitempty"`     // the pinned organisation
	XeroOrgName      string        `json:"xero_org_name,omitempty"`      //
	XeroConnectionID string        `json:"xero_connection_id,omitempty"` // id for DELETE /connections/{id}
	Policy           Policy        `json:"policy"`
	CreatedAt        time.Time     `json:"created_at"`
	UpdatedAt        time.Time     `json:"updated_at"`
	ConnectedAt      *time.Time    `json:"connected_at,omitempty"`
	LastSyncAt       *time.Time    `json:"last_sync_at,omitempty"`
}

// Syncing reports whether the worker may post this binding's runs now.
func (b *Binding) Syncing() bool { return b.Status == BindingActive }

// Event names the Byte8 Xero module publishes.
const (
	EventInvoiceCreated    = "invoice.created"
	EventInvoicePaid       = "invoice.paid"
	EventCreditmemoCreated = "creditmemo.created"
	EventCustomerUpserted  = "customer.upserted"
)

// HandledEvent reports whether ledger syncs this event to Xero.
func HandledEvent(name string) bool {
	switch name {
	case EventInvoiceCreated, EventInvoicePaid, EventCreditmemoCreated, EventCustomerUpserted:
		return true
	}
	return false
}

// RunStatus is the state of one sync run.
type RunStatus string

const (
	RunQueued       RunStatus = "queued"
	RunRunning      RunStatus = "running"
	RunSucceeded    RunStatus = "succeeded"
	RunFailed       RunStatus = "failed"
	RunSkipped      RunStatus = "skipped_by_policy"
	RunDeadLettered RunStatus = "dead_lettered"
)

// Terminal reports whether no more work is due for a run in this status.
func (s RunStatus) Terminal() bool {
	return s == RunSucceeded || s == RunFailed || s == RunSkipped || s == RunDeadLettered
}

// Valid reports whether s is a known run status.
func (s RunStatus) Valid() bool {
	return s == RunQueued || s == RunRunning || s.Terminal()
}

// Error classes of a failed run, as reported to Magento (protocol §10.5).
const (
	ClassAuth        = "auth"
	ClassNotFound    = "not_found"
	ClassValidation  = "validation"
	ClassRateLimited = "rate_limited"
	ClassProvider    = "provider"
	ClassHTTP        = "http"
	ClassDatabase    = "database"
	ClassSerde       = "serde"
	ClassInternal    = "internal"
)

// Skip reasons of a skipped_by_policy run (protocol §10.2–10.3).
const (
	SkipUnpaidInvoice          = "unpaid_invoice"
	SkipZeroValueInvoice       = "zero_value_invoice"
	SkipOutsideSyncSince       = "outside_sync_since"
	SkipWebsiteFiltered        = "website_filtered"
	SkipStoreFiltered          = "store_filtered"
	SkipPaymentMethodNotMapped = "payment_method_not_mapped"
	SkipNotHandledEvent        = "not_handled_event"
)

// Envelope is the body of every Magento webhook (protocol §4.2).
type Envelope struct {
	MagentoEntityID int64           `json:"magento_entity_id"`
	WebsiteID       int64           `json:"website_id"`
	StoreID         int64           `json:"store_id"`
	OccurredAt      string          `json:"occurred_at"`
	Payload         json.RawMessage `json:"payload"`
}

// SyncRun is the attempt history of one accepted Magento event for one
// binding. A run for an event ledger does not handle is recorded as skipped.
type SyncRun struct {
	ID             uint64     `json:"id"`
	TenantID       string     `json:"tenant_id"`
	BindingID      uint64     `json:"binding_id"` // 0 when no binding could take it
	Event          string     `json:"event"`
	IdempotencyKey string     `json:"idempotency_key"`
	Envelope       Envelope   `json:"envelope"`
	MagentoID      int64      `json:"magento_id"`
	MagentoNumber  string     `json:"magento_number,omitempty"` // increment_id when known
	Status         RunStatus  `json:"status"`
	SkipReason     string     `json:"skip_reason,omitempty"`
	Attempts       int        `json:"attempts"`
	ErrorClass     string     `json:"error_class,omitempty"`
	ErrorMessage   string     `json:"error_message,omitempty"` // user-safe: what failed and what to do
	XeroType       string     `json:"xero_type,omitempty"`
	XeroID         string     `json:"xero_id,omitempty"`
	XeroNumber     string     `json:"xero_number,omitempty"`
	Policy         Policy     `json:"policy"` // snapshot taken when the event was accepted
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty"`
	FinishedAt     *time.Time `json:"finished_at,omitempty"`
	MirroredAt     *time.Time `json:"mirrored_at,omitempty"` // sync-state sent to Magento
	Timeline       []RunStep  `json:"timeline,omitempty"`
}

// RunStep is one entry of a run's timeline: received, fetched, posted,
// mirrored, or an attempt that failed.
type RunStep struct {
	At     time.Time `json:"at"`
	Step   string    `json:"step"`
	OK     bool      `json:"ok"`
	Detail string    `json:"detail,omitempty"`
}

// Timeline step names.
const (
	StepReceived = "received"
	StepFetched  = "fetched"
	StepPosted   = "posted"
	StepMirrored = "mirrored"
	StepSkipped  = "skipped"
	StepFailed   = "failed"
	StepRetry    = "retry"
)

// Xref kinds: what a Magento entity became in Xero.
const (
	XrefInvoice        = "invoice"
	XrefInvoicePayment = "invoice_payment"
	XrefCreditNote     = "credit_note"
	XrefContact        = "contact"
)

// Xref links a Magento entity to the Xero document made from it, per binding.
// (BindingID, Kind, MagentoKey) is unique, and so is (BindingID, Kind, XeroID).
type Xref struct {
	BindingID  uint64    `json:"binding_id"`
	Kind       string    `json:"kind"`        // XrefInvoice, …
	MagentoKey string    `json:"magento_key"` // entity id, or a guest hash for contacts
	XeroID     string    `json:"xero_id"`     // Xero GUID
	XeroNumber string    `json:"xero_number,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Paths of sealed secrets in the store. The path is also the associated data
// of the ciphertext, so a value copied to another path does not open.
func SecretTenantAPIKey(tenantID string) string { return "tenant/" + tenantID + "/api_key" }

// SecretBindingTokens is where a binding's Xero OAuth token set is sealed.
func SecretBindingTokens(bindingID uint64) string {
	return "binding/" + strconv.FormatUint(bindingID, 10) + "/xero_tokens"
}
