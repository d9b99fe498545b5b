package dashboard

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"

	"ledger/assets"
	"ledger/domain"
)

// pageNames are the templates parsed at New; each is layout.html plus one
// page file that defines "content".
var pageNames = []string{"login", "message", "home", "bindings", "binding", "disconnect", "settings", "sync", "run", "connect_magento"}

func parsePages() (map[string]*template.Template, error) {
	return parsePagesFrom(assets.Templates)
}

func parsePagesFrom(fsys fs.FS) (map[string]*template.Template, error) {
	layout, err := template.New("").ParseFS(fsys, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("dashboard: layout template: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.Must(layout.Clone()).ParseFS(fsys, name+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboard: template %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("dashboard: template %s defines no content", name)
		}
		pages[name] = t
	}
	return pages, nil
}

// view is what every page template receives.
type view struct {
	Title string
	User  *domain.User
	CSRF  string
	Nav   string // home | bindings | sync: the current nav entry
	Flash string
	// Live, when above zero, marks the page for live updates: app.js
	// refetches Self every Live seconds and swaps its data-live-region
	// elements. Without JS the page shows a Refresh link to Self.
	Live int
	Self string
	Data any
}

// render writes page with status code; it renders into a buffer first so a
// template error becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, page string, v view) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.cfg.Logger.Error("dashboard: render", "page", page, "err", err)
		http.Error(w, "Something went wrong inside ledger; the details are in the server log.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

type messageData struct{ Message, Back string }

// message renders a one-sentence page such as "Not found" or a 403.
func (s *Server) message(w http.ResponseWriter, r *http.Request, c *reqCtx, code int, title, msg string) {
	v := view{Title: title, Data: messageData{Message: msg, Back: "/dashboard"}}
	if c != nil {
		v.User, v.CSRF = c.user, c.sess.CSRF
	}
	s.render(w, r, code, "message", v)
}

// fail renders err as a page: not found → 404, the rest by kind, with the
// user-safe message only; internals go to the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) {
	code := http.StatusInternalServerError
	title := "Something went wrong"
	switch domain.KindOf(err) {
	case domain.ENotFound:
		s.message(w, r, c, http.StatusNotFound, "Not found", "There is nothing here, or it belongs to another account.")
		return
	case domain.EInvalid:
		code, title = http.StatusBadRequest, "Check your input"
	case domain.EConflict:
		code, title = http.StatusConflict, "Not possible right now"
	case domain.EUnavailable:
		code, title = http.StatusServiceUnavailable, "Temporarily unavailable"
	}
	s.cfg.Logger.Error("dashboard: request failed", "path", r.URL.Path, "err", err)
	s.message(w, r, c, code, title, domain.MessageOf(err))
}
