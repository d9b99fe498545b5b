package dashboard

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	gosync "sync"
	"time"

	"ledger/assets"
	"ledger/domain"
	"ledger/reconcile"
)

// ReconcileFunc runs a reconciliation of one binding (reconcile.Run wired
// to the worker's factories); since zero means everything.
type ReconcileFunc func(ctx context.Context, bindingID uint64, since time.Time) (*reconcile.Report, error)

// reconcilePage is layout.html plus reconcile.html, parsed once.
var reconcilePage = gosync.OnceValues(func() (*template.Template, error) {
	return template.New("").ParseFS(assets.Templates, "layout.html", "reconcile.html")
})

type reconcileData struct {
	ID          uint64
	MagentoHost string
	OrgName     string
	Since       string
	Error       string
	Unavailable bool
	Report      *reconcile.Report
}

// handleReconcileForm shows the page with its "Run reconciliation" form.
func (s *Server) handleReconcileForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v, err := s.binding(c, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderReconcile(w, r, c, http.StatusOK, s.reconcileData(v))
}

// handleReconcile runs the report on demand (POST, CSRF-checked by
// requireUser) and shows it.
func (s *Server) handleReconcile(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v, err := s.binding(c, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	d := s.reconcileData(v)
	fn := s.cfg.Reconcile
	if fn == nil {
		s.renderReconcile(w, r, c, http.StatusServiceUnavailable, d)
		return
	}
	d.Since = r.PostFormValue("since")
	var since time.Time
	if d.Since != "" {
		if since, err = time.Parse(time.DateOnly, d.Since); err != nil {
			d.Error = "That is not a date — use YYYY-MM-DD, or leave it empty for everything."
			s.renderReconcile(w, r, c, http.StatusBadRequest, d)
			return
		}
	}
	rep, err := fn(r.Context(), v.B.ID, since)
	if err != nil {
		if domain.IsKind(err, domain.ENotFound) {
			s.fail(w, r, c, err)
			return
		}
		s.cfg.Logger.Error("dashboard: reconciliation failed", "binding", v.B.ID, "err", err)
		d.Error = domain.MessageOf(err)
		s.renderReconcile(w, r, c, http.StatusBadGateway, d)
		return
	}
	d.Report = rep
	s.renderReconcile(w, r, c, http.StatusOK, d)
}

func (s *Server) reconcileData(v visibleBinding) reconcileData {
	return reconcileData{ID: v.B.ID, MagentoHost: v.MagentoHost(), OrgName: v.OrgName(), Unavailable: s.cfg.Reconcile == nil}
}

func (s *Server) renderReconcile(w http.ResponseWriter, r *http.Request, c *reqCtx, code int, d reconcileData) {
	t, err := reconcilePage()
	var buf bytes.Buffer
	if err == nil {
		err = t.ExecuteTemplate(&buf, "layout", view{Title: "Reconciliation · " + d.MagentoHost, User: c.user, CSRF: c.sess.CSRF, Nav: "bindings", Data: d})
	}
	if err != nil {
		s.cfg.Logger.Error("dashboard: render", "page", "reconcile", "err", err)
		http.Error(w, "Something went wrong inside ledger; the details are in the server log.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}
