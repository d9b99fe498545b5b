package dashboard

import (
	"net/http"
	"strconv"

	"ledger/domain"
	syncw "ledger/sync"
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
	// The one retry rule (sync.Retry): a validation failure gets fresh Xero
	// reference data first, as `ledger sync retry` does.
	err = syncw.Retry(r.Context(), run, syncw.RetryHooks{Refresh: s.cfg.RefreshReference, Requeue: s.cfg.RetryRun, Log: s.cfg.Logger})
	if err != nil {
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
