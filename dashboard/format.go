package dashboard

import (
	"fmt"
	"time"

	"ledger/domain"
)

// ago says how long before now t was, in words: "just now", "5 minutes ago".
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return count(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return count(int(d/time.Hour), "hour") + " ago"
	}
	return count(int(d/(24*time.Hour)), "day") + " ago"
}

func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// agoOrNever is ago for an optional time.
func agoOrNever(now time.Time, t *time.Time) string {
	if t == nil {
		return "never"
	}
	return ago(now, *t)
}

// bindingStatus is the label and badge class of a binding status.
func bindingStatus(st domain.BindingStatus) (label, class string) {
	switch st {
	case domain.BindingActive:
		return "Active", "ok"
	case domain.BindingPendingOAuth:
		return "Xero not connected yet", "warn"
	case domain.BindingNeedsReauth:
		return "Xero sign-in expired", "bad"
	case domain.BindingRevoked:
		return "Disconnected", "bad"
	}
	return string(st), ""
}

// runClass is the badge class of a run status.
func runClass(st domain.RunStatus) string {
	switch st {
	case domain.RunSucceeded:
		return "ok"
	case domain.RunFailed, domain.RunDeadLettered:
		return "bad"
	case domain.RunQueued, domain.RunRunning:
		return "warn"
	}
	return ""
}
