package dashboard

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ledger/domain"
)

const syncPageSize = 50

// syncLiveSeconds is how often app.js refreshes the runs on Sync history.
const syncLiveSeconds = 5

type option struct {
	Value, Label string
	Selected     bool
}

type runRow struct {
	R                  *domain.SyncRun
	Magento            string
	StatusClass        string
	Event, Status      string // words for R.Event and R.Status
	Skip               string // why it was skipped and what to change, in words
	XeroURL, XeroLabel string
	ISO, Ago           string
	Retryable          bool
}

type syncData struct {
	Statuses  []option
	Binding   bindingFilter
	MagentoID string
	Rows      []runRow
	NextURL   string
	Error     string
}

var runStatuses = []domain.RunStatus{domain.RunQueued, domain.RunRunning, domain.RunSucceeded, domain.RunFailed, domain.RunSkipped, domain.RunDeadLettered}

// handleSyncList lists sync runs of the visible bindings, newest first,
// filtered by status, binding and Magento id, paged by run id.
func (s *Server) handleSyncList(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := r.URL.Query()
	vis, err := s.visibleBindings(c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := syncData{MagentoID: strings.TrimSpace(q.Get("magento_id"))}
	f := RunFilter{Limit: syncPageSize + 1, Status: domain.RunStatus(q.Get("status"))}
	for _, st := range runStatuses {
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: runStatusOption(st), Selected: st == f.Status})
	}
	if f.Status != "" && !f.Status.Valid() {
		f.Status, d.Error = "", "Unknown status filter; showing every status."
	}
	d.Binding = resolveBindingFilter(vis, q.Get("binding"))
	d.Binding.link(q)
	if d.Binding.ID != 0 {
		// vis holds every binding the user may see: no second read.
		switch i := slices.IndexFunc(vis, func(v visibleBinding) bool { return v.B.ID == d.Binding.ID }); {
		case i >= 0:
			f.BindingID = d.Binding.ID
		case d.Binding.Search: // a typed id: say so next to the field
			d.Binding.Error = "No connection you can see has number " + d.Binding.Query + "; search by connection number, Magento host or Xero organisation."
		default:
			s.fail(w, r, c, errNotFound)
			return
		}
	}
	if d.MagentoID != "" {
		if f.MagentoID, err = strconv.ParseInt(d.MagentoID, 10, 64); err != nil || f.MagentoID <= 0 {
			f.MagentoID, d.Error = 0, "The Magento id must be a whole number, such as 42."
		}
	}
	f.BeforeID, _ = strconv.ParseUint(q.Get("before"), 10, 64)
	if d.Binding.Pending() { // no runs until the search names one binding
		s.renderSync(w, r, c, d)
		return
	}
	runs, err := s.visibleRuns(c, vis, f)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if len(runs) > syncPageSize {
		runs = runs[:syncPageSize]
		next := url.Values{}
		for _, k := range []string{"status", "magento_id"} {
			if q.Get(k) != "" {
				next.Set(k, q.Get(k))
			}
		}
		if f.BindingID != 0 { // the resolved id: a later binding cannot change page 2
			next.Set("binding", strconv.FormatUint(f.BindingID, 10))
		}
		next.Set("before", strconv.FormatUint(runs[len(runs)-1].ID, 10))
		d.NextURL = "/dashboard/sync?" + next.Encode()
	}
	for _, run := range runs {
		d.Rows = append(d.Rows, s.runRow(run))
	}
	s.renderSync(w, r, c, d)
}

func (s *Server) renderSync(w http.ResponseWriter, r *http.Request, c *reqCtx, d syncData) {
	s.render(w, r, http.StatusOK, "sync", view{Title: "Sync history", User: c.user, CSRF: c.sess.CSRF, Nav: "sync",
		Live: syncLiveSeconds, Self: r.URL.RequestURI(), Data: d})
}

// visibleRuns queries the runs the user may see. A merchant's query names
// their tenants (unless a binding filter already narrows it), so a page is
// full whenever enough of their runs exist.
func (s *Server) visibleRuns(c *reqCtx, vis []visibleBinding, f RunFilter) ([]*domain.SyncRun, error) {
	if c.admin() {
		return s.store.ListRuns(f)
	}
	mine := map[string]bool{}
	for _, v := range vis {
		if !mine[v.T.ID] {
			mine[v.T.ID] = true
			if f.BindingID == 0 {
				f.TenantIDs = append(f.TenantIDs, v.T.ID)
			}
		}
	}
	if len(mine) == 0 {
		return nil, nil
	}
	runs, err := s.store.ListRuns(f)
	if err != nil {
		return nil, err
	}
	out := runs[:0]
	for _, run := range runs {
		if mine[run.TenantID] {
			out = append(out, run)
		}
	}
	return out, nil
}
