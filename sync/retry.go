package sync

import (
	"context"
	"log/slog"

	"ledger/domain"
)

// RetryHooks are what Retry needs from its caller: the dashboard's hooks,
// or the CLI's vault and requeue.
type RetryHooks struct {
	// Refresh rebuilds a binding's Xero reference cache now (nil: never).
	Refresh func(ctx context.Context, bindingID uint64) error
	// Requeue re-queues the run (Worker.Retry, or Requeue in the database).
	Requeue func(ctx context.Context, runID uint64) error
	// Log receives a failed refresh (nil: discarded).
	Log *slog.Logger
}

// RetryRefreshes reports whether a retry of run rebuilds the binding's Xero
// reference data first: the run failed on validation, so Xero (or the
// cached lists) refused its data, and the fix a person just made in Xero
// — a currency enabled, an account or tax rate added — must be seen by the
// retry instead of the stale cache.
func RetryRefreshes(run *domain.SyncRun) bool {
	return run.BindingID != 0 && run.ErrorClass == domain.ClassValidation
}

// Retry is ledger's one rule for re-running a run, used by the dashboard's
// Retry and `ledger sync retry`: refresh the reference data first when
// RetryRefreshes says so, then requeue. A failed refresh is logged and the
// retry goes ahead with the cache it has (the run then fails again with
// the same, still accurate, reason).
func Retry(ctx context.Context, run *domain.SyncRun, h RetryHooks) error {
	if h.Refresh != nil && RetryRefreshes(run) {
		if err := h.Refresh(ctx, run.BindingID); err != nil && h.Log != nil {
			h.Log.Warn("reference refresh before retry failed; retrying with the cached reference data",
				"run", run.ID, "binding", run.BindingID, "err", err)
		}
	}
	return h.Requeue(ctx, run.ID)
}
