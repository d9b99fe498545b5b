package cmd

import (
	"net/url"
	"time"

	"ledger/domain"
	"ledger/store"
)

// bindingRow is one binding as `binding list` and `binding show` print it.
// It never holds a secret (api keys and tokens stay sealed in the store).
type bindingRow struct {
	ID            uint64     `json:"id"`
	TenantID      string     `json:"tenant_id"`
	MagentoHost   string     `json:"magento_host"`
	Provider      string     `json:"provider"`
	XeroOrgName   string     `json:"xero_org_name"`
	XeroTenantID  string     `json:"xero_tenant_id"`
	Status        string     `json:"status"`
	MagentoStatus string     `json:"magento_connection_status"`
	LastSyncAt    *time.Time `json:"last_sync_at"`
}

// bindingDetail is `binding show`: the row, the policy and the age of the
// reference cache.
type bindingDetail struct {
	bindingRow
	MagentoURL            string        `json:"magento_url"`
	CreatedAt             time.Time     `json:"created_at"`
	UpdatedAt             time.Time     `json:"updated_at"`
	ConnectedAt           *time.Time    `json:"connected_at"`
	Policy                domain.Policy `json:"policy"`
	ReferenceFetchedAt    *time.Time    `json:"reference_cache_fetched_at"`
	ReferenceCacheAgeSecs *int64        `json:"reference_cache_age_seconds"`
}

func newBindingRow(b *domain.Binding, t *domain.Tenant) bindingRow {
	r := bindingRow{
		ID:           b.ID,
		TenantID:     b.TenantID,
		Provider:     b.Provider,
		XeroOrgName:  b.XeroOrgName,
		XeroTenantID: b.XeroTenantID,
		Status:       string(b.Status),
		LastSyncAt:   b.LastSyncAt,
	}
	if t != nil {
		r.MagentoHost = magentoHost(t.MagentoURL)
		r.MagentoStatus = string(t.MagentoStatus)
	}
	return r
}

// magentoHost is the host of a Magento base URL (the URL itself if it does
// not parse).
func magentoHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}

// loadBindingDetail reads one binding, its tenant and its reference cache
// age; it returns the cache too (nil when never fetched).
func loadBindingDetail(db *store.DB, id uint64, now time.Time) (*bindingDetail, *domain.ReferenceCache, error) {
	b, err := db.Binding(id)
	if err != nil {
		return nil, nil, err
	}
	t, err := db.Tenant(b.TenantID)
	if err != nil && !domain.IsKind(err, domain.ENotFound) {
		return nil, nil, err
	}
	d := &bindingDetail{
		bindingRow:  newBindingRow(b, t),
		CreatedAt:   b.CreatedAt,
		UpdatedAt:   b.UpdatedAt,
		ConnectedAt: b.ConnectedAt,
		Policy:      b.Policy,
	}
	if t != nil {
		d.MagentoURL = t.MagentoURL
	}
	cache, err := db.Reference(id)
	switch {
	case err == nil && !cache.FetchedAt.IsZero():
		at := cache.FetchedAt
		age := int64(now.Sub(at).Seconds())
		d.ReferenceFetchedAt, d.ReferenceCacheAgeSecs = &at, &age
		return d, cache, nil
	case err != nil && !domain.IsKind(err, domain.ENotFound):
		return nil, nil, err
	}
	return d, nil, nil
}
