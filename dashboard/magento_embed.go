package dashboard

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"regexp"

	"ledger/assets"
	"ledger/domain"
)

// The embed (protocol §9, §12 #8) is the sync history the Magento admin
// shows in an iframe. Magento sends no credential, so the tenant id in the
// path is not one: the page needs a ledger login, made inside the iframe.
// Inside a cross-site iframe only SameSite=None cookies travel, so the embed
// keeps its own session cookie (SameSite=None; Secure over https) next to
// the dashboard's Lax one, signed by the same keys; either one grants access.

const (
	embedCookie   = "ledger_embed_session"
	embedRunLimit = 50
	// embedLiveSeconds is how often app.js refreshes the embed's runs, the
	// same cadence as Sync history. The refetch goes to ledger's own origin
	// (the iframe's), so credentials "same-origin" carries the SameSite=None
	// embed cookie.
	embedLiveSeconds = syncLiveSeconds
)

// embedLookup is the one read of the embed's tenant per request: the
// framing header (embedAncestors) and the page (handleEmbed) both use it,
// so they always describe the same tenant, even one re-paired meanwhile.
type embedLookup struct {
	t   *domain.Tenant
	err error
}

type embedTenantKey struct{}

// withEmbedTenant reads the path's tenant and hands it down the embed's
// route in the request context.
func (s *Server) withEmbedTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), embedTenantKey{}, s.readEmbedTenant(r))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) readEmbedTenant(r *http.Request) embedLookup {
	if s.magento.db == nil {
		return embedLookup{err: errNoDB}
	}
	t, err := s.magento.db.Tenant(r.PathValue("tenant_id"))
	return embedLookup{t: t, err: err}
}

// embedTenant is the tenant withEmbedTenant read for this request (read
// now if the route has no withEmbedTenant).
func (s *Server) embedTenant(r *http.Request) (*domain.Tenant, error) {
	l, ok := r.Context().Value(embedTenantKey{}).(embedLookup)
	if !ok {
		l = s.readEmbedTenant(r)
	}
	return l.t, l.err
}

// embedAncestors is the frame-ancestors source of the embed: the origin of
// the tenant's Magento. An unknown tenant keeps framing forbidden.
func (s *Server) embedAncestors(r *http.Request) string {
	t, err := s.embedTenant(r)
	if err != nil {
		return ""
	}
	u, err := url.Parse(t.MagentoURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !cspHost.MatchString(u.Host) {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// cspHost is what may stand as a host in a CSP source: a DNS name or IPv4
// address, or a bracketed IPv6 address, with an optional port. Anything
// else (";", "*", spaces — all legal in a parsed URL host) could add CSP
// directives or widen who may frame the embed, so it keeps framing denied.
var cspHost = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$`)

type embedData struct {
	TenantID, CSRF, Error, Email string
	User                         *domain.User
	Rows                         []runRow
	// Live and Self mark the history live as view.Live/Self do on
	// dashboard pages: app.js refetches Self and swaps the runs region.
	Live int
	Self string
}

// handleEmbed is GET /embed/{tenant_id}: without a session a login form,
// never data; with a session of a user who may see the tenant, its latest
// sync runs; anyone else gets 404.
func (s *Server) handleEmbed(w http.ResponseWriter, r *http.Request) {
	if s.magento.db == nil {
		http.Error(w, "ledger has no database open.", http.StatusServiceUnavailable)
		return
	}
	tenantID := r.PathValue("tenant_id")
	t, err := s.embedTenant(r)
	if err != nil && !domain.IsKind(err, domain.ENotFound) {
		http.Error(w, "ledger cannot read this store now; reload in a minute.", http.StatusServiceUnavailable)
		return
	}
	u := s.embedUser(r)
	if u == nil {
		s.embedLoginPage(w, tenantID, http.StatusOK, embedData{})
		return
	}
	c := &reqCtx{user: u}
	if t == nil || !c.canSee(t) {
		s.embedRender(w, http.StatusNotFound, embedData{Error: "There is nothing here, or it belongs to another account."})
		return
	}
	runs, err := s.store.ListRuns(RunFilter{TenantID: t.ID, Limit: embedRunLimit})
	if err != nil {
		http.Error(w, "ledger cannot read the sync history now; reload in a minute.", http.StatusServiceUnavailable)
		return
	}
	d := embedData{TenantID: t.ID, User: u, Live: embedLiveSeconds, Self: r.URL.RequestURI()}
	for _, run := range runs {
		d.Rows = append(d.Rows, s.runRow(run))
	}
	s.embedRender(w, http.StatusOK, d)
}

// embedUser is the user of the embed session or the dashboard session.
func (s *Server) embedUser(r *http.Request) *domain.User {
	for _, sess := range []*session{s.readEmbedSession(r), s.sessions.read(r)} {
		if sess != nil && sess.user != nil { // read loaded and epoch-checked it
			return sess.user
		}
	}
	return nil
}

func (s *Server) embedLoginPage(w http.ResponseWriter, tenantID string, code int, d embedData) {
	sess := s.sessions.start(0)
	if err := s.writeEmbedSession(w, sess); err != nil {
		http.Error(w, "Something went wrong inside ledger; the details are in the server log.", http.StatusInternalServerError)
		return
	}
	d.TenantID, d.CSRF = tenantID, sess.CSRF
	s.embedRender(w, code, d)
}

func (s *Server) embedRender(w http.ResponseWriter, code int, d embedData) {
	var buf bytes.Buffer
	if err := embedPage.Execute(&buf, d); err != nil {
		s.cfg.Logger.Error("dashboard: embed render", "err", err)
		http.Error(w, "Something went wrong inside ledger; the details are in the server log.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

// embedPage is assets/templates/embed.html: a page of its own (no
// dashboard header or navigation inside the Magento admin) on the
// dashboard's stylesheet.
var embedPage = template.Must(template.ParseFS(assets.Templates, "embed.html")).Lookup("embed")
