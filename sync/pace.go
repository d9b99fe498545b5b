package sync

import "time"

// Pacing keeps an organisation's daily Accounting API budget lasting the
// whole UTC day. A round may start while the calls made today stay within
//
//	burst + (budget − burst − reserve) × (fraction of the day gone)
//
// where burst is a quarter of the budget and reserve a twentieth. With
// budget to spare an event goes out at once; as the budget tightens, the
// next round waits, documents gather meanwhile, and each call carries more
// of them (up to 50).

const (
	burstShare   = 4  // burst = budget / burstShare
	reserveShare = 20 // reserve = budget / reserveShare
)

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// spend records n Accounting API calls of a binding.
func (w *Worker) spend(bindingID uint64, n int) {
	now := w.cfg.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.spent[bindingID]
	if s == nil || !s.day.Equal(utcDay(now)) {
		s = &daySpend{day: utcDay(now)}
		w.spent[bindingID] = s
	}
	s.calls += n
}

// Spent is how many Accounting API calls the worker made today for a binding.
func (w *Worker) Spent(bindingID uint64) int {
	now := w.cfg.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.spent[bindingID]; s != nil && s.day.Equal(utcDay(now)) {
		return s.calls
	}
	return 0
}

// allowance is how many calls may have been made by now.
func (w *Worker) allowance(now time.Time) float64 {
	budget := float64(w.cfg.DailyBudget)
	burst, reserve := budget/burstShare, budget/reserveShare
	frac := now.Sub(utcDay(now)).Seconds() / (24 * time.Hour).Seconds()
	return burst + (budget-burst-reserve)*frac
}

// pace sets when a binding's next round may start, from the calls made
// today, the last round's included (spend has counted them, and so has the
// limiter behind DayUsed); a round that made no call counts as one.
func (w *Worker) pace(bindingID uint64, lastCalls int) {
	now := w.cfg.Now()
	spent := w.Spent(bindingID)
	if w.cfg.DayUsed != nil {
		spent = max(spent, w.cfg.DayUsed(bindingID))
	}
	if lastCalls < 1 {
		spent++
	}
	used := float64(spent)
	allowed := w.allowance(now)
	w.mu.Lock()
	defer w.mu.Unlock()
	if used <= allowed {
		delete(w.notBefore, bindingID)
		return
	}
	budget := float64(w.cfg.DailyBudget)
	burst, reserve := budget/burstShare, budget/reserveShare
	rate := (budget - burst - reserve) / (24 * time.Hour).Seconds() // calls per second
	wait := time.Duration((used - allowed) / rate * float64(time.Second))
	at := now.Add(wait)
	if next := utcDay(now).Add(24 * time.Hour); at.After(next) {
		at = next
	}
	w.notBefore[bindingID] = at
	w.log.Debug("sync: binding paced", "binding", bindingID, "until", at, "spent", used, "allowed", allowed)
}
