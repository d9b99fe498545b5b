package dashboard

import (
	"net/http"
	"strconv"

	"ledger/domain"
)

// handleRetry re-runs one failed run through the RetryRun hook.
func (s *Server) handleRetry(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	run, err := s.run(c, r.PathValue("run"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if s.cfg.RetryRun == nil {
		s.message(w, r, c, http.StatusServiceUnavailable, "Retry unavailable", "Retrying from the dashboard is not available in this ledger; use `ledger sync retry` instead.")
		return
	}
	s.refreshBeforeRetry(r, run)
	if err := s.cfg.RetryRun(r.Context(), run.ID); err != nil {
		s.cfg.Logger.Warn("dashboard: retry", "run", run.ID, "err", err)
		code := http.StatusConflict
		if domain.KindOf(err) == domain.EInternal || domain.KindOf(err) == domain.EUnavailable {
			code = http.StatusServiceUnavailable
		}
		s.message(w, r, c, code, "Retry not possible", domain.MessageOf(err))
		return
	}
	http.Redirect(w, r, "/dashboard/sync/"+strconv.FormatUint(run.ID, 10), http.StatusSeeOther)
}

// refreshBeforeRetry rebuilds the binding's Xero reference data before a
// run Xero's data refused is retried: the fix a person just made in Xero
// (a currency enabled, an account or tax rate added) is then seen by the
// retry instead of the cached lists. A failed refresh is logged and the
// retry goes ahead with the cache it has.
func (s *Server) refreshBeforeRetry(r *http.Request, run *domain.SyncRun) {
	if s.cfg.RefreshReference == nil || run.ErrorClass != domain.ClassValidation {
		return
	}
	if err := s.cfg.RefreshReference(r.Context(), run.BindingID); err != nil {
		s.cfg.Logger.Warn("dashboard: reference refresh before retry", "run", run.ID, "binding", run.BindingID, "err", err)
	}
}
