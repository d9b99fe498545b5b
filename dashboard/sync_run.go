package dashboard

import (
	"fmt"
	"net/http"
	"time"

	"ledger/domain"
)

type runData struct {
	runRow
	BindingLabel string
	Advice       string
	Steps        []stepRow
}

// stepRow is one timeline entry in words.
type stepRow struct {
	domain.RunStep
	Label string
}

// handleRun shows one run with its timeline of every attempt.
func (s *Server) handleRun(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	run, err := s.run(c, r.PathValue("run"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := runData{runRow: s.runRow(run), Advice: advice(run)}
	for _, st := range run.Timeline {
		d.Steps = append(d.Steps, stepRow{RunStep: st, Label: stepLabel(st.Step)})
	}
	d.BindingLabel = fmt.Sprintf("Store connection %d", run.BindingID)
	if v, err := s.binding(c, fmt.Sprint(run.BindingID)); err == nil {
		d.BindingLabel = v.MagentoHost() + " ↔ " + v.OrgName()
	}
	s.render(w, r, http.StatusOK, "run", view{Title: fmt.Sprintf("Sync run #%d · %s", run.ID, d.Event), User: c.user, CSRF: c.sess.CSRF, Nav: "sync", Data: d})
}

// runRow is how a run appears in lists and on its page.
func (s *Server) runRow(run *domain.SyncRun) runRow {
	row := runRow{R: run, StatusClass: runClass(run.Status),
		Event: eventLabel(run.Event), Status: runStatusLabel(run.Status), Skip: skipReasonText(run.SkipReason),
		ISO: run.CreatedAt.UTC().Format(time.RFC3339), Ago: ago(s.cfg.Now(), run.CreatedAt),
		Retryable: run.Status == domain.RunFailed || run.Status == domain.RunDeadLettered}
	row.Magento = fmt.Sprintf("#%d", run.MagentoID)
	if run.MagentoNumber != "" {
		row.Magento = run.MagentoNumber + " (" + row.Magento + ")"
	}
	switch {
	case run.XeroID == "":
		row.XeroLabel = "—"
	case run.XeroNumber != "":
		row.XeroLabel = run.XeroNumber
	default:
		row.XeroLabel = "View in Xero"
	}
	if run.XeroID != "" && s.cfg.XeroDeepLink != nil {
		row.XeroURL = s.cfg.XeroDeepLink(run.XeroType, run.XeroID)
	}
	return row
}

// advice says what to do about a failed run, by error class.
func advice(run *domain.SyncRun) string {
	if run.Status != domain.RunFailed && run.Status != domain.RunDeadLettered {
		return ""
	}
	switch run.ErrorClass {
	case domain.ClassAuth:
		return "Xero asks you to sign in again: use Reconnect Xero on the store's page, then retry."
	case domain.ClassValidation:
		return "Do what the error says — in Xero, in the settings (a mapping) or in Magento (the document) — then press Retry."
	case domain.ClassNotFound:
		return "The document no longer exists in Magento or Xero; check it there, then retry or leave it."
	case domain.ClassRateLimited:
		return "Xero's daily limit was reached; ledger retries by itself, or retry later."
	case domain.ClassHTTP, domain.ClassProvider:
		return "Magento or Xero could not be reached; retry when they are back."
	}
	return "Press Retry; if it fails again, ask whoever runs ledger to look up this run number in its log."
}
