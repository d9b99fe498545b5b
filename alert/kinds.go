package alert

import (
	"fmt"
	"time"
)

// NeedsReauth alerts that Xero refused a binding's tokens.
func (a *Alerter) NeedsReauth(bindingID, tenantID, org string) bool {
	msg := "Xero no longer accepts ledger's authorisation"
	if org != "" {
		msg += " for " + org
	}
	msg += "; open the binding in the dashboard and connect Xero again."
	return a.Notify(Alert{Kind: KindNeedsReauth, BindingID: bindingID, TenantID: tenantID, Message: msg})
}

// DeadLettered alerts that a sync run gave up; it is sent at most once per
// binding per cool-down however many runs die.
func (a *Alerter) DeadLettered(bindingID, tenantID, runID string) bool {
	return a.Notify(Alert{Kind: KindRunsDeadLettered, BindingID: bindingID, TenantID: tenantID,
		Message: fmt.Sprintf("Sync run %s was dead-lettered after its retries; read its error in the dashboard's Sync page, fix the cause and retry it.", runID)})
}

// MagentoTokenRevoked alerts that the Magento store revoked the pairing.
func (a *Alerter) MagentoTokenRevoked(bindingID, tenantID string) bool {
	return a.Notify(Alert{Kind: KindMagentoTokenRevoked, BindingID: bindingID, TenantID: tenantID,
		Message: "The Magento store revoked ledger's access; pair the store again from the Magento admin."})
}

// DailyBudget alerts once per binding and UTC day when used reaches 80 % of
// budget (Xero's per-organisation daily call limit as configured).
func (a *Alerter) DailyBudget(bindingID, tenantID string, used, budget int) bool {
	if a == nil || budget <= 0 || used*5 < budget*4 {
		return false
	}
	now := a.now().UTC()
	day := now.Format(time.DateOnly)
	a.mu.Lock()
	key := cooldownKey{KindDailyBudget80, bindingID + "\x00" + day}
	_, sent := a.last[key]
	a.mu.Unlock()
	if sent {
		return false
	}
	ok := a.Notify(Alert{Kind: KindDailyBudget80, BindingID: bindingID, TenantID: tenantID,
		Message: fmt.Sprintf("%d of today's %d Xero API calls are used; syncing pauses at the limit until midnight UTC.", used, budget)})
	if ok {
		a.mu.Lock()
		a.last[key] = now
		a.pruneDaysLocked(day)
		a.mu.Unlock()
	}
	return ok
}

// pruneDaysLocked forgets the per-day budget markers of earlier days.
func (a *Alerter) pruneDaysLocked(today string) {
	for k := range a.last {
		if k.kind == KindDailyBudget80 && len(k.binding) > len(today) &&
			k.binding[len(k.binding)-len(today)-1] == 0 && k.binding[len(k.binding)-len(today):] != today {
			delete(a.last, k)
		}
	}
}

// RecordFailure counts one failed sync run for binding in a sliding hour and
// sends failures_per_hour when the count exceeds FailureThreshold. It reports
// whether an alert was queued.
func (a *Alerter) RecordFailure(bindingID, tenantID string) bool {
	if !a.Enabled() || a.cfg.FailureThreshold < 0 {
		return false
	}
	now := a.now()
	n := a.cfg.FailureThreshold
	a.mu.Lock()
	times := a.failures[bindingID]
	cut := 0
	for cut < len(times) && now.Sub(times[cut]) >= time.Hour {
		cut++
	}
	times = append(times[cut:], now)
	// Only the newest n+1 matter to know "more than n in the last hour".
	if len(times) > n+1 {
		times = times[len(times)-(n+1):]
	}
	a.failures[bindingID] = times
	over := len(times) > n
	a.mu.Unlock()
	if !over {
		return false
	}
	return a.Notify(Alert{Kind: KindFailuresPerHour, BindingID: bindingID, TenantID: tenantID,
		Message: fmt.Sprintf("More than %d sync runs failed in the last hour; check the dashboard's Sync page for the common cause.", n)})
}
