package cmd

import (
	"fmt"

	"ledger/domain"
)

// budgetWarnShare is the share of a day's Xero budget above which /healthz
// says ledger is degraded (the same 80 % as the budget alert).
const budgetWarnShare = 0.8

// degraded lists, for /healthz, why a running ledger needs attention:
// bindings to reconnect to Xero, tenants whose Magento token was revoked,
// organisations that used most of today's Xero budget, and runs that
// failed or were dead-lettered in the last 24 h. It reads bindings and
// tenants once and the run statistics of the live bindings.
func (a *App) degraded() []string {
	if a.DB == nil {
		return nil
	}
	bs, err := a.DB.ListBindings()
	if err != nil {
		return []string{"bindings cannot be read; see the log"}
	}
	ts, err := a.DB.ListTenants()
	if err != nil {
		return []string{"tenants cannot be read; see the log"}
	}
	var reasons []string
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
	return reasons
}
