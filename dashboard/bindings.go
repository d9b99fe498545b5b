package dashboard

import "net/http"

type bindingRow struct {
	ID                       uint64
	MagentoHost, OrgName     string
	StatusLabel, StatusClass string
}

// handleBindings lists the bindings the user may see.
func (s *Server) handleBindings(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	vis, err := s.visibleBindings(c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	rows := make([]bindingRow, 0, len(vis))
	for _, v := range vis {
		row := bindingRow{ID: v.B.ID, MagentoHost: v.MagentoHost(), OrgName: v.OrgName()}
		row.StatusLabel, row.StatusClass = bindingStatus(v.B.Status)
		rows = append(rows, row)
	}
	s.render(w, r, http.StatusOK, "bindings", view{Title: "Bindings", User: c.user, CSRF: c.sess.CSRF, Nav: "bindings",
		Data: struct{ Rows []bindingRow }{rows}})
}
