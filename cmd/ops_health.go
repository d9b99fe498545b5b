package cmd

import (
	"fmt"
	"sync"
	"time"

	"ledger/domain"
)

// budgetWarnShare is the share of a day's Xero budget above which /healthz
// says ledger is degraded (the same 80 % as the budget alert).
const budgetWarnShare = 0.8

// degradedTTL is how long /healthz reuses the degraded reasons: reading
// every binding, tenant and run statistic costs ~10 ms with 1 000
// bindings, and monitoring polls often. A closed database and a stopped
// worker are not cached: /healthz checks them live (App.Healthy) before
// it asks for the reasons.
const degradedTTL = 5 * time.Second

// reasonCache holds the last computed degraded reasons of one App.
type reasonCache struct {
	now func() time.Time
	ttl time.Duration

	mu      sync.Mutex // held while computing: one computation at a time
	at      time.Time
	valid   bool
	reasons []string
}

// reasonCache returns the App's cache, made on first use.
func (a *App) reasonCache() *reasonCache {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.health == nil {
		a.health = &reasonCache{now: time.Now, ttl: degradedTTL}
	}
	return a.health
}

// degraded lists, for /healthz, why a running ledger needs attention (see
// computeDegraded), reusing the last answer for degradedTTL. A failed read
// is not cached.
func (a *App) degraded() []string {
	if a.DB == nil {
		return nil
	}
	c := a.reasonCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.valid && now.Sub(c.at) < c.ttl && !now.Before(c.at) {
		return append([]string(nil), c.reasons...)
	}
	reasons, ok := a.computeDegraded()
	c.valid, c.at, c.reasons = ok, now, reasons
	return append([]string(nil), reasons...)
}

// computeDegraded lists bindings to reconnect to Xero, tenants whose
// Magento token was revoked, organisations that used most of today's Xero
// budget, and runs that failed or were dead-lettered in the last 24 h. It
// reads bindings and tenants once and the run statistics of the live
// bindings. ok is false when the database could not be read.
func (a *App) computeDegraded() (reasons []string, ok bool) {
	bs, err := a.DB.ListBindings()
	if err != nil {
		return []string{"bindings cannot be read; see the log"}, false
	}
	ts, err := a.DB.ListTenants()
	if err != nil {
		return []string{"tenants cannot be read; see the log"}, false
	}
	for _, t := range ts {
		if !t.Revoked() && t.MagentoStatus == domain.MagentoTokenRevoked {
			reasons = append(reasons, fmt.Sprintf("tenant %s Magento token revoked; pair the store again", t.ID))
		}
	}
	used := map[string]float64{}
	if a.Xero != nil {
		used = a.Xero.BudgetUsed()
	}
	var live []uint64
	for _, b := range bs {
		switch b.Status {
		case domain.BindingRevoked:
			continue
		case domain.BindingNeedsReauth:
			reasons = append(reasons, fmt.Sprintf("binding %d needs re-authorisation with Xero", b.ID))
		}
		live = append(live, b.ID)
		if u, ok := used[b.XeroTenantID]; ok && b.XeroTenantID != "" && u >= budgetWarnShare {
			reasons = append(reasons, fmt.Sprintf("binding %d has used %d %% of today's Xero budget", b.ID, int(u*100)))
		}
	}
	if len(live) > 0 {
		if st, err := a.DB.RunStats(live...); err == nil && st.Failed24h > 0 {
			reasons = append(reasons, fmt.Sprintf("%d runs failed or dead-lettered in the last 24 h", st.Failed24h))
		}
	}
	return reasons, true
}
