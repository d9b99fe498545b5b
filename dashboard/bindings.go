package dashboard

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ledger/domain"
)

const (
	// bindingsPageSize is how many bindings one page of /dashboard/bindings shows.
	bindingsPageSize = 50
	// bindingsFilterMin: a user who sees more bindings than this gets the
	// filter form; a merchant with a store or two sees the plain list.
	bindingsFilterMin = 10
)

var bindingStatuses = []domain.BindingStatus{domain.BindingPendingOAuth, domain.BindingActive, domain.BindingNeedsReauth, domain.BindingRevoked}

type bindingRow struct {
	ID                       uint64
	MagentoHost, OrgName     string
	StatusLabel, StatusClass string
}

type bindingsData struct {
	Rows []bindingRow
	// Filtering shows the filter form: only when the user sees more than
	// bindingsFilterMin bindings, or has filtered already.
	Filtering bool
	Q         string
	Statuses  []option
	Error     string
	// Total is how many bindings the user may see; Matched how many pass
	// the filter; First and Last number the rows shown (1-based).
	Total, Matched, First, Last int
	Page, Pages                 int
	PrevURL, NextURL            string
}

// handleBindings lists the bindings the user may see, ordered by id,
// filtered by ?q= (the Magento host or Xero organisation contains it, any
// case) and ?status=, and paged by ?page= (1-based, bindingsPageSize rows).
func (s *Server) handleBindings(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	vis, err := s.visibleBindings(c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	q := r.URL.Query()
	d := bindingsData{Q: strings.TrimSpace(q.Get("q")), Total: len(vis)}
	status := domain.BindingStatus(q.Get("status"))
	if status != "" && !validBindingStatus(status) {
		status, d.Error = "", "Unknown status filter; showing every status."
	}
	for _, st := range bindingStatuses {
		label, _ := bindingStatus(st)
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: label, Selected: st == status})
	}
	d.Filtering = len(vis) > bindingsFilterMin || d.Q != "" || q.Get("status") != ""

	match := vis[:0:0]
	needle := strings.ToLower(d.Q)
	for _, v := range vis {
		if status != "" && v.B.Status != status {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(v.MagentoHost()), needle) &&
			!strings.Contains(strings.ToLower(v.B.XeroOrgName), needle) {
			continue
		}
		match = append(match, v)
	}
	d.Matched = len(match)
	d.Pages = max(1, (len(match)+bindingsPageSize-1)/bindingsPageSize)
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = min(max(d.Page, 1), d.Pages) // a page past the end shows the last
	from := (d.Page - 1) * bindingsPageSize
	to := min(from+bindingsPageSize, len(match))
	d.First, d.Last = from+1, to
	for _, v := range match[from:to] {
		row := bindingRow{ID: v.B.ID, MagentoHost: v.MagentoHost(), OrgName: v.OrgName()}
		row.StatusLabel, row.StatusClass = bindingStatus(v.B.Status)
		d.Rows = append(d.Rows, row)
	}
	if d.Page > 1 {
		d.PrevURL = bindingsURL(d.Q, status, d.Page-1)
	}
	if d.Page < d.Pages {
		d.NextURL = bindingsURL(d.Q, status, d.Page+1)
	}
	s.render(w, r, http.StatusOK, "bindings", view{Title: "Connections", User: c.user, CSRF: c.sess.CSRF, Nav: "bindings", Data: d})
}

// bindingsURL is the bindings list with a filter and page; the first page
// and empty filters leave their parameter out.
func bindingsURL(q string, status domain.BindingStatus, page int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if status != "" {
		v.Set("status", string(status))
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/dashboard/bindings"
	}
	return "/dashboard/bindings?" + v.Encode()
}

func validBindingStatus(st domain.BindingStatus) bool {
	for _, s := range bindingStatuses {
		if s == st {
			return true
		}
	}
	return false
}
